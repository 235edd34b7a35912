package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NeighborEntry;
import io.pktstack.api.stack.PingResult;
import io.pktstack.api.stack.RouteEntry;
import io.pktstack.api.stack.UdpSocket;
import io.pktstack.api.wire.ArpPacket;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.api.wire.UdpDatagram;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Layer 3 for frames addressed to the stack: ARP (RFC 826), IPv4 (RFC 791)
 * with ICMP echo (RFC 792), IPv6 (RFC 8200) with neighbour discovery
 * (RFC 4861) and ICMPv6 echo (RFC 4443), and UDP (RFC 768) delivery to
 * sockets. Requests are answered in place, in the frame that brought them,
 * so answering allocates nothing.
 *
 * <p>The stack's own traffic (ping, UDP, ARP and ND for it) is routed by the
 * longest matching prefix among the connected prefixes (interface addresses)
 * and the static routes; a static route's gateway must itself lie in a
 * connected prefix, and its MAC is what the frame is sent to. The stack does
 * not forward other hosts' packets between interfaces (a bridge does that at
 * layer 2).
 *
 * <p>Every packet in or out is counted in {@link ProtocolCounters} ({@code netstat -s}).
 */
final class IpLayer implements Forwarder.L3Input {

    static final int DEFAULT_TTL = 64;
    /** RFC 4861 §7.1: ND messages are sent, and must arrive, with hop limit 255. */
    static final int ND_HOP_LIMIT = 255;
    private static final long ALL_NODES_HI = 0xff02_0000_0000_0000L;
    private static final long ALL_NODES_LO = 1L;

    private final FramePool pool;
    private final Forwarder forwarder;
    private final LongSupplier clock;
    private final Supplier<List<NetInterface>> interfaces;
    final NeighborCache arp;
    final NeighborCache ndp;
    private final ConcurrentHashMap<Long, PingWaiter> pings = new ConcurrentHashMap<>();
    final UdpSockets udp;
    final StaticRoutes staticRoutes = new StaticRoutes();
    final ProtocolCounters stats = new ProtocolCounters();
    /** Packets sent by each connected prefix (control path: ping and UDP originate, not the data path). */
    private final ConcurrentHashMap<InterfaceAddress, LongAdder> connectedUse =
            new ConcurrentHashMap<>();
    /** TTL of IPv4 packets the stack originates or answers with (sysctl net.inet.ip.ttl). */
    volatile int ttl = DEFAULT_TTL;
    /** Hop limit of IPv6 packets the stack originates or answers with (sysctl net.inet6.ip6.hlim). */
    volatile int hopLimit = DEFAULT_TTL;
    private final int echoIdentifier = (int) (System.nanoTime() & 0xFFFF);

    IpLayer(FramePool pool, Forwarder forwarder, LongSupplier clock, Supplier<List<NetInterface>> interfaces) {
        this.pool = pool;
        this.forwarder = forwarder;
        this.clock = clock;
        this.interfaces = interfaces;
        this.arp = new NeighborCache(clock);
        this.ndp = new NeighborCache(clock);
        this.udp = new UdpSockets(this);
    }

    /** fe80::/64 with the modified EUI-64 identifier of {@code mac} (RFC 4862 §5.3). */
    static InterfaceAddress linkLocal(MacAddress mac) {
        return new InterfaceAddress(IpAddresses.fromV6(0xfe80_0000_0000_0000L, IpAddresses.eui64(mac)), 64);
    }

    // ---- input -----------------------------------------------------------------

    @Override
    public void input(NetInterface l3, FrameBatch batch, PathContext ctx) {
        for (int i = 0; i < batch.size(); i++) {
            Frame f = batch.get(i);
            EthernetFrame eth = ctx.eth;
            if (!eth.wrapChecked(f.segment(), f.offset(), f.length())) {
                drop(l3, f, DropReason.RUNT);
                continue;
            }
            boolean kept = switch (eth.etherType()) {
                case EtherType.ARP -> arpInput(l3, f, ctx);
                case EtherType.IPV4 -> ipv4Input(l3, f, ctx);
                case EtherType.IPV6 -> ipv6Input(l3, f, ctx);
                default -> {
                    l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
                    yield false;
                }
            };
            if (!kept) {
                f.release();
            }
        }
        batch.clear();
    }

    private static void drop(NetInterface l3, Frame f, DropReason reason) {
        l3.drop(reason, 1);
        f.release();
    }

