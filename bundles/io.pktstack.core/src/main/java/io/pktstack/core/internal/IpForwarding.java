package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.wire.Be;
import io.pktstack.core.internal.wire.ChecksumUpdate;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host as a router (RFC 1812 for IPv4, RFC 8200 and RFC 4443 for IPv6):
 * a packet that arrived for none of the stack's addresses goes out again by
 * the longest matching prefix of the {@link ForwardingTable}, its TTL or hop
 * limit decremented (the IPv4 header checksum updated incrementally,
 * RFC 1624), to the next hop's MAC from the neighbour cache. The frame is
 * rewritten in place and handed on, not copied; what cannot be forwarded is
 * dropped, counted, and answered with an ICMP error where the RFCs ask for
 * one ({@link IcmpErrors}).
 *
 * <p>Off by default, as on BSD: {@code sysctl -w net.inet.ip.forwarding=1}
 * and {@code net.inet6.ip6.forwarding=1}. IPv4 redirects (RFC 1812 §5.2.7.2)
 * are off unless {@code net.inet.ip.redirect=1}; IPv6 redirects are never sent.
 *
 * <p>Steady state allocates nothing: the per-thread {@link NextHopCache}
 * remembers each destination's route and neighbour entry, valid while the
 * table and the entry are. A miss looks the route up in the table (a scan of
 * primitive fields) and, while the next hop is unresolved, lets the neighbour
 * cache hold the frame and ask.
 */
final class IpForwarding {

    volatile boolean v4;
    volatile boolean v6;
    volatile boolean redirects4;

    private final Routing routing;
    private final Supplier<List<NetInterface>> interfaces;
    private final ProtocolCounters stats;
    private final Forwarder l2;
    private NeighborCache arp;
    private NeighborCache ndp;
    private IcmpErrors icmp;
    private Fragmenter fragmenter;
    private Segmentation segmentation;
    private PacketFilterService pf;
    private volatile ForwardingTable table = ForwardingTable.EMPTY;

    IpForwarding(Routing routing, Supplier<List<NetInterface>> interfaces, ProtocolCounters stats, Forwarder l2) {
        this.routing = routing;
        this.interfaces = interfaces;
        this.stats = stats;
        this.l2 = l2;
    }

    void wire(NeighborCache arp, NeighborCache ndp, IcmpErrors icmp, Fragmenter fragmenter, Segmentation segmentation,
            PacketFilterService pf) {
        this.segmentation = segmentation;
        this.arp = arp;
        this.ndp = ndp;
        this.icmp = icmp;
        this.fragmenter = fragmenter;
        this.pf = pf;
    }

    /** The current table, rebuilt first if routes, addresses or interface states changed since it was made. */
    ForwardingTable table() {
        ForwardingTable t = table;
        long g = routing.generation();
        if (t.generation != g) {
            t = rebuild(g);
        }
        return t;
    }

    private synchronized ForwardingTable rebuild(long g) {
        ForwardingTable t = table;
        if (t.generation != g) {
            t = ForwardingTable.build(g, interfaces.get(), routing.staticRoutes.all());
            table = t;
        }
        return t;
    }

    // ---- IPv4 ---------------------------------------------------------------------------

