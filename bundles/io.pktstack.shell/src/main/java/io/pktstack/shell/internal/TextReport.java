package io.pktstack.shell.internal;

import java.util.List;

/** Lines a command prints as they are (pfctl's rule listings, dhcpcd's lease, messages of a change). */
record TextReport(List<String> lines) implements Report {

    TextReport {
        lines = List.copyOf(lines);
    }

    static TextReport of(String... lines) {
        return new TextReport(List.of(lines));
    }

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
