package io.pktstack.api.router;

import java.net.InetAddress;

/**
 * One translated flow, as {@code pfctl -s state} shows it: the inside host,
 * the address and port it appears as outside, and the peer. For ICMP echo
 * the ports are the query identifiers.
 *
 * @param rule "nat" or "rdr"
 * @param ifName the interface of the rule
 * @param state pf's words: TCP's "ESTABLISHED:ESTABLISHED", UDP's "MULTIPLE:SINGLE", ICMP's "0:0"
 */
public record PfState(String rule, String ifName, String protocol, InetAddress inside, int insidePort,
        InetAddress outside, int outsidePort, InetAddress peer, int peerPort, String state, long ageSeconds,
        long expiresInSeconds, long packets, long bytes) {
}