    /** The interface of {@code l3}'s segment holding IPv4 address {@code addr}: l3 itself or a bridge member. */
    private static NetInterface ownerV4(NetInterface l3, int addr) {
        for (NetInterface n : l3.segment()) {
            if (n.hasIpv4(addr)) {
                return n;
            }
        }
        return null;
    }

    private static NetInterface ownerV6(NetInterface l3, long hi, long lo) {
        for (NetInterface n : l3.segment()) {
            if (n.hasIpv6(hi, lo)) {
                return n;
            }
        }
        return null;
    }

    private static boolean solicitedNodeOfSegment(NetInterface l3, long hi, long lo) {
        for (NetInterface n : l3.segment()) {
            if (n.hasSolicitedNode(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    /** Returns true if it kept (forwarded or queued) the frame. */
    private boolean arpInput(NetInterface l3, Frame f, PathContext ctx) {
        ArpPacket a = ctx.arp;
        EthernetFrame eth = ctx.eth;
        stats.count(Stat.ARP_RECEIVED);
        if (!a.wrapChecked(f.segment(), eth.payloadOffset(), eth.payloadLength())
                || a.htype() != ArpPacket.HTYPE_ETHERNET || a.ptype() != EtherType.IPV4 || a.hlen() != 6 || a.plen() != 4) {
            stats.count(Stat.ARP_MALFORMED);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        stats.count(a.oper() == ArpPacket.OP_REQUEST ? Stat.ARP_REQUEST_IN : Stat.ARP_REPLY_IN);
        int tpa = a.tpa();
        int spa = a.spa();
        long sha = a.sha();
        NetInterface owner = ownerV4(l3, tpa);
        boolean validSender = spa != 0 && (sha & 0x01_0000_0000_00L) == 0;
        if (validSender) {
            // RFC 826: merge the sender into the table; add it only when the packet is for us.
            if (owner != null) {
                arp.put(IpAddresses.fromV4(spa), new MacAddress(sha), l3.name);
            } else {
                arp.refresh(IpAddresses.fromV4(spa), new MacAddress(sha), l3.name);
            }
        }
        if (owner == null || a.oper() != ArpPacket.OP_REQUEST || !validSender) {
            return false;
        }
        long ours = owner.mac.bits();
        a.setOper(ArpPacket.OP_REPLY);
        a.setTha(sha);
        a.setTpa(spa);
        a.setSha(ours);
        a.setSpa(tpa);
        eth.setDstMac(sha);
        eth.setSrcMac(ours);
        f.length(EthernetFrame.HEADER_LEN + ArpPacket.LENGTH);
        stats.count(Stat.ARP_REPLY_OUT);
        forwarder.output(l3, f, ctx);
        return true;
    }

    private boolean ipv4Input(NetInterface l3, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        EthernetFrame eth = ctx.eth;
        stats.count(Stat.IP_RECEIVED);
        if (!ip.wrapChecked(f.segment(), eth.payloadOffset(), eth.payloadLength())) {
            stats.count(Stat.IP_MALFORMED);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (!ip.verifyChecksum()) {
            stats.count(Stat.IP_BAD_SUM);
            l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        if (ip.isFragment()) {
            stats.count(Stat.IP_FRAGMENTS);
            l3.drop(DropReason.UNKNOWN_PROTOCOL, 1); // no reassembly: nothing we serve needs fragments
            return false;
        }
        NetInterface owner = ownerV4(l3, ip.dstAddr());
        if (owner == null) {
            stats.count(Stat.IP_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        stats.count(Stat.IP_DELIVERED);
        return switch (ip.protocol()) {
            case IpProtocol.ICMP -> icmpInput(l3, owner, f, ctx);
            case IpProtocol.UDP -> udpInputV4(l3, f, ctx);
            default -> {
                stats.count(Stat.IP_NO_PROTO);
                l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
                yield false;
            }
        };
    }

    private boolean icmpInput(NetInterface l3, NetInterface owner, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        IcmpPacket icmp = ctx.icmp;
        int icmpLen = ip.totalLength() - ip.headerLength();
        stats.count(Stat.ICMP_RECEIVED);
        if (!icmp.wrapChecked(f.segment(), ip.payloadOffset(), icmpLen)) {
            stats.count(Stat.ICMP_SHORT);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (!icmp.verifyChecksum()) {
            stats.count(Stat.ICMP_BAD_SUM);
            l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        if (icmp.type() == IcmpPacket.TYPE_ECHO_REPLY) {
            stats.count(Stat.ICMP_ECHO_REPLY_IN);
            completePing(false, icmp.identifier(), icmp.sequence(), IpAddresses.fromV4(ip.srcAddr()),
                    icmp.payloadLength(), ip.ttl());
            return false;
        }
        if (icmp.type() != IcmpPacket.TYPE_ECHO_REQUEST || icmp.code() != 0) {
            stats.count(Stat.ICMP_OTHER);
            return false;
        }
        stats.count(Stat.ICMP_ECHO_IN);
        // Echo reply in place (RFC 792): same identifier, sequence and data.
        icmp.setType(IcmpPacket.TYPE_ECHO_REPLY);
        icmp.fillChecksum(icmpLen);
        int src = ip.srcAddr();
        ip.setSrcAddr(ip.dstAddr());
        ip.setDstAddr(src);
        ip.setTtl(ttl);
        ip.fillChecksum();
        EthernetFrame eth = ctx.eth;
        eth.setDstMac(eth.srcMac());
        eth.setSrcMac(owner.mac.bits());
        f.length(EthernetFrame.HEADER_LEN + ip.totalLength());
        stats.count(Stat.ICMP_ECHO_REPLY_OUT);
        stats.count(Stat.IP_SENT);
        forwarder.output(l3, f, ctx);
        return true;
    }

    private boolean udpInputV4(NetInterface l3, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        UdpDatagram u = ctx.udp;
        stats.count(Stat.UDP_RECEIVED);
        if (!u.wrapChecked(f.segment(), ip.payloadOffset(), ip.totalLength() - ip.headerLength())) {
            stats.count(Stat.UDP_SHORT);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (u.checksum() != 0 && !u.verifyChecksum(ip)) {
            stats.count(Stat.UDP_BAD_SUM);
            l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        return udpDeliver(l3, u, f);
    }

    private boolean ipv6Input(NetInterface l3, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        EthernetFrame eth = ctx.eth;
        stats.count(Stat.IP6_RECEIVED);
        if (!ip.wrapChecked(f.segment(), eth.payloadOffset(), eth.payloadLength())) {
            stats.count(Stat.IP6_MALFORMED);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        long dhi = ip.dstHi();
        long dlo = ip.dstLo();
        NetInterface owner = ownerV6(l3, dhi, dlo);
        boolean multicast = (dhi >>> 56) == 0xff;
        if (owner == null && !(multicast && ((dhi == ALL_NODES_HI && dlo == ALL_NODES_LO)
                || solicitedNodeOfSegment(l3, dhi, dlo)))) {
            stats.count(Stat.IP6_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        stats.count(Stat.IP6_DELIVERED);
        return switch (ip.nextHeader()) {
            case IpProtocol.ICMPV6 -> icmpv6Input(l3, owner, f, ctx);
            case IpProtocol.UDP -> owner != null && udpInputV6(l3, f, ctx);
            default -> {
                stats.count(Stat.IP6_NO_PROTO);
                l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
                yield false;
            }
        };
    }

    private boolean icmpv6Input(NetInterface l3, NetInterface owner, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        stats.count(Stat.ICMP6_RECEIVED);
        if (!icmp.wrapChecked(f.segment(), ip.payloadOffset(), ip.payloadLength())) {
            stats.count(Stat.ICMP6_SHORT);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (!icmp.verifyChecksum(ip)) {
            stats.count(Stat.ICMP6_BAD_SUM);
            l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        switch (icmp.type()) {
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION:
                stats.count(Stat.ICMP6_NS_IN);
                return neighborSolicitation(l3, f, ctx);
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT:
                stats.count(Stat.ICMP6_NA_IN);
                neighborAdvertisement(l3, ctx);
                return false;
            case Icmpv6Packet.TYPE_ECHO_REPLY:
                stats.count(Stat.ICMP6_ECHO_REPLY_IN);
                completePing(true, icmp.identifier(), icmp.sequence(), IpAddresses.fromV6(ip.srcHi(), ip.srcLo()),
                        icmp.payloadLength(), ip.hopLimit());
                return false;
            case Icmpv6Packet.TYPE_ECHO_REQUEST:
                stats.count(Stat.ICMP6_ECHO_IN);
                if (owner == null || icmp.code() != 0) {
                    return false; // no answer to multicast echo
                }
                icmp.setType(Icmpv6Packet.TYPE_ECHO_REPLY);
                long shi = ip.srcHi();
                long slo = ip.srcLo();
                ip.setSrc(ip.dstHi(), ip.dstLo());
                ip.setDst(shi, slo);
                ip.setHopLimit(hopLimit);
                icmp.fillChecksum(ip);
                EthernetFrame eth = ctx.eth;
                eth.setDstMac(eth.srcMac());
                eth.setSrcMac(owner.mac.bits());
                f.length(EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + ip.payloadLength());
                stats.count(Stat.ICMP6_ECHO_REPLY_OUT);
                stats.count(Stat.IP6_SENT);
                forwarder.output(l3, f, ctx);
                return true;
            default:
                stats.count(Stat.ICMP6_OTHER);
                return false;
        }
    }

    /** Answers a solicitation for one of our addresses with a solicited advertisement, in place (RFC 4861 §7.2.4). */
    private boolean neighborSolicitation(NetInterface l3, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        if (ip.hopLimit() != ND_HOP_LIMIT || icmp.code() != 0 || icmp.length() < Icmpv6Packet.ND_NEIGHBOR_LEN) {
            stats.count(Stat.ICMP6_BAD_ND);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        long thi = icmp.targetHi();
        long tlo = icmp.targetLo();
        NetInterface owner = ownerV6(l3, thi, tlo);
        if (owner == null) {
            return false;
        }
        long srcHi = ip.srcHi();
        long srcLo = ip.srcLo();
        boolean unspecified = srcHi == 0 && srcLo == 0;
        long sll = icmp.sourceLinkLayerAddress();
        if (!unspecified && sll >= 0) {
            ndp.put(IpAddresses.fromV6(srcHi, srcLo), new MacAddress(sll), l3.name);
        }
        EthernetFrame eth = ctx.eth;
        long requester = eth.srcMac();
        int icmpLen = Icmpv6Packet.ND_NEIGHBOR_LEN + Icmpv6Packet.LINK_ADDR_OPTION_LEN;
        if (f.capacity() - f.offset() < EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + icmpLen) {
            return false;
        }
        if (unspecified) {
            ip.setDst(ALL_NODES_HI, ALL_NODES_LO); // duplicate address detection: answer all nodes
        } else {
            ip.setDst(srcHi, srcLo);
        }
        ip.setSrc(thi, tlo);
        ip.setHopLimit(ND_HOP_LIMIT);
        ip.setPayloadLength(icmpLen);
        f.length(EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + icmpLen);
        icmp.wrap(f.segment(), ip.payloadOffset(), icmpLen);
        icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
        icmp.setCode(0);
        icmp.setNaFlags(false, !unspecified, true);
        icmp.setTarget(thi, tlo);
        icmp.setLinkLayerAddressOption(Icmpv6Packet.ND_NEIGHBOR_LEN, Icmpv6Packet.OPT_TARGET_LINK_ADDR, owner.mac.bits());
        icmp.fillChecksum(ip);
        eth.setDstMac(unspecified ? 0x3333_0000_0001L : requester);
        eth.setSrcMac(owner.mac.bits());
        stats.count(Stat.ICMP6_NA_OUT);
        stats.count(Stat.IP6_SENT);
        forwarder.output(l3, f, ctx);
        return true;
    }

    private void neighborAdvertisement(NetInterface l3, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        if (ip.hopLimit() != ND_HOP_LIMIT || icmp.length() < Icmpv6Packet.ND_NEIGHBOR_LEN) {
            stats.count(Stat.ICMP6_BAD_ND);
            l3.drop(DropReason.MALFORMED, 1);
            return;
        }
        long tll = icmp.targetLinkLayerAddress();
        long mac = tll >= 0 ? tll : ctx.eth.srcMac();
        if ((mac & 0x01_0000_0000_00L) != 0) {
            return;
        }
        InetAddress target = IpAddresses.fromV6(icmp.targetHi(), icmp.targetLo());
        if (icmp.solicitedFlag()) {
            ndp.put(target, new MacAddress(mac), l3.name);
        } else if (icmp.overrideFlag()) {
            ndp.refresh(target, new MacAddress(mac), l3.name); // RFC 4861 §7.2.5: no entry, no new one
        }
    }

    private boolean udpInputV6(NetInterface l3, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        UdpDatagram u = ctx.udp;
        stats.count(Stat.UDP_RECEIVED);
        if (!u.wrapChecked(f.segment(), ip.payloadOffset(), ip.payloadLength())) {
            stats.count(Stat.UDP_SHORT);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        // RFC 8200 §8.1: the UDP checksum is mandatory over IPv6.
        if (u.checksum() == 0 || !u.verifyChecksum(ip)) {
            stats.count(Stat.UDP_BAD_SUM);
            l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        return udpDeliver(l3, u, f);
    }

    private boolean udpDeliver(NetInterface l3, UdpDatagram u, Frame f) {
        if (!udp.deliver(u.dstPort(), f)) {
            stats.count(Stat.UDP_NO_PORT);
            l3.drop(DropReason.NO_SOCKET, 1);
            return false;
        }
        stats.count(Stat.UDP_DELIVERED);
        return true;
    }

    // ---- originating traffic ----------------------------------------------------

    /**
     * Where to send to {@code dst}: the interface, the local address in its
     * connected prefix, and the gateway, or null when {@code dst} is on the link.
     */
    record Route(NetInterface nif, InterfaceAddress source, InetAddress gateway) {

        Route(NetInterface nif, InterfaceAddress source) {
            this(nif, source, null);
        }

        /** Whom to resolve and send the frame to: the gateway, or the destination itself. */
        InetAddress nextHop(InetAddress dst) {
            return gateway != null ? gateway : dst;
        }
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
    private Route lookup(InetAddress dst) {
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
                    return new Route(via.nif, via.source, e.gateway);
                }
            }
        }
        if (connected != null) {
            connectedUse.computeIfAbsent(connected.source, k -> new LongAdder()).increment();
        }
        return connected;
    }

    /** The connected prefix holding {@code dst} on an interface that is up, longest first; null if none. */
    private Route connectedRoute(InetAddress dst) {
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

    /** The MAC of {@code dst} on the route, resolving it with ARP or NS if needed; null when unresolved. */
    MacAddress resolve(Route r, InetAddress dst, long timeoutNanos, PathContext ctx) throws InterruptedException {
        boolean v4 = dst instanceof Inet4Address;
        NeighborCache cache = v4 ? arp : ndp;
        MacAddress mac = cache.lookup(dst);
        long deadline = System.nanoTime() + timeoutNanos;
        while (mac == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            if (v4) {
                sendArpRequest(r, dst, ctx);
            } else {
                sendNeighborSolicitation(r, dst, ctx);
            }
            mac = cache.await(dst, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
        return mac;
    }

    private void sendArpRequest(Route r, InetAddress dst, PathContext ctx) {
        Frame f = pool.take();
        if (f == null) {
            r.nif.outputDrop(DropReason.NO_BUFFER, 1);
            return;
        }
        EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), EthernetFrame.HEADER_LEN + ArpPacket.LENGTH);
        eth.setDstMac(MacAddress.BROADCAST.bits());
        eth.setSrcMac(r.nif.mac.bits());
        eth.setEtherType(EtherType.ARP);
        ArpPacket a = ctx.arp.wrap(f.segment(), eth.payloadOffset(), ArpPacket.LENGTH);
        a.setEthernetIpv4();
        a.setOper(ArpPacket.OP_REQUEST);
        a.setSha(r.nif.mac.bits());
        a.setSpa(IpAddresses.v4(r.source.address().getAddress()));
        a.setTha(0);
        a.setTpa(IpAddresses.v4(dst.getAddress()));
        f.length(EthernetFrame.HEADER_LEN + ArpPacket.LENGTH);
        stats.count(Stat.ARP_REQUEST_OUT);
        send(r.nif, f, ctx);
    }

    private void sendNeighborSolicitation(Route r, InetAddress dst, PathContext ctx) {
        Frame f = pool.take();
        if (f == null) {
            r.nif.outputDrop(DropReason.NO_BUFFER, 1);
            return;
        }
        byte[] d = dst.getAddress();
        long thi = IpAddresses.v6hi(d);
        long tlo = IpAddresses.v6lo(d);
        // Solicited-node multicast ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX (RFC 4291 §2.7.1, RFC 2464 §7).
        long mlo = 0x0000_0001_ff00_0000L | (tlo & 0xFF_FFFFL);
        int icmpLen = Icmpv6Packet.ND_NEIGHBOR_LEN + Icmpv6Packet.LINK_ADDR_OPTION_LEN;
        int total = EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + icmpLen;
        EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), total);
        eth.setDstMac(0x3333_ff00_0000L | (tlo & 0xFF_FFFFL));
        eth.setSrcMac(r.nif.mac.bits());
        eth.setEtherType(EtherType.IPV6);
        Ipv6Packet ip = ipv6Header(ctx, f, eth, r, ALL_NODES_HI, mlo, icmpLen, IpProtocol.ICMPV6, ND_HOP_LIMIT);
        Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), ip.payloadOffset(), icmpLen);
        icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION);
        icmp.setCode(0);
        icmp.setRestOfHeader(0);
        icmp.setTarget(thi, tlo);
        icmp.setLinkLayerAddressOption(Icmpv6Packet.ND_NEIGHBOR_LEN, Icmpv6Packet.OPT_SOURCE_LINK_ADDR, r.nif.mac.bits());
        icmp.fillChecksum(ip);
        f.length(total);
        stats.count(Stat.ICMP6_NS_OUT);
        stats.count(Stat.IP6_SENT);
        send(r.nif, f, ctx);
    }

    private Ipv6Packet ipv6Header(PathContext ctx, Frame f, EthernetFrame eth, Route r, long dstHi, long dstLo,
            int payloadLen, int nextHeader, int hopLimit) {
        Ipv6Packet ip = ctx.ip6.wrap(f.segment(), eth.payloadOffset(), Ipv6Packet.HEADER_LEN + payloadLen);
        ip.setVersion(6);
        ip.setTrafficClass(0);
        ip.setFlowLabel(0);
        ip.setPayloadLength(payloadLen);
        ip.setNextHeader(nextHeader);
        ip.setHopLimit(hopLimit);
        byte[] s = r.source.address().getAddress();
        ip.setSrc(IpAddresses.v6hi(s), IpAddresses.v6lo(s));
        ip.setDst(dstHi, dstLo);
        return ip;
    }

    private Ipv4Packet ipv4Header(PathContext ctx, Frame f, EthernetFrame eth, Route r, InetAddress dst,
            int payloadLen, int protocol, int id) {
        Ipv4Packet ip = ctx.ip4.wrap(f.segment(), eth.payloadOffset(), Ipv4Packet.MIN_HEADER_LEN + payloadLen);
        ip.setVersion(4);
        ip.setIhl(5);
        ip.setDscp(0);
        ip.setEcn(0);
        ip.setTotalLength(Ipv4Packet.MIN_HEADER_LEN + payloadLen);
        ip.setIdentification(id);
        ip.setFlags(Ipv4Packet.FLAG_DF);
        ip.setFragmentOffset(0);
        ip.setTtl(ttl);
        ip.setProtocol(protocol);
        ip.setSrcAddr(IpAddresses.v4(r.source.address().getAddress()));
        ip.setDstAddr(IpAddresses.v4(dst.getAddress()));
        ip.fillChecksum();
        return ip;
    }

    /** Transmits one frame the stack made, from the calling thread. Takes ownership. */
    private void send(NetInterface nif, Frame f, PathContext ctx) {
        forwarder.output(nif, f, ctx);
        ctx.flush();
    }

    /** Pending echo request. */
    private static final class PingWaiter {
        final InetAddress destination;
        final CompletableFuture<PingResult> done = new CompletableFuture<>();
        final int sequence;
        long sentAt;

        PingWaiter(InetAddress destination, int sequence) {
            this.destination = destination;
            this.sequence = sequence;
        }
    }

    private static long pingKey(boolean v6, int id, int seq) {
        return (v6 ? 1L << 32 : 0) | ((long) (id & 0xFFFF) << 16) | (seq & 0xFFFF);
    }

    private void completePing(boolean v6, int id, int seq, InetAddress from, int bytes, int ttl) {
        PingWaiter w = pings.get(pingKey(v6, id, seq));
        if (w != null && w.destination.equals(from)) {
            w.done.complete(new PingResult(from, w.sequence, true, bytes, ttl, System.nanoTime() - w.sentAt));
        }
    }

    PingResult ping(InetAddress dst, int sequence, int payloadBytes, Duration timeout, PathContext ctx) {
        boolean v4 = dst instanceof Inet4Address;
        long timeoutNanos = timeout.toNanos();
        long start = System.nanoTime();
        Route r = route(dst);
        int seq = sequence & 0xFFFF;
        PingResult lost = new PingResult(dst, sequence, false, 0, 0, 0);
        try {
            MacAddress mac = resolve(r, r.nextHop(dst), timeoutNanos, ctx);
            if (mac == null) {
                r.nif.outputDrop(DropReason.NO_NEIGHBOR, 1);
                return lost;
            }
            Frame f = pool.take();
            if (f == null) {
                r.nif.outputDrop(DropReason.NO_BUFFER, 1);
                return lost;
            }
            int icmpLen = 8 + payloadBytes;
            int ipLen = (v4 ? Ipv4Packet.MIN_HEADER_LEN : Ipv6Packet.HEADER_LEN) + icmpLen;
            if (EthernetFrame.HEADER_LEN + ipLen > Math.min(r.nif.mtu, f.capacity() - f.offset())) {
                f.release();
                throw new IllegalArgumentException("ping: " + payloadBytes + " data bytes do not fit the MTU of " + r.nif.name);
            }
            EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), EthernetFrame.HEADER_LEN + ipLen);
            eth.setDstMac(mac.bits());
            eth.setSrcMac(r.nif.mac.bits());
            eth.setEtherType(v4 ? EtherType.IPV4 : EtherType.IPV6);
            long payloadAt;
            if (v4) {
                Ipv4Packet ip = ipv4Header(ctx, f, eth, r, dst, icmpLen, IpProtocol.ICMP, seq);
                payloadAt = ip.payloadOffset();
            } else {
                byte[] d = dst.getAddress();
                payloadAt = ipv6Header(ctx, f, eth, r, IpAddresses.v6hi(d), IpAddresses.v6lo(d), icmpLen,
                        IpProtocol.ICMPV6, hopLimit).payloadOffset();
            }
            for (int i = 0; i < payloadBytes; i++) {
                f.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, payloadAt + 8 + i, (byte) i);
            }
            if (v4) {
                IcmpPacket icmp = ctx.icmp.wrap(f.segment(), payloadAt, icmpLen);
                icmp.setType(IcmpPacket.TYPE_ECHO_REQUEST);
                icmp.setCode(0);
                icmp.setIdentifier(echoIdentifier);
                icmp.setSequence(seq);
                icmp.fillChecksum(icmpLen);
            } else {
                Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), payloadAt, icmpLen);
                icmp.setType(Icmpv6Packet.TYPE_ECHO_REQUEST);
                icmp.setCode(0);
                icmp.setIdentifier(echoIdentifier);
                icmp.setSequence(seq);
                icmp.fillChecksum(ctx.ip6);
            }
            f.length(EthernetFrame.HEADER_LEN + ipLen);
            long key = pingKey(!v4, echoIdentifier, seq);
            PingWaiter w = new PingWaiter(dst, sequence);
            pings.put(key, w);
            try {
                w.sentAt = System.nanoTime();
                stats.count(v4 ? Stat.ICMP_ECHO_OUT : Stat.ICMP6_ECHO_OUT);
                stats.count(v4 ? Stat.IP_SENT : Stat.IP6_SENT);
                send(r.nif, f, ctx);
                long left = timeoutNanos - (System.nanoTime() - start);
                return w.done.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return lost;
            } finally {
                pings.remove(key, w);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return lost;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Builds and sends one UDP datagram (used by {@link UdpSockets}). */
    void sendUdp(InetAddress dst, int srcPort, int dstPort, java.nio.ByteBuffer payload, PathContext ctx)
            throws InterruptedException {
        boolean v4 = dst instanceof Inet4Address;
        Route r = route(dst);
        MacAddress mac = resolve(r, r.nextHop(dst), TimeUnit.SECONDS.toNanos(3), ctx);
        if (mac == null) {
            r.nif.outputDrop(DropReason.NO_NEIGHBOR, 1);
            throw new java.io.UncheckedIOException(new java.net.NoRouteToHostException(
                    "no answer to neighbour resolution for " + dst.getHostAddress()));
        }
        int n = payload.remaining();
        int udpLen = UdpDatagram.HEADER_LEN + n;
        int ipLen = (v4 ? Ipv4Packet.MIN_HEADER_LEN : Ipv6Packet.HEADER_LEN) + udpLen;
        Frame f = pool.take();
        if (f == null) {
            r.nif.outputDrop(DropReason.NO_BUFFER, 1);
            throw new java.io.UncheckedIOException(new java.io.IOException("no frame buffer free"));
        }
        if (EthernetFrame.HEADER_LEN + ipLen > Math.min(r.nif.mtu, f.capacity() - f.offset())) {
            f.release();
            throw new IllegalArgumentException("datagram of " + n + " bytes does not fit the MTU of " + r.nif.name);
        }
        EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), EthernetFrame.HEADER_LEN + ipLen);
        eth.setDstMac(mac.bits());
        eth.setSrcMac(r.nif.mac.bits());
        eth.setEtherType(v4 ? EtherType.IPV4 : EtherType.IPV6);
        long at;
        Ipv4Packet ip4 = null;
        Ipv6Packet ip6 = null;
        if (v4) {
            ip4 = ipv4Header(ctx, f, eth, r, dst, udpLen, IpProtocol.UDP, 0);
            at = ip4.payloadOffset();
        } else {
            byte[] d = dst.getAddress();
            ip6 = ipv6Header(ctx, f, eth, r, IpAddresses.v6hi(d), IpAddresses.v6lo(d), udpLen, IpProtocol.UDP, hopLimit);
            at = ip6.payloadOffset();
        }
        UdpDatagram u = ctx.udp.wrap(f.segment(), at, udpLen);
        u.setSrcPort(srcPort);
        u.setDstPort(dstPort);
        u.setUdpLength(udpLen);
        u.setChecksum(0);
        java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofBuffer(payload), 0, f.segment(),
                at + UdpDatagram.HEADER_LEN, n);
        payload.position(payload.position() + n);
        if (v4) {
            u.fillChecksum(ip4);
        } else {
            u.fillChecksum(ip6);
        }
        f.length(EthernetFrame.HEADER_LEN + ipLen);
        stats.count(Stat.UDP_SENT);
        stats.count(v4 ? Stat.IP_SENT : Stat.IP6_SENT);
        send(r.nif, f, ctx);
    }

    // ---- control path -----------------------------------------------------------

    List<NeighborEntry> neighbors(boolean ipv6) {
        return (ipv6 ? ndp : arp).snapshot();
    }

    UdpSocket openUdp(int port, ThreadLocal<PathContext> contexts) {
        return udp.open(port, contexts);
    }

    /**
     * Announces every address of {@code nif}'s segment: a gratuitous ARP per
     * IPv4 address (RFC 5227 §3, "ARP announcement") and an unsolicited
     * neighbour advertisement with the override flag per IPv6 address
     * (RFC 4861 §7.2.6). Called when carrier comes up and when an address is
     * added, so that neighbours replace a MAC they cached for us before we
     * restarted with a new generated one.
     */
    void announce(NetInterface nif, PathContext ctx) {
        NetInterface l3 = nif.memberOf != null ? nif.memberOf.self : nif;
        if (l3 == null || nif.kind == NetInterface.Kind.LOOPBACK) {
            return;
        }
        for (NetInterface n : l3.segment()) {
            announceOwn(n, ctx);
        }
        ctx.flush();
    }

    private void announceOwn(NetInterface owner, PathContext ctx) {
        if (owner.mac == null || !owner.up) {
            return;
        }
        for (InterfaceAddress a : owner.addresses) {
            byte[] b = a.address().getAddress();
            Frame f = pool.take();
            if (f == null) {
                owner.outputDrop(DropReason.NO_BUFFER, 1);
                return;
            }
            if (a.isIpv4()) {
                int ip = IpAddresses.v4(b);
                EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), EthernetFrame.HEADER_LEN + ArpPacket.LENGTH);
                eth.setDstMac(MacAddress.BROADCAST.bits());
                eth.setSrcMac(owner.mac.bits());
                eth.setEtherType(EtherType.ARP);
                ArpPacket arpPkt = ctx.arp.wrap(f.segment(), eth.payloadOffset(), ArpPacket.LENGTH);
                arpPkt.setEthernetIpv4();
                arpPkt.setOper(ArpPacket.OP_REQUEST);
                arpPkt.setSha(owner.mac.bits());
                arpPkt.setSpa(ip);
                arpPkt.setTha(0);
                arpPkt.setTpa(ip);
                f.length(EthernetFrame.HEADER_LEN + ArpPacket.LENGTH);
                stats.count(Stat.ARP_REQUEST_OUT);
            } else {
                long hi = IpAddresses.v6hi(b);
                long lo = IpAddresses.v6lo(b);
                int icmpLen = Icmpv6Packet.ND_NEIGHBOR_LEN + Icmpv6Packet.LINK_ADDR_OPTION_LEN;
                int total = EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + icmpLen;
                EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), total);
                eth.setDstMac(0x3333_0000_0001L);
                eth.setSrcMac(owner.mac.bits());
                eth.setEtherType(EtherType.IPV6);
                Ipv6Packet ip = ipv6Header(ctx, f, eth, new Route(owner, a), ALL_NODES_HI, ALL_NODES_LO, icmpLen,
                        IpProtocol.ICMPV6, ND_HOP_LIMIT);
                Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), ip.payloadOffset(), icmpLen);
                icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
                icmp.setCode(0);
                icmp.setNaFlags(false, false, true);
                icmp.setTarget(hi, lo);
                icmp.setLinkLayerAddressOption(Icmpv6Packet.ND_NEIGHBOR_LEN, Icmpv6Packet.OPT_TARGET_LINK_ADDR,
                        owner.mac.bits());
                icmp.fillChecksum(ip);
                f.length(total);
                stats.count(Stat.ICMP6_NA_OUT);
                stats.count(Stat.IP6_SENT);
            }
            forwarder.output(owner, f, ctx);
        }
    }

    void interfaceGone(NetInterface nif) {
        arp.removeInterface(nif.name);
        ndp.removeInterface(nif.name);
    }

    void close() {
        udp.closeAll();
    }
}
