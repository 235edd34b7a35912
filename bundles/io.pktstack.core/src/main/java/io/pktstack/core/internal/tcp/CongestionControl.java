package io.pktstack.core.internal.tcp;

/**
 * A sender's congestion window (RFC 5681), in bytes. The connection calls it
 * on the events that move the window; loss recovery itself (which segment to
 * send, pipe, NewReno's window inflation) stays in the connection.
 */
interface CongestionControl {

    /** The algorithm's sysctl name ({@code net.inet.tcp.cc.algorithm}). */
    String name();

    long cwnd();

    long ssthresh();

    /** Starts with the initial window of RFC 6928 for segments of {@code smss} bytes. */
    void init(int smss, long now);

    /** New data was acknowledged outside loss recovery: grow (slow start or congestion avoidance). */
    void onAck(long ackedBytes, long flightSize, long now, long srttNanos);

    /** Loss detected by duplicate ACKs or SACK (entering fast recovery): set ssthresh and cwnd. */
    void onCongestion(long flightSize, long now);

    /** Loss recovery ended with every byte up to the recovery point acknowledged. */
    void onRecoveryEnd(long now);

    /** A retransmission timeout: ssthresh from the flight, cwnd to one segment (RFC 5681 §3.1, (4)). */
    void onTimeout(long flightSize, long now);

    /** The connection was idle longer than an RTO: restart from at most the initial window (RFC 5681 §4.1). */
    void onIdle(long now);

    /** The send MSS changed (path MTU): keep the window in whole segments of the new size. */
    void mssChanged(int smss);

    /** The initial window of RFC 6928: min(10 * MSS, max(2 * MSS, 14600)). */
    static long initialWindow(int smss) {
        return Math.min(10L * smss, Math.max(2L * smss, 14600));
    }
}
