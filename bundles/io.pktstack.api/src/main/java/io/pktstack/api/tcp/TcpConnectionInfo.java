package io.pktstack.api.tcp;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One row of {@code netstat -a -p tcp}: a connection or a listener.
 *
 * @param local the local address and port (the wildcard address for a listener on every address)
 * @param remote the peer, or null for a listener
 * @param recvQ bytes received and not yet read by the application
 * @param sendQ bytes written and not yet acknowledged by the peer
 * @param details per-connection facts in display order (mss, cwnd, srtt, retransmissions, ...)
 */
public record TcpConnectionInfo(InetSocketAddress local, InetSocketAddress remote, TcpState state, int recvQ,
        int sendQ, Map<String, Object> details) {
}
