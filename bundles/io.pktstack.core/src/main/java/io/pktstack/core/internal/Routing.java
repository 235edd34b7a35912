package io.pktstack.core.internal;

import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.RouteEntry;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Where the stack's own traffic goes: the longest matching prefix among the
 * connected prefixes (interface addresses) and the static routes. A static
 * route's gateway must itself lie in a connected prefix; its MAC is what the
 * frame is sent to.
 *
 * <p>{@link #generation()} changes whenever an answer could change (an
 * address, a route, an interface's state), so a holder of a route (a TCP
 * connection) looks it up again only then.
 */
final class Routing {

    /**
     * Where to send to a destination: the layer-3 interface, our address in its
     * connected prefix, and the gateway, or null when the destination is on the link.
     */
    record Route(NetInterface nif, InterfaceAddress source, InetAddress gateway) {

        Route(NetInterface nif, InterfaceAddress source) {
            this(nif, source, null);
        }

        /** Whom to resolve and send the frame to: the gateway, or the destination itself. */
        InetAddress nextHop(InetAddress dst) {
            return gateway != null ? gateway : dst;
        }

        /** The largest IP packet the interface carries (its MTU less the Ethernet header). */
        int ipMtu() {
            return nif.mtu - EthernetFrame.HEADER_LEN;
        }
    }

    final StaticRoutes staticRoutes = new StaticRoutes();
    private final Supplier<List<NetInterface>> interfaces;
    private final ProtocolCounters stats;
    /** Packets sent by each connected prefix (control path: ping and UDP originate, not the data path). */
    private final ConcurrentHashMap<InterfaceAddress, LongAdder> connectedUse = new ConcurrentHashMap<>();
    private volatile long generation;

    Routing(Supplier<List<NetInterface>> interfaces, ProtocolCounters stats) {
        this.interfaces = interfaces;
        this.stats = stats;
    }

    /** Changes whenever a route lookup could answer differently than before. */
    long generation() {
        return generation;
    }

    /** Called on every change to addresses, routes and interface state. */
    synchronized void changed() {
        generation++;
    }

    /**
     * The route to {@code dst}, by longest prefix among the connected prefixes
     * and the static routes (a connected prefix wins a tie). A static route
     * whose gateway is not on a connected prefix of an interface that is up is
     * skipped, and a shorter one tried.
     *
     * @throws IllegalArgumentException if nothing matches ("no route to host")
     */
    Route route(InetAddress dst) {
        Route r = lookup(dst);
        if (r == null) {
            stats.count(dst instanceof Inet4Address ? Stat.IP_NO_ROUTE : Stat.IP6_NO_ROUTE);
            throw new IllegalArgumentException("no route to " + dst.getHostAddress()
                    + " (no interface address in its prefix and no static route)");
        }
        return r;
    }

    /** {@link #route}, or null where it would fail; counts the use of the route found. */
    Route lookup(InetAddress dst) {
        Route connected = connectedRoute(dst);
        byte[] d = dst.getAddress();
        int connectedLen = connected == null ? -1 : connected.source.prefixLength();
        for (StaticRoutes.Entry e : staticRoutes.all()) {
            if (e.destination.prefixLength() <= connectedLen) {
                break; // sorted longest first: the connected prefix is the longest match
            }
            if (StaticRoutes.contains(e.destination, d)) {
                Route via = connectedRoute(e.gateway);
                if (via != null) {
                    e.use.increment();
                    return new Route(via.nif, sourceFor(dst, via), e.gateway);
                }
            }
        }
        if (connected != null) {
            connectedUse.computeIfAbsent(connected.source, k -> new LongAdder()).increment();
        }
        return connected;
    }

    /**
     * The source address for {@code dst} through a gateway reached by
     * {@code via}: the address the gateway's prefix gave, unless that is
     * link-local (a router learned from an advertisement) and {@code dst} is
     * not, then a global address of the same interface (RFC 6724 §5, rule 2:
     * a source of the destination's scope).
     */
    private static InterfaceAddress sourceFor(InetAddress dst, Route via) {
        InterfaceAddress s = via.source;
        if (s.isIpv4() || !s.address().isLinkLocalAddress() || dst.isLinkLocalAddress()) {
            return s;
        }
        for (NetInterface n : via.nif.segment()) {
            for (InterfaceAddress a : n.addresses) {
                if (!a.isIpv4() && !a.address().isLinkLocalAddress() && !a.address().isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return s;
    }

    /** The connected prefix holding {@code dst} on an interface that is up, longest first; null if none. */
    Route connectedRoute(InetAddress dst) {
        byte[] d = dst.getAddress();
        boolean v4 = dst instanceof Inet4Address;
        Route best = null;
        for (NetInterface nif : interfaces.get()) {
            if (!nif.up || nif.kind == NetInterface.Kind.LOOPBACK) {
                continue;
            }
            for (InterfaceAddress a : nif.addresses) {
                if (a.isIpv4() != v4) {
                    continue;
                }
                if (StaticRoutes.contains(a, d) && (best == null || a.prefixLength() > best.source.prefixLength())) {
                    best = new Route(nif, a);
                }
            }
        }
        return best;
    }

    /** Adds a static route; its gateway must be on a connected prefix now. Families first, so a mismatch is named as one. */
    void addRoute(InterfaceAddress destination, InetAddress gateway) {
        StaticRoutes.requireSameFamily(destination, gateway);
        if (connectedRoute(gateway) == null) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress()
                    + " is not on a connected network (no interface that is up has an address in its prefix)");
        }
        staticRoutes.add(destination, gateway);
        changed();
    }

    void deleteRoute(InterfaceAddress destination) {
        staticRoutes.delete(destination);
        changed();
    }

    /**
     * The routing table as {@code netstat -r} shows it: a connected route per
     * interface address (the loopback's included), then the static routes,
     * longest prefix first.
     */
    List<RouteEntry> routes() {
        List<RouteEntry> out = new ArrayList<>();
        for (NetInterface nif : interfaces.get()) {
            for (InterfaceAddress a : nif.addresses) {
                EnumSet<RouteEntry.Flag> flags = EnumSet.of(RouteEntry.Flag.CONNECTED);
                if (nif.up) {
                    flags.add(RouteEntry.Flag.UP);
                }
                LongAdder use = connectedUse.get(a);
                out.add(entry(StaticRoutes.network(a), null, nif, flags, use == null ? 0 : use.sum()));
            }
        }
        for (StaticRoutes.Entry e : staticRoutes.all()) {
            Route via = connectedRoute(e.gateway);
            EnumSet<RouteEntry.Flag> flags = EnumSet.of(RouteEntry.Flag.GATEWAY, RouteEntry.Flag.STATIC);
            if (via != null) {
                flags.add(RouteEntry.Flag.UP);
            }
            out.add(entry(e.destination, e.gateway, via == null ? null : via.nif, flags, e.use.sum()));
        }
        return out;
    }

    /** A row of the table: HOST for a /32 or /128, the IP MTU of the interface (0 and "-" when there is none). */
    private static RouteEntry entry(InterfaceAddress dest, InetAddress gateway, NetInterface nif,
            EnumSet<RouteEntry.Flag> flags, long use) {
        if (dest.prefixLength() == (dest.isIpv4() ? 32 : 128)) {
            flags.add(RouteEntry.Flag.HOST);
        }
        int ipMtu = nif == null ? 0 : nif.mac == null ? nif.mtu : nif.mtu - EthernetFrame.HEADER_LEN;
        return new RouteEntry(dest, gateway, nif == null ? "-" : nif.name, flags, use, ipMtu);
    }
}
