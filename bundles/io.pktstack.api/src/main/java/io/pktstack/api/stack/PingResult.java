package io.pktstack.api.stack;

import java.net.InetAddress;

/**
 * The outcome of one echo request.
 *
 * @param destination whom we asked
 * @param sequence echo sequence number
 * @param replied whether a matching reply came before the timeout
 * @param bytes payload bytes in the reply
 * @param ttl TTL (IPv4) or hop limit (IPv6) of the reply
 * @param rttNanos round-trip time
 */
public record PingResult(InetAddress destination, int sequence, boolean replied, int bytes, int ttl, long rttNanos) {
}
