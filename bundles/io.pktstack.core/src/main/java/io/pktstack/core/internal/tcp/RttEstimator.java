package io.pktstack.core.internal.tcp;

/**
 * The retransmission timeout of RFC 6298: smoothed RTT and variance from
 * samples of segments that were not retransmitted (Karn's algorithm, §3),
 * RTO = SRTT + max(G, 4 * RTTVAR) clamped to [min, max], doubled on each
 * expiry (§5.5) until a new sample.
 */
final class RttEstimator {

    /** Clock granularity G of §2: the stack timer fires within about a millisecond. */
    static final long GRANULARITY_NANOS = 1_000_000L;
    static final long INITIAL_RTO_NANOS = 1_000_000_000L;

    private long srtt = -1;
    private long rttvar;
    private long rto = INITIAL_RTO_NANOS;
    private int backoff;
    private long minRto;
    private long maxRto;

    RttEstimator(long minRtoNanos, long maxRtoNanos) {
        this.minRto = minRtoNanos;
        this.maxRto = maxRtoNanos;
    }

    void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4; // beta = 1/4
            srtt = (7 * srtt + rtt) / 8; // alpha = 1/8
        }
        backoff = 0;
        rto = clamp(srtt + Math.max(GRANULARITY_NANOS, 4 * rttvar));
    }

    /** The timeout to arm now: the RTO doubled per expiry since the last sample. */
    long rto() {
        return clamp(backoff >= 30 ? maxRto : rto << backoff);
    }

    void backOff() {
        backoff++;
    }

    int backoffs() {
        return backoff;
    }

    /** After a retransmission timeout with no sample yet (§5.7): keep the backed-off value. */
    void resetBackoff() {
        backoff = 0;
    }

    long srtt() {
        return srtt;
    }

    long rttvar() {
        return rttvar;
    }

    boolean hasSample() {
        return srtt >= 0;
    }

    void bounds(long minRtoNanos, long maxRtoNanos) {
        this.minRto = minRtoNanos;
        this.maxRto = maxRtoNanos;
    }

    private long clamp(long v) {
        return Math.min(maxRto, Math.max(minRto, v));
    }
}
