package io.pktstack.core.internal;

import io.pktstack.api.stack.InterfaceAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The forwarding table: {@link Routing}'s answer for every destination at
 * once, in primitive form, so that forwarding a packet compares ints and longs
 * and allocates nothing. Built from the connected prefixes of interfaces that
 * are up and the static routes whose gateway lies on one of them; longest
 * prefix first, a connected prefix before a static route of the same length
 * (as {@link Routing#lookup}). Immutable: a new one is built when
 * {@link Routing#generation()} moves.
 *
 * <p>It also lists the stack's own addresses, on every interface, so a packet
 * for any of them is delivered locally whichever interface it came in on
 * (the weak host model, RFC 1122 §3.3.4.2, as BSD).
 */
final class ForwardingTable {

    /** One route: where packets to {@code prefix/length} go. */
    static final class Entry {
        final boolean v6;
        final int length;
        /** IPv4: the prefix and mask in the low 32 bits of {@code lo} and {@code maskLo}; IPv6: both halves. */
        final long hi;
        final long lo;
        final long maskHi;
        final long maskLo;
        final NetInterface nif;
        /** The gateway, or null when the destination is on the link; and the same as primitives (IPv4 in the low 32 bits). */
        final InetAddress gateway;
        final long gatewayV4;
        final long gatewayHi;
        final long gatewayLo;
        /** The same route as the stack's own traffic uses it (neighbour resolution asks by its source address). */
        final Routing.Route route;
        final boolean connected;

        Entry(InterfaceAddress prefix, NetInterface nif, InetAddress gateway, InterfaceAddress source, boolean connected) {
            byte[] a = prefix.address().getAddress();
            this.v6 = a.length == 16;
            this.length = prefix.prefixLength();
            if (v6) {
                this.maskHi = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
                this.maskLo = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
                this.hi = IpAddresses.v6hi(a) & maskHi;
                this.lo = IpAddresses.v6lo(a) & maskLo;
            } else {
                this.maskHi = 0;
                this.maskLo = length == 0 ? 0 : (-1L << (32 - length)) & 0xFFFF_FFFFL;
                this.hi = 0;
                this.lo = (IpAddresses.v4(a) & 0xFFFF_FFFFL) & maskLo;
            }
            this.nif = nif;
            this.gateway = gateway;
            byte[] g = gateway == null ? null : gateway.getAddress();
            this.gatewayV4 = g != null && g.length == 4 ? IpAddresses.v4(g) & 0xFFFF_FFFFL : 0;
            this.gatewayHi = g != null && g.length == 16 ? IpAddresses.v6hi(g) : 0;
            this.gatewayLo = g != null && g.length == 16 ? IpAddresses.v6lo(g) : 0;
            this.route = new Routing.Route(nif, source, gateway);
            this.connected = connected;
        }

        boolean matchesV4(int dst) {
            return ((dst & 0xFFFF_FFFFL) & maskLo) == lo;
        }

        boolean matchesV6(long dhi, long dlo) {
            return (dhi & maskHi) == hi && (dlo & maskLo) == lo;
        }

        /** The largest IP packet the output interface carries. */
        int ipMtu() {
            return nif.mtu - io.pktstack.api.wire.EthernetFrame.HEADER_LEN;
        }
    }

    final long generation;
    private final NetInterface[] byIndex;
    private final java.util.Map<String, NetInterface> byName;
    private final Entry[] v4;
    private final Entry[] v6;
    private final int[] localV4;
    private final NetInterface[] localV4If;
    private final long[] localV6;
    private final NetInterface[] localV6If;

    private ForwardingTable(long generation, NetInterface[] byIndex, Entry[] v4, Entry[] v6, int[] localV4,
            NetInterface[] localV4If, long[] localV6, NetInterface[] localV6If) {
        this.generation = generation;
        this.byIndex = byIndex;
        java.util.Map<String, NetInterface> names = new java.util.HashMap<>();
        for (NetInterface n : byIndex) {
            if (n != null) {
                names.put(n.name, n);
            }
        }
        this.byName = names;
        this.v4 = v4;
        this.v6 = v6;
        this.localV4 = localV4;
        this.localV4If = localV4If;
        this.localV6 = localV6;
        this.localV6If = localV6If;
    }

    static final ForwardingTable EMPTY = new ForwardingTable(-1, new NetInterface[0], new Entry[0], new Entry[0], new int[0],
            new NetInterface[0], new long[0], new NetInterface[0]);

    /** Builds the table from the interfaces (as {@link Routing#connectedRoute}) and the static routes. */
    static ForwardingTable build(long generation, List<NetInterface> interfaces, List<StaticRoutes.Entry> statics) {
        List<Entry> v4 = new ArrayList<>();
        List<Entry> v6 = new ArrayList<>();
        List<Integer> l4 = new ArrayList<>();
        List<NetInterface> l4If = new ArrayList<>();
        List<Long> l6 = new ArrayList<>();
        List<NetInterface> l6If = new ArrayList<>();
        for (NetInterface nif : interfaces) {
            for (InterfaceAddress a : nif.addresses) {
                if (nif.kind == NetInterface.Kind.LOOPBACK) {
                    continue; // 127/8 and ::1 never arrive from a link (RFC 1122 §3.2.1.3)
                }
                byte[] b = a.address().getAddress();
                if (a.isIpv4()) {
                    l4.add(IpAddresses.v4(b));
                    l4If.add(nif);
                } else if (!a.address().isLinkLocalAddress()) { // a link-local address belongs to its own link only
                    l6.add(IpAddresses.v6hi(b));
                    l6.add(IpAddresses.v6lo(b));
                    l6If.add(nif);
                }
                if (!nif.up) {
                    continue;
                }
                (a.isIpv4() ? v4 : v6).add(new Entry(a, nif, null, a, true));
            }
        }
        for (StaticRoutes.Entry s : statics) {
            Entry via = null;
            byte[] g = s.gateway.getAddress();
            for (Entry c : g.length == 4 ? v4 : v6) {
                boolean in = g.length == 4 ? c.matchesV4(IpAddresses.v4(g)) : c.matchesV6(IpAddresses.v6hi(g), IpAddresses.v6lo(g));
                if (c.connected && in && (via == null || c.length > via.length)) {
                    via = c;
                }
            }
            if (via != null) { // a gateway off every connected prefix makes the route unusable, as in Routing
                (s.destination.isIpv4() ? v4 : v6).add(new Entry(s.destination, via.nif, s.gateway, via.route.source(), false));
            }
        }
        Comparator<Entry> longestFirst = Comparator.comparingInt((Entry e) -> e.length).reversed()
                .thenComparing(e -> !e.connected);
        v4.sort(longestFirst);
        v6.sort(longestFirst);
        int[] la = new int[l4.size()];
        for (int i = 0; i < la.length; i++) {
            la[i] = l4.get(i);
        }
        long[] l6a = new long[l6.size()];
        for (int i = 0; i < l6a.length; i++) {
            l6a[i] = l6.get(i);
        }
        int maxIndex = -1;
        for (NetInterface nif : interfaces) {
            maxIndex = Math.max(maxIndex, nif.index);
        }
        NetInterface[] byIndex = new NetInterface[maxIndex + 1];
        for (NetInterface nif : interfaces) {
            byIndex[nif.index] = nif;
        }
        return new ForwardingTable(generation, byIndex, v4.toArray(new Entry[0]), v6.toArray(new Entry[0]), la,
                l4If.toArray(new NetInterface[0]), l6a, l6If.toArray(new NetInterface[0]));
    }

    /** The interface named {@code name}, or null. */
    NetInterface byName(String name) {
        return byName.get(name);
    }

    /** The interface with table index {@code index} (a frame's input port), or null. */
    NetInterface byIndex(int index) {
        return index >= 0 && index < byIndex.length ? byIndex[index] : null;
    }

    /** The longest-prefix route to IPv4 {@code dst}, or null. */
    Entry lookupV4(int dst) {
        for (Entry e : v4) {
            if (e.matchesV4(dst)) {
                return e;
            }
        }
        return null;
    }

    Entry lookupV6(long hi, long lo) {
        for (Entry e : v6) {
            if (e.matchesV6(hi, lo)) {
                return e;
            }
        }
        return null;
    }

    /** The interface holding IPv4 address {@code addr}, or null if it is not one of the stack's. */
    NetInterface localV4(int addr) {
        for (int i = 0; i < localV4.length; i++) {
            if (localV4[i] == addr) {
                return localV4If[i];
            }
        }
        return null;
    }

    NetInterface localV6(long hi, long lo) {
        for (int i = 0; i < localV6If.length; i++) {
            if (localV6[2 * i] == hi && localV6[2 * i + 1] == lo) {
                return localV6If[i];
            }
        }
        return null;
    }

    /** True if IPv4 {@code addr} is the broadcast address of a connected prefix (RFC 919, RFC 1812 §5.3.5.2). */
    boolean directedBroadcastV4(int addr) {
        long a = addr & 0xFFFF_FFFFL;
        for (Entry e : v4) {
            if (e.connected && e.length < 31 && e.matchesV4(addr) && (a | e.maskLo) == 0xFFFF_FFFFL) {
                return true;
            }
        }
        return false;
    }
}
