package io.pktstack.shell.internal;

import io.pktstack.api.stack.RouteEntry;
import java.util.List;

/** {@code netstat -r} and {@code route show}: the routing table in NetBSD's {@code netstat -rn} layout. */
record RoutingTable(List<RouteEntry> routes) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder("Routing tables\n");
        section(sb, "Internet", true);
        section(sb, "Internet6", false);
        return sb.toString();
    }

    private void section(StringBuilder sb, String title, boolean v4) {
        sb.append('\n').append(title).append(":\n");
        String row = v4 ? "%-18s %-18s %-6s %8s %5s  %s%n" : "%-30s %-26s %-6s %8s %5s  %s%n";
        sb.append(String.format(row, "Destination", "Gateway", "Flags", "Use", "Mtu", "Interface"));
        for (RouteEntry r : routes) {
            if (r.destination().isIpv4() != v4) {
                continue;
            }
            String dest = r.isDefault() ? "default"
                    : InterfaceList.format(r.destination().address()) + "/" + r.destination().prefixLength();
            String gw = r.gateway() == null ? "link#" + r.ifName() : InterfaceList.format(r.gateway());
            sb.append(String.format(row, dest, gw, flags(r), r.use(), r.mtu() == 0 ? "-" : Integer.toString(r.mtu()),
                    r.ifName()));
        }
    }

    /** The flag letters in BSD's order (U G H S C). */
    static String flags(RouteEntry r) {
        StringBuilder f = new StringBuilder();
        for (RouteEntry.Flag flag : RouteEntry.Flag.values()) {
            if (r.flags().contains(flag)) {
                f.append(flag.letter());
            }
        }
        return f.toString();
    }
}
