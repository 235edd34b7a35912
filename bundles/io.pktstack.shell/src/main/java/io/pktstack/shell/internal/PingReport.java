package io.pktstack.shell.internal;

import io.pktstack.api.stack.PingResult;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code ping}: one line per reply (none when {@code quiet}, BSD's {@code -q})
 * and the BSD summary with round-trip statistics.
 */
record PingReport(InetAddress destination, int payloadBytes, List<PingResult> results, boolean quiet)
        implements Report {

    long received() {
        return results.stream().filter(PingResult::replied).count();
    }

    @Override
    public String render() {
        String host = InterfaceList.format(destination);
        StringBuilder sb = new StringBuilder();
        sb.append("PING ").append(host).append(": ").append(payloadBytes).append(" data bytes\n");
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        double sumSq = 0;
        for (PingResult r : results) {
            if (r.replied()) {
                double ms = r.rttNanos() / 1e6;
                min = Math.min(min, ms);
                max = Math.max(max, ms);
                sum += ms;
                sumSq += ms * ms;
                if (quiet) {
                    continue;
                }
                sb.append(String.format("%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms%n",
                        r.bytes() + 8, host, r.sequence(), r.ttl(), ms));
            } else if (!quiet) {
                sb.append(String.format("Request timeout for icmp_seq %d%n", r.sequence()));
            }
        }
        long rx = received();
        sb.append("\n--- ").append(host).append(" ping statistics ---\n");
        sb.append(String.format("%d packets transmitted, %d packets received, %.1f%% packet loss%n", results.size(), rx,
                results.isEmpty() ? 0.0 : 100.0 * (results.size() - rx) / results.size()));
        if (rx > 0) {
            double avg = sum / rx;
            double sd = Math.sqrt(Math.max(0, sumSq / rx - avg * avg));
            sb.append(String.format("round-trip min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms%n", min, avg, max, sd));
        }
        return sb.toString();
    }
}
