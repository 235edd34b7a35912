package io.pktstack.shell.internal;

import io.pktstack.api.router.DhcpLease;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code dhcpd -l}: one lease a line, interface, client, address, state and end (UTC), as dhcp-lease-list does. */
record DhcpLeaseList(List<DhcpLease> leases) implements Report {

    private static final DateTimeFormatter ENDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder(String.format("%-10s %-17s %-15s %-9s %s%n", "Interface", "MAC", "IP",
                "State", "Ends (UTC)"));
        for (DhcpLease l : leases) {
            sb.append(String.format("%-10s %-17s %-15s %-9s %s%n", l.ifName(), l.mac() == null ? "-" : l.mac(),
                    l.address().getHostAddress(), l.state().name().toLowerCase(), ENDS.format(l.ends())));
        }
        return sb.toString();
    }
}
