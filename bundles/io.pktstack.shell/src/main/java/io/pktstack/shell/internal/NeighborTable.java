package io.pktstack.shell.internal;

import io.pktstack.api.stack.NeighborEntry;
import java.util.List;

/** {@code arp -a} and {@code ndp -a}, in the BSD layouts. */
record NeighborTable(boolean ipv6, List<NeighborEntry> entries) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (ipv6) {
            sb.append(String.format("%-30s %-17s %-8s %s%n", "Neighbor", "Linklayer Address", "Netif", "Expire"));
            for (NeighborEntry e : entries) {
                sb.append(String.format("%-30s %-17s %-8s %ds%n", InterfaceList.format(e.address()),
                        e.mac() == null ? "(incomplete)" : e.mac(), e.ifName(), e.expiresInSeconds()));
            }
        } else {
            for (NeighborEntry e : entries) {
                sb.append("? (").append(e.address().getHostAddress()).append(") at ")
                        .append(e.mac() == null ? "(incomplete)" : e.mac().toString())
                        .append(" on ").append(e.ifName()).append(" expires in ").append(e.expiresInSeconds())
                        .append(" seconds [ethernet]\n");
            }
        }
        return sb.toString();
    }
}
