package io.pktstack.core.internal.tcp;

/**
 * What NewReno and CUBIC share (RFC 5681): the window and threshold in bytes,
 * the initial window of RFC 6928, slow start by bytes acknowledged (RFC 3465,
 * without its per-ACK limit), restart after idle, and keeping the window in whole
 * segments when the MSS changes. Subclasses say how congestion avoidance
 * grows the window and how a loss shrinks it.
 */
abstract class RenoWindow implements CongestionControl {

    long cwnd;
    long ssthresh = Long.MAX_VALUE;
    int smss;

    @Override
    public long cwnd() {
        return cwnd;
    }

    @Override
    public long ssthresh() {
        return ssthresh;
    }

    @Override
    public void init(int smss, long now) {
        this.smss = smss;
        this.cwnd = CongestionControl.initialWindow(smss);
    }

    /** Slow start (RFC 5681 §3.1): true if it grew the window, false in congestion avoidance. */
    final boolean slowStart(long acked) {
        if (cwnd >= ssthresh) {
            return false;
        }
        // By the bytes acknowledged, up to ssthresh, as Linux's tcp_slow_start: a receiver that
        // aggregates (GRO, or ours: one ACK per receive batch) acknowledges many segments per ACK,
        // and RFC 3465's limit of 2 SMSS per ACK would hold slow start to a crawl against it.
        // Counting bytes, not ACKs, is what keeps ACK division from inflating the window.
        cwnd = Math.min(cwnd + acked, Math.max(ssthresh, cwnd));
        return true;
    }

    @Override
    public void onIdle(long now) {
        cwnd = Math.min(cwnd, CongestionControl.initialWindow(smss));
    }

    @Override
    public void mssChanged(int newSmss) {
        cwnd = Math.max(newSmss, cwnd / smss * newSmss);
        smss = newSmss;
    }
}
