package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.router.Autoconfiguration;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code rtsol} and {@code net.inet6.ip6.accept_rtadv}: the host side of
 * router discovery (RFC 4861 §6.3) and stateless address autoconfiguration
 * (RFC 4862 §5.5). A valid advertisement (§6.1.2: from a link-local address,
 * hop limit 255, code 0, options well formed) received on an accepting
 * interface configures, for each prefix information option with the
 * autonomous flag and a /64 (the interface identifier is the modified EUI-64
 * of the MAC, 64 bits), the address prefix + identifier, and removes it when
 * its valid lifetime ends (updates follow the two-hour rule of §5.5.3 e); a
 * router lifetime above zero installs a default route through the router,
 * removed when the lifetime ends or a later advertisement says 0. Addresses
 * and routes go in through the stack's own operations, as an operator's
 * {@code ifconfig} and {@code route add}.
 *
 * <p>Not done: duplicate address detection (the stack announces its
 * addresses with unsolicited advertisements instead, as for configured
 * ones), the MTU option (interface MTUs are the driver's), and, because
 * static routes have no interface scope, a default route through a
 * link-local router on any interface but the first with a link-local prefix
 * (logged, not installed).
 */
final class Autoconfig implements Autoconfiguration {

    private static final System.Logger LOG = System.getLogger("io.pktstack.core");
    /** RFC 4861 §10: MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL. */
    static final int SOLICITATIONS = 3;
    static final long SOLICITATION_INTERVAL_S = 4;
    static final long TWO_HOURS_S = 7200;
    static final long ALL_ROUTERS_MAC = 0x3333_0000_0002L;
    static final InterfaceAddress DEFAULT6 = InterfaceAddress.parse("::/0");
    private static final int OPT_PREFIX = 3;

    volatile boolean acceptAll;
    /**
     * Addresses autoconfigured per interface at most (sysctl
     * net.inet6.ip6.maxifprefixes, FreeBSD's name and default): a peer's
     * advertisements can carry any number of prefixes, and each would
     * otherwise give the interface another address for as long as the peer
     * says. Prefixes beyond it are ignored and counted.
     */
    volatile int maxPrefixes = DEFAULT_MAX_PREFIXES;
    static final int DEFAULT_MAX_PREFIXES = 16;
    private final IpOutput out;
    private final StackTimer timer;
    private final ProtocolCounters stats;
    private final Function<String, NetInterface> interfaces;
    private final Supplier<List<NetInterface>> all;
    private final NetworkStack stack;
    private final Supplier<PathContext> contexts;
    private final BooleanSupplier forwarding;
    private final Map<String, Soliciting> soliciting = new HashMap<>();
    private final TreeSet<String> accepting = new TreeSet<>();
    /** Addresses this configured, by interface name and address. */
    private final Map<String, Lease> addresses = new HashMap<>();
    /** The default route this installed, or null. */
    private Lease router;

    /** Something configured with an end: an address, or the default route; its timer removes it. */
    private final class Lease extends StackTimer.Task {
        final String ifName;
        final InterfaceAddress address;
        final InetAddress gateway;
        long expires;

        Lease(String ifName, InterfaceAddress address, InetAddress gateway) {
            this.ifName = ifName;
            this.address = address;
            this.gateway = gateway;
        }

        @Override
        protected void run(long now) {
            synchronized (Autoconfig.this) {
                if (now - expires < 0) {
                    return;
                }
                if (gateway != null) {
                    if (router == this) {
                        removeRoute();
                    }
                } else if (addresses.remove(key(ifName, address)) == this) {
                    LOG.log(System.Logger.Level.INFO, "autoconf: {0}: {1} expired", ifName, address);
                    try {
                        stack.removeAddress(ifName, address);
                    } catch (IllegalArgumentException e) {
                        LOG.log(System.Logger.Level.WARNING, "autoconf: {0}: {1}", ifName, e.getMessage());
                    }
                }
            }
        }
    }

    /** Solicitations still to send on one interface. */
    private final class Soliciting extends StackTimer.Task {
        final String ifName;
        int left = SOLICITATIONS;

        Soliciting(String ifName) {
            this.ifName = ifName;
        }

        @Override
        protected void run(long now) {
            synchronized (Autoconfig.this) {
                if (soliciting.get(ifName) != this || left == 0) {
                    return;
                }
                left--;
                if (left > 0) {
                    timer.schedule(this, TimeUnit.SECONDS.toNanos(SOLICITATION_INTERVAL_S));
                } else {
                    soliciting.remove(ifName);
                }
            }
            NetInterface nif = interfaces.apply(ifName);
            if (nif != null) {
                PathContext ctx = contexts.get();
                solicitOn(nif, ctx);
                ctx.flush();
            }
        }
    }

    Autoconfig(IpOutput out, StackTimer timer, ProtocolCounters stats, Function<String, NetInterface> interfaces,
            Supplier<List<NetInterface>> all, NetworkStack stack, Supplier<PathContext> contexts,
            BooleanSupplier forwarding) {
        this.out = out;
        this.timer = timer;
        this.stats = stats;
        this.interfaces = interfaces;
        this.all = all;
        this.stack = stack;
        this.contexts = contexts;
        this.forwarding = forwarding;
    }

    @Override
    public synchronized void solicit(String ifName) {
        NetInterface nif = interfaces.apply(ifName);
        if (nif == null) {
            throw new IllegalArgumentException("rtsol: no interface '" + ifName + "'");
        }
        if (nif.mac == null || nif.memberOf != null) {
            throw new IllegalArgumentException("rtsol: " + ifName + " is " + (nif.mac == null
                    ? "not an Ethernet interface" : "a member of " + nif.memberOf.name() + " (solicit on the bridge)"));
        }
        if (forwarding.getAsBoolean()) {
            throw new IllegalArgumentException("rtsol: the stack forwards IPv6 (net.inet6.ip6.forwarding=1): "
                    + "a router does not take its configuration from advertisements");
        }
        accepting.add(ifName);
        Soliciting s = new Soliciting(ifName);
        Soliciting old = soliciting.put(ifName, s);
        if (old != null) {
            timer.cancel(old);
        }
        timer.schedule(s, 0);
    }

    @Override
    public synchronized List<String> interfaces() {
        if (acceptAll) {
            List<String> names = new ArrayList<>();
            for (NetInterface n : all.get()) {
                if (n.mac != null && n.memberOf == null) {
                    names.add(n.name);
                }
            }
            return names;
        }
        return List.copyOf(accepting);
    }

    private boolean accepts(NetInterface l3) {
        return !forwarding.getAsBoolean() && (acceptAll || accepting.contains(l3.name));
    }

    /** Sends one solicitation to all routers, from the link-local address with the MAC (RFC 4861 §4.1, §6.3.7). */
    private void solicitOn(NetInterface nif, PathContext ctx) {
        long[] src = linkLocal(nif);
        int len = 8 + (src == null ? 0 : Icmpv6Packet.LINK_ADDR_OPTION_LEN);
        Frame f = out.take(nif);
        if (f == null) {
            return;
        }
        EthernetFrame eth = out.ethernet(ctx, f, nif, EtherType.IPV6, Ipv6Packet.HEADER_LEN + len);
        eth.setDstMac(ALL_ROUTERS_MAC);
        Ipv6Packet ip = out.ipv6Header(ctx, f, src == null ? 0 : src[0], src == null ? 0 : src[1],
                NeighborDiscovery.ALL_NODES_HI, RouterAdvertiser.ALL_ROUTERS_LO, len, IpProtocol.ICMPV6,
                NeighborDiscovery.ND_HOP_LIMIT);
        Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), ip.payloadOffset(), len);
        icmp.setType(Icmpv6Packet.TYPE_ROUTER_SOLICITATION);
        icmp.setCode(0);
        icmp.setRestOfHeader(0);
        if (src != null) { // §4.1: no source link-layer option from the unspecified address
            icmp.setLinkLayerAddressOption(8, Icmpv6Packet.OPT_SOURCE_LINK_ADDR, nif.mac.bits());
        }
        icmp.fillChecksum(ip);
        stats.count(Stat.ICMP6_RS_OUT);
        stats.count(Stat.IP6_SENT);
        out.sendDirect(nif, f, ctx);
    }

    /**
     * A router advertisement arrived on {@code l3} (wrapped in the thread's
     * views, checksum verified, options checked by the view).
     */
    void advertisement(NetInterface l3, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        stats.count(Stat.ICMP6_RA_IN);
        if (!accepts(l3)) {
            return;
        }
        long shi = ip.srcHi();
        long slo = ip.srcLo();
        if ((shi & 0xffc0_0000_0000_0000L) != 0xfe80_0000_0000_0000L || ip.hopLimit() != NeighborDiscovery.ND_HOP_LIMIT
                || icmp.code() != 0 || icmp.length() < 16) {
            stats.count(Stat.ICMP6_BAD_ND); // RFC 4861 §6.1.2
            l3.drop(DropReason.MALFORMED, 1);
            return;
        }
        MemorySegment s = icmp.segment();
        long at = icmp.offset();
        int len = icmp.length();
        int routerLifetime = Be.u16(s, at + 6);
        long now = timer.now();
        List<long[]> prefixes = new ArrayList<>();
        for (int o = 16; o + 2 <= len; ) {
            int type = Be.u8(s, at + o);
            int olen = Be.u8(s, at + o + 1) * 8; // checked by the view: non-zero and inside the message
            if (type == OPT_PREFIX && olen == 32) {
                int plen = Be.u8(s, at + o + 2);
                int flags = Be.u8(s, at + o + 3);
                long valid = Be.i32(s, at + o + 4) & 0xFFFF_FFFFL;
                long preferred = Be.i32(s, at + o + 8) & 0xFFFF_FFFFL;
                long phi = Be.i64(s, at + o + 16);
                boolean linkLocalPrefix = (phi & 0xffc0_0000_0000_0000L) == 0xfe80_0000_0000_0000L;
                // RFC 4862 §5.5.3: autonomous, not link-local, preferred <= valid, and a /64 for our identifier.
                if ((flags & 0x40) != 0 && !linkLocalPrefix && preferred <= valid && plen == 64) {
                    prefixes.add(new long[] {phi, valid});
                }
            }
            o += olen;
        }
        synchronized (this) {
            Soliciting sol = soliciting.remove(l3.name);
            if (sol != null) {
                timer.cancel(sol);
            }
            for (long[] p : prefixes) {
                address(l3, p[0], p[1], now);
            }
            defaultRouter(l3, IpAddresses.fromV6(shi, slo), routerLifetime, now);
        }
    }

    private void address(NetInterface l3, long prefixHi, long valid, long now) {
        InterfaceAddress a = new InterfaceAddress(IpAddresses.fromV6(prefixHi, IpAddresses.eui64(l3.mac)), 64);
        String key = key(l3.name, a);
        Lease l = addresses.get(key);
        if (l == null) {
            if (valid == 0) {
                return;
            }
            if (addressesOf(l3.name) >= maxPrefixes) {
                stats.count(Stat.ICMP6_PREFIX_LIMIT);
                return;
            }
            l = new Lease(l3.name, a, null);
            try {
                stack.addAddress(l3.name, a);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "autoconf: {0}: {1}", l3.name, e.getMessage());
                return;
            }
            LOG.log(System.Logger.Level.INFO, "autoconf: {0}: {1}", l3.name, a);
            addresses.put(key, l);
            expire(l, now, valid);
            return;
        }
        long remaining = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(l.expires - now));
        // RFC 4862 §5.5.3 e: an unauthenticated advertisement shortens a lease to no less than two hours.
        if (valid > TWO_HOURS_S || valid > remaining) {
            expire(l, now, valid);
        } else if (remaining > TWO_HOURS_S) {
            expire(l, now, TWO_HOURS_S);
        }
    }

    private int addressesOf(String ifName) {
        int n = 0;
        for (Lease l : addresses.values()) {
            n += l.ifName.equals(ifName) ? 1 : 0;
        }
        return n;
    }

    private void expire(Lease l, long now, long seconds) {
        l.expires = now + TimeUnit.SECONDS.toNanos(seconds);
        timer.scheduleAt(l, l.expires);
    }

    private void defaultRouter(NetInterface l3, InetAddress from, int lifetime, long now) {
        if (router != null && router.gateway.equals(from)) {
            if (lifetime == 0) {
                removeRoute(); // RFC 4861 §6.3.4: a lifetime of zero, no longer a default router
            } else {
                expire(router, now, lifetime);
            }
            return;
        }
        if (lifetime == 0 || router != null) {
            return; // one default router is enough: the first that advertised
        }
        NetInterface first = firstLinkLocal();
        if (first != l3) {
            LOG.log(System.Logger.Level.WARNING, "autoconf: {0}: default router {1} not installed: link-local next "
                    + "hops are reached through {2}", l3.name, from.getHostAddress(), first == null ? "-" : first.name);
            return;
        }
        try {
            stack.addRoute(DEFAULT6, from);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "autoconf: {0}: default route not added: {1}", l3.name, e.getMessage());
            return;
        }
        router = new Lease(l3.name, DEFAULT6, from);
        expire(router, now, lifetime);
    }

    private void removeRoute() {
        Lease r = router;
        router = null;
        timer.cancel(r);
        try {
            stack.deleteRoute(DEFAULT6);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "autoconf: {0}", e.getMessage());
        }
    }

    /** The interface static routes reach fe80::/64 through: the first with a link-local address that is up. */
    private NetInterface firstLinkLocal() {
        for (NetInterface n : all.get()) {
            if (n.up && n.kind != NetInterface.Kind.LOOPBACK && linkLocal(n) != null) {
                return n;
            }
        }
        return null;
    }

    private static String key(String ifName, InterfaceAddress a) {
        return ifName + " " + a;
    }

    private static long[] linkLocal(NetInterface nif) {
        for (InterfaceAddress a : nif.addresses) {
            if (!a.isIpv4() && a.address().isLinkLocalAddress()) {
                byte[] b = a.address().getAddress();
                return new long[] {IpAddresses.v6hi(b), IpAddresses.v6lo(b)};
            }
        }
        return null;
    }

    synchronized void close() {
        soliciting.values().forEach(timer::cancel);
        addresses.values().forEach(timer::cancel);
        if (router != null) {
            timer.cancel(router);
        }
    }
}
