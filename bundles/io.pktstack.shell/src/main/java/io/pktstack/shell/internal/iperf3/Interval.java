package io.pktstack.shell.internal.iperf3;

import java.util.List;

/**
 * One reporting interval of a test (iperf3's iperf_interval_results, one per
 * stream): times in seconds from the test's start.
 */
record Interval(double start, double end, List<Stream> streams) {

    /**
     * One stream's share of an interval.
     *
     * @param tcp true for a sending stream whose stack counts retransmissions: the next four are known
     * @param retransmits segments retransmitted during the interval
     * @param cwnd congestion window at the interval's end, bytes
     * @param sndWnd the peer's window at the interval's end, bytes
     * @param rttMicros smoothed RTT at the interval's end, microseconds (-1 before a sample)
     */
    record Stream(int id, boolean sender, long bytes, boolean tcp, long retransmits, long cwnd, long sndWnd,
            long rttMicros) {
    }

    double seconds() {
        return end - start;
    }

    long bytes() {
        return streams.stream().mapToLong(Stream::bytes).sum();
    }

    long retransmits() {
        return streams.stream().mapToLong(Stream::retransmits).sum();
    }
}
