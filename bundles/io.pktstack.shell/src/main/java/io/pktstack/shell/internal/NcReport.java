package io.pktstack.shell.internal;

import java.net.InetSocketAddress;

/**
 * What {@code nc} moved: bytes and SHA-256 of what it sent and of what it
 * received, the peer, and how long it took.
 */
record NcReport(InetSocketAddress peer, long sent, String sentSha256, long received, String receivedSha256,
        double seconds) implements Report {

    @Override
    public String render() {
        String host = InterfaceList.format(peer.getAddress());
        return String.format("connection with %s port %d%nsent %d bytes sha256 %s%nreceived %d bytes sha256 %s%n"
                + "%.3f seconds%n", host, peer.getPort(), sent, sentSha256, received, receivedSha256, seconds);
    }
}
