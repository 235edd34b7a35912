package io.pktstack.shell.internal;

import java.util.List;

/**
 * What {@code tcpdump} captured.
 *
 * @param lines one summary line per frame (empty when written to a file)
 * @param captured frames captured
 * @param file the pcap file, or {@code null}
 * @param dropped copies the capture queue had to drop
 */
record CaptureReport(List<String> lines, long captured, String file, long dropped) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        sb.append(captured).append(" packets captured");
        if (file != null) {
            sb.append(" to ").append(file);
        }
        return sb.append('\n').append(dropped).append(" packets dropped by capture queue\n").toString();
    }
}
