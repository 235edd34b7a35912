package io.pktstack.shell.internal;

import io.pktstack.shell.internal.inetd.Inetd;
import java.util.List;

/**
 * The internal services that run, one row per service and protocol: what it
 * served (connections on TCP, datagrams on UDP), connections open now, bytes
 * in and out, and datagrams refused (from a service port, or unanswerable).
 */
record InetdReport(List<Inetd.Row> rows) implements Report {

    @Override
    public String render() {
        if (rows.isEmpty()) {
            return "no internal service runs\n";
        }
        StringBuilder sb = new StringBuilder(String.format("%-9s %-5s %5s %8s %6s %12s %12s %7s%n", "Service", "Proto",
                "Port", "Served", "Active", "Bytes in", "Bytes out", "Refused"));
        for (Inetd.Row r : rows) {
            sb.append(String.format("%-9s %-5s %5d %8d %6s %12d %12d %7s%n", r.key().service().serviceName(),
                    r.key().tcp() ? "tcp" : "udp", r.port(), r.served(),
                    r.key().tcp() ? Integer.toString(r.active()) : "-", r.bytesIn(), r.bytesOut(),
                    r.key().tcp() ? "-" : Long.toString(r.refused())));
        }
        return sb.toString();
    }
}
