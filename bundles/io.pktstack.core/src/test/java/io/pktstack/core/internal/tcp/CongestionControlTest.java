package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Window growth of NewReno (RFC 5681) and CUBIC (RFC 9438), on a clock the test moves. */
class CongestionControlTest {

    static final int MSS = 1448;
    static final long RTT = TimeUnit.MILLISECONDS.toNanos(10);

    static double[] rounds(CongestionControl cc, long start, int rounds) {
        return rounds(cc, start, rounds, RTT);
    }

    /** Acknowledges one window per RTT, segment by segment, {@code rounds} times; returns cwnd in segments per round. */
    static double[] rounds(CongestionControl cc, long start, int rounds, long rtt) {
        double[] w = new double[rounds];
        long now = start;
        for (int r = 0; r < rounds; r++) {
            long segments = cc.cwnd() / MSS;
            for (long i = 0; i < segments; i++) {
                cc.onAck(MSS, cc.cwnd(), now + rtt * i / Math.max(1, segments), rtt);
            }
            now += rtt;
            w[r] = cc.cwnd() / (double) MSS;
        }
        return w;
    }

    @Test
    void theInitialWindowIsTenSegmentsOfRfc6928() {
        assertEquals(10L * MSS, CongestionControl.initialWindow(MSS));
        assertEquals(14600, CongestionControl.initialWindow(1460 * 2 + 1), "capped at 14600 bytes past 2 MSS");
        assertEquals(2 * 9000, CongestionControl.initialWindow(9000));
    }

    @Test
    void newRenoDoublesPerRoundInSlowStartThenAddsOneSegmentPerRound() {
        NewReno cc = new NewReno();
        cc.init(MSS, 0);
        double[] w = rounds(cc, 0, 3);
        assertEquals(20, w[0], 0.01);
        assertEquals(40, w[1], 0.01);
        assertEquals(80, w[2], 0.01);

        cc.onCongestion(80L * MSS, 0);
        assertEquals(40L * MSS, cc.ssthresh(), "half the flight");
        assertEquals(40L * MSS, cc.cwnd());
        double[] ca = rounds(cc, 0, 5);
        for (int i = 0; i < ca.length; i++) {
            assertEquals(41 + i, ca[i], 0.01, "one segment a round in congestion avoidance");
        }
    }

    @Test
    void slowStartCountsTheBytesAStretchAckAcknowledgesUpToSsthresh() {
        for (CongestionControl cc : new CongestionControl[] {new NewReno(), new Cubic()}) {
            cc.init(MSS, 0);
            cc.onAck(10L * MSS, 10L * MSS, 0, RTT); // one ACK for a whole receive batch of ten segments
            assertEquals(20L * MSS, cc.cwnd(), cc.name() + ": the window doubles, as with an ACK per segment");
            cc.onTimeout(20L * MSS, 0); // one segment, ssthresh half the flight (ten segments)
            cc.onAck(40L * MSS, MSS, 0, RTT);
            assertEquals(cc.ssthresh(), cc.cwnd(), cc.name() + ": slow start stops at ssthresh");
        }
    }

    @Test
    void aTimeoutSetsTheWindowToOneSegment() {
        for (CongestionControl cc : new CongestionControl[] {new NewReno(), new Cubic()}) {
            cc.init(MSS, 0);
            rounds(cc, 0, 3);
            cc.onTimeout(60L * MSS, 0);
            assertEquals(MSS, cc.cwnd(), cc.name());
            assertTrue(cc.ssthresh() >= 2L * MSS, cc.name());
        }
    }

    @Test
    void cubicCutsToSeventyPercentAndGrowsBackAlongTheCubicToTheOldPlateau() {
        Cubic cc = new Cubic();
        cc.init(MSS, 0);
        rounds(cc, 0, 4); // 160 segments
        long before = cc.cwnd();
        cc.onCongestion(before, 0);
        assertEquals((long) (before * 0.7), cc.cwnd(), 1, "beta = 0.7 (RFC 9438 §4.6)");
        double wMax = before / (double) MSS;
        assertEquals(wMax, cc.wMax(), 0.01);
        double k = Math.cbrt(wMax * (1 - 0.7) / 0.4);
        // A long RTT, so the cubic curve is faster than Reno's line and governs (at 10 ms it would be Reno-friendly).
        long rtt = TimeUnit.MILLISECONDS.toNanos(100);
        double[] w = rounds(cc, 0, (int) (k * 1e9 / rtt) + 20, rtt);
        int atK = (int) (k * 1e9 / rtt);
        assertEquals(wMax, w[atK], wMax * 0.05, "at t = K the window is back at W_max (§4.2)");
        assertTrue(w[atK / 2] > before * 0.7 / MSS && w[atK / 2] < wMax, "concave growth below the plateau");
        assertTrue(w[w.length - 1] > wMax, "convex growth past it");
    }

    @Test
    void cubicFastConvergenceLowersThePlateauWhenLossesComeEarlier() {
        Cubic cc = new Cubic();
        cc.init(MSS, 0);
        rounds(cc, 0, 4);
        cc.onCongestion(cc.cwnd(), 0);
        double first = cc.wMax();
        cc.onCongestion(cc.cwnd(), 0); // lost again below the old plateau
        double w = first * 0.7;
        assertEquals(w * (1 + 0.7) / 2, cc.wMax(), 0.5, "RFC 9438 §4.7");
    }

    @Test
    void cubicIsRenoFriendlyWhereTheCubicIsSlower() {
        // Small windows and a short RTT: the cubic curve is flat; W_est (§4.3) must carry growth.
        Cubic cc = new Cubic();
        cc.init(MSS, 0);
        cc.onCongestion(10L * MSS, 0); // plateau of 10 segments, cwnd 7
        double[] w = rounds(cc, 0, 20);
        assertTrue(w[19] >= 7 + 20 * Cubic.ALPHA * 0.9, "at least Reno-friendly growth: " + w[19]);
    }
}
