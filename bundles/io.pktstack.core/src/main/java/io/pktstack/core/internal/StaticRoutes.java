package io.pktstack.core.internal;

import io.pktstack.api.stack.InterfaceAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes added with {@code route add}: a prefix and the gateway it is reached
 * through. Kept sorted longest prefix first, so the first match is the
 * longest-prefix match; the list is replaced on change (copy on write) and
 * read without a lock.
 */
final class StaticRoutes {

    /** One static route; {@code destination} has its host bits cleared. */
    static final class Entry {
        final InterfaceAddress destination;
        final InetAddress gateway;
        final LongAdder use = new LongAdder();

        Entry(InterfaceAddress destination, InetAddress gateway) {
            this.destination = destination;
            this.gateway = gateway;
        }
    }

    private volatile List<Entry> entries = List.of();

    /** Longest prefix first; among equal lengths, the order added. */
    List<Entry> all() {
        return entries;
    }

    synchronized void add(InterfaceAddress destination, InetAddress gateway) {
        requireSameFamily(destination, gateway);
        InterfaceAddress net = network(destination);
        for (Entry e : entries) {
            if (e.destination.equals(net)) {
                throw new IllegalArgumentException("route to " + net + " already exists (via "
                        + e.gateway.getHostAddress() + ")");
            }
        }
        List<Entry> l = new ArrayList<>(entries);
        l.add(new Entry(net, gateway));
        l.sort(Comparator.comparingInt((Entry e) -> e.destination.prefixLength()).reversed());
        entries = List.copyOf(l);
    }

    static void requireSameFamily(InterfaceAddress destination, InetAddress gateway) {
        if (destination.isIpv4() != gateway instanceof Inet4Address) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is not an "
                    + (destination.isIpv4() ? "IPv4" : "IPv6") + " address like " + network(destination));
        }
    }

    synchronized void delete(InterfaceAddress destination) {
        InterfaceAddress net = network(destination);
        List<Entry> l = new ArrayList<>(entries);
        if (!l.removeIf(e -> e.destination.equals(net))) {
            throw new IllegalArgumentException("no static route to " + net);
        }
        entries = List.copyOf(l);
    }

    /** The prefix of {@code a}: its address with the host bits cleared. */
    static InterfaceAddress network(InterfaceAddress a) {
        byte[] b = a.address().getAddress();
        int len = a.prefixLength();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.clamp(len - 8 * i, 0, 8);
            b[i] &= (byte) (0xFF00 >>> keep);
        }
        try {
            return new InterfaceAddress(InetAddress.getByAddress(b), len);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** True if {@code d} (4 or 16 bytes) lies in {@code prefix}. */
    static boolean contains(InterfaceAddress prefix, byte[] d) {
        byte[] s = prefix.address().getAddress();
        if (s.length != d.length) {
            return false;
        }
        return s.length == 4
                ? IpAddresses.sameV4Prefix(IpAddresses.v4(s), IpAddresses.v4(d), prefix.prefixLength())
                : IpAddresses.sameV6Prefix(IpAddresses.v6hi(s), IpAddresses.v6lo(s), IpAddresses.v6hi(d),
                        IpAddresses.v6lo(d), prefix.prefixLength());
    }
}
