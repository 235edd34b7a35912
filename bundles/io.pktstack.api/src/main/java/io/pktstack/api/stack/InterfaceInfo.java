package io.pktstack.api.stack;

import io.pktstack.api.net.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A snapshot of one interface, for {@code ifconfig}, {@code nicinfo} and scripts.
 *
 * @param name BSD-style name: driver prefix and unit ({@code vp0}, {@code bridge0})
 * @param index the stack's interface number (stable while it exists)
 * @param driver driver name, or {@code bridge} / {@code loopback}
 * @param flags UP, RUNNING, BROADCAST, MULTICAST, PROMISC, LOOPBACK
 * @param mtu largest frame, Ethernet header included
 * @param mac the interface's MAC (none for {@code lo0}: {@code null})
 * @param addresses IPv4 and IPv6 addresses, including an IPv6 link-local one
 * @param counters traffic and drop counters
 * @param bridge the bridge this interface belongs to, or {@code null}
 * @param details driver facts and named drop counters, in display order
 */
public record InterfaceInfo(String name, int index, String driver, Set<Flag> flags, int mtu, MacAddress mac,
        List<InterfaceAddress> addresses, Counters counters, String bridge, Map<String, Object> details) {

    public enum Flag { UP, BROADCAST, LOOPBACK, RUNNING, PROMISC, MULTICAST }

    public boolean isUp() {
        return flags.contains(Flag.UP);
    }

    public boolean isRunning() {
        return flags.contains(Flag.RUNNING);
    }
}