    /**
     * Forwards the IPv4 packet in {@code f} (validated, header checksum
     * verified, wrapped in {@code ctx.ip4}) that came in on {@code in} for an
     * address that is not ours. Returns true if it took the frame.
     */
    boolean forwardV4(NetInterface in, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        int dst = ip.dstAddr();
        int src = ip.srcAddr();
        // RFC 1812 §5.3.7 (martians) and §5.3.5.1 (limited broadcast is never forwarded).
        if (!IcmpErrors.unicastV4(dst) || !IcmpErrors.unicastV4(src) || isGroup(f)) {
            stats.count(Stat.IP_CANT_FORWARD);
            in.drop(DropReason.NOT_FORWARDABLE, 1);
            return false;
        }
        int ttl = ip.ttl();
        if (ttl <= 1) { // RFC 1812 §5.3.1: a packet is never forwarded with TTL 0
            stats.count(Stat.IP_CANT_FORWARD);
            in.drop(DropReason.TTL_EXCEEDED, 1);
            icmp.timeExceededV4(in, f, IcmpErrors.TIMXCEED_INTRANS, ctx);
            return false;
        }
        ForwardingTable t = table();
        NextHopCache cache = ctx.nextHops;
        int slot = NextHopCache.slotV4(dst);
        long key = dst & 0xFFFF_FFFFL;
        ForwardingTable.Entry r = cache.get(slot, t, NextHopCache.V4_TAG, key);
        if (r == null) {
            r = t.lookupV4(dst);
            if (r == null) {
                stats.count(Stat.IP_NO_ROUTE);
                in.drop(DropReason.NO_ROUTE, 1);
                icmp.unreachableV4(in, f, IcmpErrors.UNREACH_NET, 0, ctx); // RFC 1812 §4.3.3.1
                return false;
            }
            if (r.connected && r.length < 31 && (key | r.maskLo) == 0xFFFF_FFFFL) {
                // A directed broadcast (RFC 1812 §5.3.5.2): not forwarded by default, as on BSD.
                stats.count(Stat.IP_CANT_FORWARD);
                in.drop(DropReason.NOT_FORWARDABLE, 1);
                return false;
            }
            cache.put(slot, t, NextHopCache.V4_TAG, key, r);
        }
        NetInterface out = r.nif;
        if (!out.running()) {
            stats.count(Stat.IP_CANT_FORWARD);
            out.outputDrop(DropReason.INTERFACE_DOWN, 1);
            icmp.unreachableV4(in, f, IcmpErrors.UNREACH_HOST, 0, ctx);
            return false;
        }
        int total = ip.totalLength();
        int mtu = r.ipMtu();
        int wire = Segmentation.wireIpLength(f, total); // a large TCP segment's pieces are what must fit
        if (wire > mtu && ip.dontFragment()) {
            stats.count(Stat.IP_CANT_FRAGMENT);
            in.drop(DropReason.NEEDS_FRAGMENTATION, 1);
            icmp.unreachableV4(in, f, IcmpErrors.UNREACH_NEEDFRAG, mtu, ctx); // RFC 1191 §4
            return false;
        }
        if (pf.enabled && !pf.outbound(in, out, f, ctx)) {
            return false; // pf dropped it (counted)
        }
        int nextHop = r.gateway != null ? (int) r.gatewayV4 : dst;
        if (redirects4 && out == in && onLinkV4(t, in, src)) {
            icmp.redirectV4(in, f, nextHop, ctx); // the sender could reach the next hop itself
            ip.wrap(f.segment(), f.offset() + EthernetFrame.HEADER_LEN, total); // the error re-wrapped the thread's view
        }
        int word = ip.protocol();
        ip.setTtl(ttl - 1);
        ip.setHeaderChecksum(ChecksumUpdate.word(ip.headerChecksum(), (ttl << 8) | word, ((ttl - 1) << 8) | word));
        f.length(EthernetFrame.HEADER_LEN + total); // without the link's padding
        stats.count(Stat.IP_FORWARDED);
        if (wire > mtu && f.gso() != Frame.GSO_NONE) {
            return sendCutV4(in, f, r, slot, mtu, nextHop, ctx);
        }
        if (wire > mtu) {
            return sendFragmentsV4(in, f, r, slot, mtu, nextHop, ctx);
        }
        send(f, r, slot, false, nextHop, 0, 0, ctx);
        return true;
    }

    /** RFC 1812 §5.2.6: a packet larger than the next hop's MTU, DF clear, leaves in fragments. */
    private boolean sendFragmentsV4(NetInterface in, Frame f, ForwardingTable.Entry r, int slot, int mtu, int nextHop,
            PathContext ctx) {
        FrameBatch pieces = ctx.fragments;
        if (!fragmenter.fragmentV4(f, mtu, pieces)) {
            in.drop(DropReason.NO_BUFFER, 1);
            return false;
        }
        f.release();
        for (int i = 0; i < pieces.size(); i++) {
            send(pieces.get(i), r, slot, false, nextHop, 0, 0, ctx);
        }
        pieces.clear();
        return true;
    }

    /**
     * A large TCP segment, DF clear, whose pieces are larger than the next
     * hop takes: cut into pieces that fit it (smaller than the sender's
     * segment size, which TCP accepts), rather than each piece fragmented.
     */
    private boolean sendCutV4(NetInterface in, Frame f, ForwardingTable.Entry r, int slot, int mtu, int nextHop,
            PathContext ctx) {
        FrameBatch pieces = ctx.fragments;
        if (segmentation.cutOne(f, pieces, mtu + EthernetFrame.HEADER_LEN, in) <= 0) {
            return false; // dropped and counted
        }
        for (int i = 0; i < pieces.size(); i++) {
            send(pieces.get(i), r, slot, false, nextHop, 0, 0, ctx);
        }
        pieces.clear();
        return true;
    }

    /** True if {@code src} lies in a connected prefix of {@code nif}: it could have sent to the next hop itself. */
    private static boolean onLinkV4(ForwardingTable t, NetInterface nif, int src) {
        ForwardingTable.Entry back = t.lookupV4(src);
        return back != null && back.connected && back.nif == nif;
    }

    private static boolean isGroup(Frame f) {
        return (Forwarder.dstMac(f) & 0x01_0000_0000_00L) != 0;
    }

