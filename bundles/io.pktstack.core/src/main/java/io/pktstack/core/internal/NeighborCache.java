package io.pktstack.core.internal;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.NeighborEntry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The ARP table or the IPv6 neighbour cache: IP address -> MAC, with expiry.
 * Used when the stack originates traffic (ping, UDP); replies to requests go
 * back to the requester's source MAC and do not consult it, so answering is
 * allocation-free. Waiters block on the cache until an entry resolves.
 */
final class NeighborCache {

    /** Reachable time: 20 minutes for ARP as BSD's arpt_keep; 30 s would be ND's, kept equal for simplicity. */
    static final long LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(20);

    /** How long a new or refreshed entry lives (sysctl net.inet.arp.keep, net.inet6.icmp6.nd6_keep). */
    private volatile long lifetimeNanos = LIFETIME_NANOS;

    private record Entry(MacAddress mac, String ifName, long expires) {
    }

    private final Map<InetAddress, Entry> entries = new HashMap<>();
    private final LongSupplier clock;

    NeighborCache(LongSupplier clock) {
        this.clock = clock;
    }

    synchronized void put(InetAddress ip, MacAddress mac, String ifName) {
        entries.put(ip, new Entry(mac, ifName, clock.getAsLong() + lifetimeNanos));
        notifyAll();
    }

    /** Updates an entry only if one exists (RFC 826's "merge" step for packets not addressed to us). */
    synchronized void refresh(InetAddress ip, MacAddress mac, String ifName) {
        if (entries.containsKey(ip)) {
            put(ip, mac, ifName);
        }
    }

    /** Sets the lifetime of entries made or refreshed from now on; existing ones keep their expiry. */
    void setLifetimeSeconds(long seconds) {
        lifetimeNanos = TimeUnit.SECONDS.toNanos(seconds);
    }

    long lifetimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(lifetimeNanos);
    }

    synchronized MacAddress lookup(InetAddress ip) {
        Entry e = entries.get(ip);
        if (e == null || e.expires - clock.getAsLong() < 0) {
            return null;
        }
        return e.mac;
    }

    /** Waits up to {@code nanos} for {@code ip} to resolve. */
    synchronized MacAddress await(InetAddress ip, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        MacAddress m;
        while ((m = lookup(ip)) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return m;
    }

    synchronized void removeInterface(String ifName) {
        entries.values().removeIf(e -> e.ifName.equals(ifName));
    }

    synchronized List<NeighborEntry> snapshot() {
        long now = clock.getAsLong();
        List<NeighborEntry> out = new ArrayList<>();
        entries.forEach((ip, e) -> {
            if (e.expires - now > 0) {
                out.add(new NeighborEntry(ip, e.mac, e.ifName, TimeUnit.NANOSECONDS.toSeconds(e.expires - now)));
            }
        });
        out.sort((a, b) -> a.address().getHostAddress().compareTo(b.address().getHostAddress()));
        return out;
    }
}
