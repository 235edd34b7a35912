package io.pktstack.shell.internal.iperf3;

/**
 * One stream's totals at the end of a test as this side measured them (the
 * local half of iperf3's end summary), with the peer's half from the results
 * exchange when there was one.
 *
 * @param seconds from the test's start to the last measurement
 * @param retransmits over the test, or -1 if not counted (a receiving stream, or no count from the stack)
 * @param maxCwnd largest congestion window seen at a sample, bytes (-1: not known)
 * @param maxSndWnd largest send window seen at a sample, bytes (-1: not known)
 * @param minRtt smallest smoothed RTT seen at a sample, microseconds (-1: not known)
 * @param maxRtt largest, microseconds
 * @param meanRtt mean of the samples, microseconds
 * @param peer what the other side reported for this stream, or null
 */
record StreamSummary(int id, boolean sender, long bytes, double seconds, long retransmits, long maxCwnd,
        long maxSndWnd, long minRtt, long maxRtt, long meanRtt, ExchangedResults.StreamTotals peer) {

    StreamSummary withPeer(ExchangedResults.StreamTotals p) {
        return new StreamSummary(id, sender, bytes, seconds, retransmits, maxCwnd, maxSndWnd, minRtt, maxRtt,
                meanRtt, p);
    }

    /** Seconds of the peer's measurement (its end_time minus start_time), or this side's if it sent none (iperf_print_results). */
    double peerSeconds() {
        double s = peer == null ? 0 : peer.endTime() - peer.startTime();
        return s > 0 ? s : seconds;
    }

    long peerBytes() {
        return peer == null ? 0 : peer.bytes();
    }

    long peerRetransmits() {
        return peer == null ? -1 : peer.retransmits();
    }
}
