package io.pktstack.core.internal.tcp;

/**
 * Reno's window (RFC 5681 §3.1): slow start by bytes acknowledged, at most two
 * segments per ACK (RFC 3465 L = 2), then one segment per window of
 * acknowledged bytes; half the flight on loss. With NewReno's recovery
 * (RFC 6582) in the connection.
 */
final class NewReno extends RenoWindow {

    /** Bytes acknowledged toward the next increase in congestion avoidance (appropriate byte counting). */
    private long bytesAcked;

    @Override
    public String name() {
        return "newreno";
    }

    @Override
    public void onAck(long acked, long flightSize, long now, long srtt) {
        if (slowStart(acked)) {
            return;
        }
        bytesAcked += acked;
        if (bytesAcked >= cwnd) {
            bytesAcked -= cwnd;
            cwnd += smss;
        }
    }

    @Override
    public void onCongestion(long flightSize, long now) {
        ssthresh = Math.max(flightSize / 2, 2L * smss);
        cwnd = ssthresh;
        bytesAcked = 0;
    }

    @Override
    public void onRecoveryEnd(long now) {
        cwnd = ssthresh;
    }

    @Override
    public void onTimeout(long flightSize, long now) {
        ssthresh = Math.max(flightSize / 2, 2L * smss);
        cwnd = smss;
        bytesAcked = 0;
    }
}
