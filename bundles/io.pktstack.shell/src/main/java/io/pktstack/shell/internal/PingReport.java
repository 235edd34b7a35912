package io.pktstack.shell.internal;

import io.pktstack.api.stack.PingResult;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ping}: one line per reply (none when {@code quiet}, BSD's {@code -q})
 * and the BSD summary with round-trip statistics. Results are added as they
 * come; a quiet report keeps only the statistics, so a run of any length
 * holds no object per reply (a long one would otherwise live long enough to
 * reach a guest's old generation, which the serial collector grows for it).
 */
final class PingReport implements Report {

    private final InetAddress destination;
    private final int payloadBytes;
    private final boolean quiet;
    private final List<PingResult> shown = new ArrayList<>();
    private long transmitted;
    private long received;
    private double min = Double.MAX_VALUE;
    private double max;
    private double sum;
    private double sumSq;

    PingReport(InetAddress destination, int payloadBytes, boolean quiet) {
        this.destination = destination;
        this.payloadBytes = payloadBytes;
        this.quiet = quiet;
    }

    void add(PingResult r) {
        transmitted++;
        if (r.replied()) {
            double ms = r.rttNanos() / 1e6;
            received++;
            min = Math.min(min, ms);
            max = Math.max(max, ms);
            sum += ms;
            sumSq += ms * ms;
        }
        if (!quiet) {
            shown.add(r);
        }
    }

    long received() {
        return received;
    }

    @Override
    public String render() {
        String host = InterfaceList.format(destination);
        StringBuilder sb = new StringBuilder();
        sb.append("PING ").append(host).append(": ").append(payloadBytes).append(" data bytes\n");
        for (PingResult r : shown) {
            if (r.replied()) {
                sb.append(String.format("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n",
                        r.bytes() + 8, host, r.sequence(), r.ttl(), r.rttNanos() / 1e6));
            } else {
                sb.append(String.format("Request timeout for icmp_seq %d%n", r.sequence()));
            }
        }
        sb.append("\n--- ").append(host).append(" ping statistics ---\n");
        sb.append(String.format("%d packets transmitted, %d packets received, %.1f%% packet loss%n", transmitted,
                received, transmitted == 0 ? 0.0 : 100.0 * (transmitted - received) / transmitted));
        if (received > 0) {
            double avg = sum / received;
            double sd = Math.sqrt(Math.max(0, sumSq / received - avg * avg));
            sb.append(String.format("round-trip min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms%n", min, avg, max, sd));
        }
        return sb.toString();
    }
}
