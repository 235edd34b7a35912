package io.pktstack.shell.internal.iperf3;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One test as one side measured it: how it was set up, its intervals and its
 * end summary with the peer's half from the results exchange. {@link #text}
 * and {@link #json} print it as iperf3 3.12 does.
 *
 * @param summaries one per stream, in stream order
 */
public record Iperf3Results(Setup setup, List<Interval> intervals, List<StreamSummary> summaries, Ending ending) {

    /**
     * @param client true on the client side
     * @param host the server as the client named it (client), or the client's address (server)
     * @param port the server's port
     * @param controlPeer the other end of the control connection
     * @param testNumber the server's count of tests, from 1 (client: 0)
     * @param epochSeconds when the test was set up
     * @param mss the control connection's maximum segment size (iperf3's tcp_mss_default)
     * @param sendBuffer the control connection's send buffer, bytes
     * @param receiveBuffer its receive buffer, bytes
     */
    record Setup(boolean client, String host, int port, InetSocketAddress controlPeer, int testNumber, String cookie,
            TestParameters params, List<Connected> connected, long epochSeconds, long mss, int sendBuffer,
            int receiveBuffer) {
    }

    /** A stream's connection as iperf3's connect_msg shows it. */
    record Connected(int id, InetSocketAddress local, InetSocketAddress remote) {
    }

    /**
     * @param localHasRetransmits this side sends and its stack counts retransmissions
     * @param peerSenderHasRetransmits what the peer said as sender_has_retransmits (1, 0 or -1)
     */
    record Ending(ExchangedResults.Cpu localCpu, ExchangedResults.Cpu remoteCpu, String localCongestion,
            String remoteCongestion, boolean localHasRetransmits, int peerSenderHasRetransmits) {
    }

    /** True if this side's streams send (the client without -R, the server with it). */
    boolean localSends() {
        return setup.client() != setup.params().reverse();
    }

    /** Bytes the sending side sent (iperf3's end.sum_sent.bytes). */
    public long sentBytes() {
        return summaries.stream().mapToLong(s -> localSends() ? s.bytes() : s.peerBytes()).sum();
    }

    /** Bytes the receiving side received (iperf3's end.sum_received.bytes). */
    public long receivedBytes() {
        return summaries.stream().mapToLong(s -> localSends() ? s.peerBytes() : s.bytes()).sum();
    }

    /** The sender's time, from the first stream as iperf3 takes it. */
    public double senderSeconds() {
        if (summaries.isEmpty()) {
            return 0;
        }
        StreamSummary s = summaries.getFirst();
        return localSends() ? s.seconds() : s.peerSeconds();
    }

    public double receiverSeconds() {
        if (summaries.isEmpty()) {
            return 0;
        }
        StreamSummary s = summaries.getFirst();
        return localSends() ? s.peerSeconds() : s.seconds();
    }

    /** Retransmissions of the sending side, or -1 if it does not count them. */
    public long retransmits() {
        boolean counted = localSends() ? ending.localHasRetransmits() : ending.peerSenderHasRetransmits() == 1;
        if (!counted) {
            return -1;
        }
        return summaries.stream().mapToLong(s -> Math.max(0, localSends() ? s.retransmits() : s.peerRetransmits()))
                .sum();
    }

    public String text() {
        return Iperf3Text.render(this);
    }

    public String json() {
        return Iperf3Json.render(this);
    }
}
