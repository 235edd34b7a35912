package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.router.RouterAdvertisements;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The router side of IPv6 neighbour discovery, as BSD's {@code rtadvd}:
 * on the interfaces it is switched on for, router advertisements (RFC 4861
 * §4.2, §6.2) go to all nodes a few times after start, then every 198 to 600
 * seconds, and in answer to router solicitations (at most one per three
 * seconds, §6.2.6). Each carries the source link-layer address, the link MTU,
 * and a prefix information option for every non-link-local prefix of the
 * interface (on-link; autonomous when it is a /64), so hosts on the link
 * configure addresses by SLAAC (RFC 4862) and take the host as their
 * default router while it forwards ({@code net.inet6.ip6.forwarding=1};
 * otherwise the router lifetime is 0, §6.2.3). Switching an interface off
 * sends a last advertisement with lifetime 0 (§6.2.5).
 */
final class RouterAdvertiser implements RouterAdvertisements {

    static final long ALL_ROUTERS_LO = 2L;
    static final long ALL_NODES_MAC = 0x3333_0000_0001L;
    // RFC 4861 §6.2.1 and §10 defaults.
    static final long MAX_INTERVAL_S = 600;
    static final long MIN_INTERVAL_S = 198;
    static final int INITIAL_ADVERTISEMENTS = 3;
    static final long INITIAL_INTERVAL_S = 4; // at most MAX_INITIAL_RTR_ADVERT_INTERVAL (16 s)
    static final long MIN_DELAY_BETWEEN_RAS_NANOS = TimeUnit.SECONDS.toNanos(3);
    static final int ROUTER_LIFETIME_S = 1800;
    static final long VALID_LIFETIME_S = 2_592_000;
    static final long PREFERRED_LIFETIME_S = 604_800;
    private static final int OPT_PREFIX = 3;
    private static final int OPT_MTU = 5;
    private static final int RA_FIXED = 16;
    private static final int PREFIX_OPTION_LEN = 32;

    private final IpOutput out;
    private final StackTimer timer;
    private final ProtocolCounters stats;
    private final Supplier<List<NetInterface>> interfaces;
    private final Supplier<PathContext> contexts;
    private final BooleanSupplier forwarding;
    private NeighborCache ndp;
    /** Interfaces advertising, by name; copied on change, read without a lock by the input path. */
    private volatile Map<String, Advertising> on = Map.of();

    /** The timer of one advertising interface. */
    private final class Advertising extends StackTimer.Task {
        final String ifName;
        int sent;
        long lastSent = Long.MIN_VALUE;

        Advertising(String ifName) {
            this.ifName = ifName;
        }

        @Override
        protected void run(long now) {
            NetInterface nif = find(ifName);
            if (nif != null) {
                PathContext ctx = contexts.get();
                advertise(this, nif, false, ctx);
                ctx.flush();
            }
            long next = sent < INITIAL_ADVERTISEMENTS ? INITIAL_INTERVAL_S
                    : ThreadLocalRandom.current().nextLong(MIN_INTERVAL_S, MAX_INTERVAL_S + 1);
            timer.schedule(this, TimeUnit.SECONDS.toNanos(next));
        }
    }

    RouterAdvertiser(IpOutput out, StackTimer timer, ProtocolCounters stats, Supplier<List<NetInterface>> interfaces,
            Supplier<PathContext> contexts, BooleanSupplier forwarding) {
        this.out = out;
        this.timer = timer;
        this.stats = stats;
        this.interfaces = interfaces;
        this.contexts = contexts;
        this.forwarding = forwarding;
    }

    void cache(NeighborCache ndp) {
        this.ndp = ndp;
    }

    /** Whether {@code l3} sends advertisements (and so listens to all-routers). */
    boolean advertises(NetInterface l3) {
        return on.containsKey(l3.name);
    }

    /** Switches advertisements on for an interface; the first goes out at once. */
    @Override
    public synchronized void start(String ifName) {
        NetInterface nif = find(ifName);
        if (nif == null) {
            throw new IllegalArgumentException("rtadvd: no interface '" + ifName + "'");
        }
        if (nif.mac == null || nif.memberOf != null) {
            throw new IllegalArgumentException("rtadvd: " + ifName + " is "
                    + (nif.mac == null ? "not an Ethernet interface" : "a member of " + nif.memberOf.name()
                    + " (advertise on the bridge)"));
        }
        if (on.containsKey(ifName)) {
            return;
        }
        Advertising a = new Advertising(ifName);
        Map<String, Advertising> m = new TreeMap<>(on);
        m.put(ifName, a);
        on = Map.copyOf(m);
        timer.schedule(a, 0);
    }

    /** Switches advertisements off, with a last one saying the host is no longer a router (RFC 4861 §6.2.5). */
    @Override
    public synchronized void stop(String ifName) {
        Advertising a = on.get(ifName);
        if (a == null) {
            throw new IllegalArgumentException("rtadvd: not advertising on " + ifName);
        }
        Map<String, Advertising> m = new TreeMap<>(on);
        m.remove(ifName);
        on = Map.copyOf(m);
        timer.cancel(a);
        NetInterface nif = find(ifName);
        if (nif != null) {
            PathContext ctx = contexts.get();
            advertise(a, nif, true, ctx);
            ctx.flush();
        }
    }

    /** The interfaces advertising, sorted by name. */
    @Override
    public List<String> interfaces() {
        return new ArrayList<>(new TreeMap<>(on).keySet());
    }

    /** Stops every timer (the stack is stopping); no last advertisement. */
    synchronized void close() {
        for (Advertising a : on.values()) {
            timer.cancel(a);
        }
        on = Map.of();
    }