    // ---- IPv6 ---------------------------------------------------------------------------

    /**
     * Forwards the IPv6 packet in {@code f} (validated, wrapped in
     * {@code ctx.ip6}) that came in on {@code in} for an address that is not
     * ours. Returns true if it took the frame.
     */
    boolean forwardV6(NetInterface in, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        long dhi = ip.dstHi();
        long dlo = ip.dstLo();
        long shi = ip.srcHi();
        long slo = ip.srcLo();
        if ((dhi >>> 56) == 0xff || (shi >>> 56) == 0xff || (shi == 0 && slo == 0) || isGroup(f)
                || (dhi == 0 && (dlo == 0 || dlo == 1)) || (shi == 0 && slo == 1) || linkLocal(dhi)) {
            stats.count(Stat.IP6_CANT_FORWARD); // no multicast routing; link-local never leaves its link (RFC 4291 §2.5.6)
            in.drop(DropReason.NOT_FORWARDABLE, 1);
            return false;
        }
        if (linkLocal(shi)) {
            stats.count(Stat.IP6_CANT_FORWARD);
            in.drop(DropReason.NOT_FORWARDABLE, 1);
            icmp.unreachableV6(in, f, IcmpErrors.UNREACH6_BEYONDSCOPE, ctx); // RFC 4443 §3.1 code 2
            return false;
        }
        int hops = ip.hopLimit();
        if (hops <= 1) {
            stats.count(Stat.IP6_CANT_FORWARD);
            in.drop(DropReason.TTL_EXCEEDED, 1);
            icmp.timeExceededV6(in, f, IcmpErrors.TIMXCEED_INTRANS, ctx);
            return false;
        }
        ForwardingTable t = table();
        NextHopCache cache = ctx.nextHops;
        int slot = NextHopCache.slotV6(dhi, dlo);
        ForwardingTable.Entry r = cache.get(slot, t, dhi, dlo);
        if (r == null) {
            r = t.lookupV6(dhi, dlo);
            if (r == null) {
                stats.count(Stat.IP6_NO_ROUTE);
                in.drop(DropReason.NO_ROUTE, 1);
                icmp.unreachableV6(in, f, IcmpErrors.UNREACH6_NOROUTE, ctx);
                return false;
            }
            cache.put(slot, t, dhi, dlo, r);
        }
        NetInterface out = r.nif;
        if (!out.running()) {
            stats.count(Stat.IP6_CANT_FORWARD);
            out.outputDrop(DropReason.INTERFACE_DOWN, 1);
            icmp.unreachableV6(in, f, IcmpErrors.UNREACH6_ADDR, ctx);
            return false;
        }
        int total = Ipv6Packet.HEADER_LEN + ip.payloadLength();
        int mtu = r.ipMtu();
        if (Segmentation.wireIpLength(f, total) > mtu) { // routers never fragment IPv6 (RFC 8200 §5)
            stats.count(Stat.IP6_TOO_BIG);
            in.drop(DropReason.NEEDS_FRAGMENTATION, 1);
            icmp.packetTooBig(in, f, mtu, ctx);
            return false;
        }
        ip.setHopLimit(hops - 1);
        f.length(EthernetFrame.HEADER_LEN + total);
        stats.count(Stat.IP6_FORWARDED);
        send(f, r, slot, true, 0, r.gateway != null ? r.gatewayHi : dhi, r.gateway != null ? r.gatewayLo : dlo, ctx);
        return true;
    }

    private static boolean linkLocal(long hi) {
        return (hi & 0xffc0_0000_0000_0000L) == 0xfe80_0000_0000_0000L;
    }

    // ---- out ----------------------------------------------------------------------------

    /**
     * Sends a forwarded frame to its next hop: from the cached neighbour entry
     * when it is still reachable (no lookup, no allocation), else through the
     * neighbour cache, which may hold it while it resolves; the entry it
     * returns is remembered in the slot. Takes ownership of {@code f}.
     */
    private void send(Frame f, ForwardingTable.Entry r, int slot, boolean v6, int nh4, long nhHi, long nhLo,
            PathContext ctx) {
        NextHopCache cache = ctx.nextHops;
        NeighborCache.Entry n = cache.neighbor[slot];
        NetInterface out = r.nif;
        Be.mac(f.segment(), f.offset() + 6, out.mac.bits());
        if (n != null && n.reachable(ctx.now)) {
            Forwarder.setDstMac(f, n.mac.bits());
            l2.output(out, f, ctx);
            return;
        }
        java.net.InetAddress hop = v6 ? IpAddresses.fromV6(nhHi, nhLo) : IpAddresses.fromV4(nh4);
        cache.neighbor[slot] = (v6 ? ndp : arp).resolveAndSend(r.route, hop, f, ctx);
    }
}
