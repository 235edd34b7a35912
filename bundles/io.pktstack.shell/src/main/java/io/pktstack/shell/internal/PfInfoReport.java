package io.pktstack.shell.internal;

import io.pktstack.api.router.PfStatus;

/** {@code pfctl -s info}, {@code -s timeouts} or {@code -s memory}, in pfctl's layout. */
record PfInfoReport(PfStatus status, String what) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (what.equals("info")) {
            sb.append("Status: ").append(status.enabled() ? "Enabled" : "Disabled").append("\n\n");
            sb.append(String.format("%-40s%14s%n", "State Table", "Total"));
            status.counters().forEach((k, v) -> {
                if (k.equals("current entries") || k.equals("searches") || k.equals("inserts") || k.equals("removals")) {
                    sb.append(String.format("  %-38s%14d%n", k, v));
                }
            });
            sb.append("Counters (packets dropped)\n");
            status.counters().forEach((k, v) -> {
                if (!(k.equals("current entries") || k.equals("searches") || k.equals("inserts") || k.equals("removals"))) {
                    sb.append(String.format("  %-38s%14d%n", k, v));
                }
            });
        } else if (what.equals("timeouts")) {
            status.timeouts().forEach((k, v) -> sb.append(String.format("%-20s%6ds%n", k, v)));
        } else {
            sb.append(String.format("%-20shard limit %8d%n", "states", status.stateLimit()));
        }
        return sb.toString();
    }
}
