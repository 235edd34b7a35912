package io.pktstack.shell.internal;

import io.pktstack.api.stack.ProtocolStatistics;
import java.util.List;
import java.util.Map;

/** {@code netstat -s [-p PROTO]}: per-protocol counters in BSD's layout, a protocol heading then "N what" lines. */
record ProtocolReport(List<ProtocolStatistics> protocols) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (ProtocolStatistics p : protocols) {
            sb.append(p.protocol()).append(":\n");
            for (Map.Entry<String, Long> c : p.counters().entrySet()) {
                sb.append('\t').append(c.getValue()).append(' ').append(c.getKey()).append('\n');
            }
        }
        return sb.toString();
    }
}
