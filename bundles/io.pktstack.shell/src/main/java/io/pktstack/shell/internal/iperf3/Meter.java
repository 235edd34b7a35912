package io.pktstack.shell.internal.iperf3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Samples a test's streams once per reporting interval (iperf_api.c
 * iperf_stats_callback): bytes moved since the last sample and, for sending
 * streams, the connection's retransmissions, window and RTT. The last,
 * partial interval is kept unless it is shorter than a tenth of an interval
 * and moved nothing (iperf_print_intermediate's rule).
 */
final class Meter {

    /** iperf3's default reporting interval (-i 1). */
    static final long INTERVAL_NANOS = 1_000_000_000L;

    private final List<DataStream> streams;
    private final long startNanos;
    private final TcpProbe probe;
    private final long[] lastBytes;
    private final long[] firstRetransmits;
    private final long[] lastRetransmits;
    private final long[] maxCwnd;
    private final long[] maxSndWnd;
    private final long[] minRtt;
    private final long[] maxRtt;
    private final long[] sumRtt;
    private final long[] rttSamples;
    private final List<Interval> intervals = new ArrayList<>();
    private long lastNanos;
    private boolean hasRetransmits;

    Meter(List<DataStream> streams, long startNanos, TcpProbe probe) {
        this.streams = streams;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.probe = probe;
        int n = streams.size();
        lastBytes = new long[n];
        firstRetransmits = new long[n];
        lastRetransmits = new long[n];
        maxCwnd = filled(n, -1);
        maxSndWnd = filled(n, -1);
        minRtt = filled(n, -1);
        maxRtt = filled(n, -1);
        sumRtt = new long[n];
        rttSamples = new long[n];
        // Retransmissions before the test (the handshake's) are not the test's.
        Map<Object, TcpProbe.Facts> now = probe.snapshot();
        hasRetransmits = !streams.isEmpty();
        for (int i = 0; i < n; i++) {
            DataStream s = streams.get(i);
            TcpProbe.Facts f = TcpProbe.of(now, s.local, s.remote);
            hasRetransmits &= s.sender && f != null && f.hasRetransmits();
            firstRetransmits[i] = lastRetransmits[i] = f == null ? 0 : Math.max(0, f.retransmits());
        }
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** True if this side sends and its stack counts retransmissions (iperf3's sender_has_retransmits = 1). */
    boolean hasRetransmits() {
        return hasRetransmits;
    }

    long startNanos() {
        return startNanos;
    }

    /** A regular sample at {@code nowNanos}. */
    void sample(long nowNanos) {
        record(nowNanos, false);
    }

    /** The last sample; call after the streams stopped counting. */
    void finish(long nowNanos) {
        record(nowNanos, true);
    }

    private void record(long nowNanos, boolean last) {
        Map<Object, TcpProbe.Facts> facts = hasRetransmits ? probe.snapshot() : Map.of();
        List<Interval.Stream> parts = new ArrayList<>(streams.size());
        long moved = 0;
        for (int i = 0; i < streams.size(); i++) {
            DataStream s = streams.get(i);
            long total = s.bytes();
            long bytes = total - lastBytes[i];
            lastBytes[i] = total;
            moved += bytes;
            TcpProbe.Facts f = hasRetransmits ? TcpProbe.of(facts, s.local, s.remote) : null;
            long retransmits = 0;
            if (f != null) {
                retransmits = Math.max(0, f.retransmits() - lastRetransmits[i]);
                lastRetransmits[i] = Math.max(lastRetransmits[i], f.retransmits());
                maxCwnd[i] = Math.max(maxCwnd[i], f.cwnd());
                maxSndWnd[i] = Math.max(maxSndWnd[i], f.sndWnd());
                if (f.rttMicros() >= 0) {
                    minRtt[i] = minRtt[i] < 0 ? f.rttMicros() : Math.min(minRtt[i], f.rttMicros());
                    maxRtt[i] = Math.max(maxRtt[i], f.rttMicros());
                    sumRtt[i] += f.rttMicros();
                    rttSamples[i]++;
                }
            }
            parts.add(f == null ? new Interval.Stream(s.id, s.sender, bytes, false, 0, -1, -1, -1)
                    : new Interval.Stream(s.id, s.sender, bytes, true, retransmits, f.cwnd(), f.sndWnd(), f.rttMicros()));
        }
        long length = nowNanos - lastNanos;
        if (!(last && moved == 0 && length < INTERVAL_NANOS / 10)) {
            intervals.add(new Interval(seconds(lastNanos), seconds(nowNanos), List.copyOf(parts)));
        }
        lastNanos = nowNanos;
    }

    private double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    List<Interval> intervals() {
        return List.copyOf(intervals);
    }

    /** Each stream's totals as of the last sample. */
    List<StreamSummary> summaries() {
        List<StreamSummary> out = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            DataStream s = streams.get(i);
            boolean counted = hasRetransmits && s.sender;
            out.add(new StreamSummary(s.id, s.sender, lastBytes[i], seconds(lastNanos),
                    counted ? lastRetransmits[i] - firstRetransmits[i] : -1, maxCwnd[i], maxSndWnd[i], minRtt[i],
                    maxRtt[i], rttSamples[i] == 0 ? -1 : sumRtt[i] / rttSamples[i], null));
        }
        return out;
    }

    /** The totals this side sends at EXCHANGE_RESULTS. */
    List<ExchangedResults.StreamTotals> totals() {
        List<ExchangedResults.StreamTotals> out = new ArrayList<>();
        for (StreamSummary s : summaries()) {
            out.add(new ExchangedResults.StreamTotals(s.id(), s.bytes(), s.retransmits(), 0, s.seconds()));
        }
        return out;
    }
}
