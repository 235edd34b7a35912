package io.pktstack.shell.internal;

import io.pktstack.api.stack.Counters;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.List;

/** {@code netstat -i}: one line of counters per interface, in the BSD layout. */
record InterfaceStatistics(List<InterfaceInfo> interfaces) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder(String.format("%-8s %5s %-17s %10s %6s %6s %10s %6s %6s%n",
                "Name", "Mtu", "Address", "Ipkts", "Ierrs", "Idrop", "Opkts", "Oerrs", "Odrop"));
        for (InterfaceInfo i : interfaces) {
            Counters c = i.counters();
            sb.append(String.format("%-8s %5d %-17s %10d %6d %6d %10d %6d %6d%n", i.name(),
                    i.mtu() - (i.mac() == null ? 0 : 14), i.mac() == null ? "<Link>" : i.mac().toString(),
                    c.inPackets(), c.inErrors(), c.inDrops(), c.outPackets(), c.outErrors(), c.outDrops()));
        }
        return sb.toString();
    }
}
