package io.pktstack.core.internal.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows
 * W_cubic(t) = C (t - K)^3 + W_max (§4.2), with K = cbrt(W_max (1 - beta) / C),
 * never below the Reno-friendly estimate W_est (§4.3); beta = 0.7 and C = 0.4,
 * fast convergence (§4.7). Windows are computed in segments and kept in bytes.
 * Slow start is Reno's.
 */
final class Cubic extends RenoWindow {

    static final double C = 0.4;
    static final double BETA = 0.7;
    /** RFC 9438 §4.3: alpha_cubic = 3 (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private double wMax;
    private double wLastMax;
    private double k;
    /** Start of the current congestion-avoidance epoch on the clock, or -1 before the first ACK of one. */
    private long epochStart = -1;
    /** The Reno-friendly window in segments (§4.3). */
    private double wEst;
    /** Window at the start of the epoch, in segments (cwnd_epoch). */
    private double cwndEpoch;

    @Override
    public String name() {
        return "cubic";
    }

    @Override
    public void onAck(long acked, long flightSize, long now, long srtt) {
        if (slowStart(acked)) {
            return;
        }
        double seg = smss;
        double w = cwnd / seg;
        if (epochStart < 0) {
            epochStart = now;
            cwndEpoch = w;
            wEst = w;
            if (wMax <= w) {
                // No loss yet (we left slow start by reaching ssthresh): the plateau is where we are.
                wMax = w;
                k = 0;
            } else {
                k = Math.cbrt((wMax - w) / C);
            }
        }
        double rtt = srtt > 0 ? srtt / 1e9 : 0.1;
        double t = (now - epochStart) / 1e9;
        // §4.3: W_est grows by alpha_cubic segments per window of acknowledged segments.
        wEst += ALPHA * (acked / seg) / w;
        double target = C * Math.pow(t + rtt - k, 3) + wMax;
        if (target < w) {
            target = w;
        } else if (target > 1.5 * w) {
            target = 1.5 * w;
        }
        double next;
        if (cubicBelowReno(t) && wEst > w) {
            next = wEst; // Reno-friendly region (§4.3)
        } else {
            next = w + (target - w) / w * (acked / seg); // (target - cwnd) / cwnd per segment acknowledged (§4.4)
        }
        cwnd = Math.max(cwnd, (long) (next * seg));
    }

    private boolean cubicBelowReno(double t) {
        return C * Math.pow(t - k, 3) + wMax < wEst;
    }

    @Override
    public void onCongestion(long flightSize, long now) {
        double w = cwnd / (double) smss;
        // §4.7 fast convergence: release bandwidth for new flows when the plateau keeps falling.
        if (w < wLastMax) {
            wLastMax = w;
            wMax = w * (1 + BETA) / 2;
        } else {
            wLastMax = w;
            wMax = w;
        }
        ssthresh = Math.max((long) (cwnd * BETA), 2L * smss);
        cwnd = ssthresh;
        epochStart = -1;
    }

    @Override
    public void onRecoveryEnd(long now) {
        cwnd = ssthresh;
        epochStart = -1;
    }

    @Override
    public void onTimeout(long flightSize, long now) {
        onCongestion(flightSize, now);
        cwnd = smss;
        epochStart = -1;
    }

    @Override
    public void onIdle(long now) {
        super.onIdle(now);
        epochStart = -1;
    }

    double wMax() {
        return wMax;
    }

    double k() {
        return k;
    }
}