    /**
     * A router solicitation arrived (wrapped in {@code ctx.ip6}/{@code icmp6},
     * checksum verified). Validated as RFC 4861 §6.1.1 asks, its sender learned
     * (§6.2.6), and answered by a multicast advertisement now, or three
     * seconds after the last one if that was sooner.
     */
    void solicitation(NetInterface l3, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        stats.count(Stat.ICMP6_RS_IN);
        boolean unspecified = ip.srcHi() == 0 && ip.srcLo() == 0;
        long sll = icmp.sourceLinkLayerAddress();
        if (ip.hopLimit() != NeighborDiscovery.ND_HOP_LIMIT || icmp.code() != 0 || icmp.length() < 8
                || (unspecified && sll >= 0)) {
            stats.count(Stat.ICMP6_BAD_ND);
            l3.drop(DropReason.MALFORMED, 1);
            return;
        }
        Advertising a = on.get(l3.name);
        if (a == null) {
            return;
        }
        if (!unspecified && sll >= 0 && (sll & 0x01_0000_0000_00L) == 0) {
            ndp.refresh(IpAddresses.fromV6(ip.srcHi(), ip.srcLo()), new MacAddress(sll), l3.name, ctx);
        }
        long now = timer.now();
        synchronized (this) {
            if (a.lastSent != Long.MIN_VALUE && now - a.lastSent < MIN_DELAY_BETWEEN_RAS_NANOS) {
                if (!timer.isScheduled(a) || a.deadline() - (a.lastSent + MIN_DELAY_BETWEEN_RAS_NANOS) > 0) {
                    timer.scheduleAt(a, a.lastSent + MIN_DELAY_BETWEEN_RAS_NANOS);
                }
                return;
            }
        }
        advertise(a, l3, false, ctx);
    }

    private void advertise(Advertising a, NetInterface nif, boolean last, PathContext ctx) {
        long[] ll = linkLocal(nif);
        if (ll == null || !nif.up) {
            return;
        }
        List<InterfaceAddress> prefixes = new ArrayList<>();
        for (NetInterface n : nif.segment()) {
            for (InterfaceAddress p : n.addresses) {
                if (!p.isIpv4() && !p.address().isLinkLocalAddress() && p.prefixLength() < 128) {
                    prefixes.add(StaticRoutes.network(p));
                }
            }
        }
        int len = RA_FIXED + Icmpv6Packet.LINK_ADDR_OPTION_LEN + 8 + PREFIX_OPTION_LEN * prefixes.size();
        Frame f = out.take(nif);
        if (f == null) {
            return;
        }
        if (EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + len > f.capacity() - f.offset()) {
            f.release(); // more prefixes than a frame holds: not a configuration anyone runs
            return;
        }
        EthernetFrame eth = out.ethernet(ctx, f, nif, EtherType.IPV6, Ipv6Packet.HEADER_LEN + len);
        eth.setDstMac(ALL_NODES_MAC);
        Ipv6Packet ip = out.ipv6Header(ctx, f, ll[0], ll[1], NeighborDiscovery.ALL_NODES_HI,
                NeighborDiscovery.ALL_NODES_LO, len, IpProtocol.ICMPV6, NeighborDiscovery.ND_HOP_LIMIT);
        MemorySegment s = f.segment();
        long at = ip.payloadOffset();
        Be.u8(s, at, Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
        Be.u8(s, at + 1, 0);
        Be.u16(s, at + 2, 0);
        Be.u8(s, at + 4, out.hopLimit); // Cur Hop Limit
        Be.u8(s, at + 5, 0); // M and O clear: addresses by SLAAC, no DHCPv6
        Be.u16(s, at + 6, last || !forwarding.getAsBoolean() ? 0 : ROUTER_LIFETIME_S);
        Be.i32(s, at + 8, 0); // Reachable Time: unspecified
        Be.i32(s, at + 12, 0); // Retrans Timer: unspecified
        long o = at + RA_FIXED;
        Be.u8(s, o, Icmpv6Packet.OPT_SOURCE_LINK_ADDR);
        Be.u8(s, o + 1, 1);
        Be.mac(s, o + 2, nif.mac.bits());
        o += Icmpv6Packet.LINK_ADDR_OPTION_LEN;
        Be.u8(s, o, OPT_MTU); // RFC 4861 §4.6.4
        Be.u8(s, o + 1, 1);
        Be.u16(s, o + 2, 0);
        Be.i32(s, o + 4, nif.mtu - EthernetFrame.HEADER_LEN);
        o += 8;
        for (InterfaceAddress p : prefixes) { // RFC 4861 §4.6.2
            Be.u8(s, o, OPT_PREFIX);
            Be.u8(s, o + 1, PREFIX_OPTION_LEN / 8);
            Be.u8(s, o + 2, p.prefixLength());
            Be.u8(s, o + 3, 0x80 | (p.prefixLength() == 64 ? 0x40 : 0)); // L, and A for SLAAC's /64
            Be.i32(s, o + 4, (int) VALID_LIFETIME_S);
            Be.i32(s, o + 8, (int) PREFERRED_LIFETIME_S);
            Be.i32(s, o + 12, 0);
            byte[] b = p.address().getAddress();
            Be.i64(s, o + 16, IpAddresses.v6hi(b));
            Be.i64(s, o + 24, IpAddresses.v6lo(b));
            o += PREFIX_OPTION_LEN;
        }
        ctx.icmp6.wrap(s, at, len).fillChecksum(ip);
        synchronized (this) {
            a.sent++;
            a.lastSent = timer.now();
        }
        stats.count(Stat.ICMP6_RA_OUT);
        stats.count(Stat.IP6_SENT);
        out.sendDirect(nif, f, ctx);
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

    private NetInterface find(String name) {
        for (NetInterface n : interfaces.get()) {
            if (n.name.equals(name)) {
                return n;
            }
        }
        return null;
    }
}
