package io.pktstack.shell.internal;

import io.pktstack.shell.internal.iperf3.Iperf3Daemon;
import java.util.List;

/**
 * Background iperf3 servers just started ({@code iperf3 -s}) or stopped
 * ({@code iperf3 -s -k}): each with its port, the tests it began, and the
 * last one's report (or why it failed).
 */
record Iperf3ServerStatus(List<Iperf3Daemon.Status> servers, boolean started, boolean json) implements Report {

    @Override
    public String render() {
        StringBuilder out = new StringBuilder();
        if (servers.isEmpty()) {
            return "no iperf3 server runs in the background\n";
        }
        for (Iperf3Daemon.Status s : servers) {
            if (started) {
                out.append("-----------------------------------------------------------\n");
                out.append("Server listening on ").append(s.port()).append(" (in the background; iperf3 -s -k -p ")
                        .append(s.port()).append(" stops it)\n");
                out.append("-----------------------------------------------------------\n");
                continue;
            }
            out.append("iperf3 server on port ").append(s.port()).append(" stopped after ").append(s.tests())
                    .append(s.tests() == 1 ? " test\n" : " tests\n");
            if (s.last() != null) {
                out.append(json ? s.last().json() : s.last().text());
            }
            if (s.lastError() != null) {
                out.append("iperf3: ").append(s.lastError()).append('\n');
            }
        }
        return out.toString();
    }
}
