package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import java.net.InetAddress;

/**
 * IPv6 neighbour discovery (RFC 4861) for the stack's addresses: answers
 * solicitations in place, learns from advertisements, solicits the neighbours
 * the stack sends to, and announces its own addresses with unsolicited
 * advertisements (§7.2.6).
 */
final class NeighborDiscovery {

    /** RFC 4861 §7.1: ND messages are sent, and must arrive, with hop limit 255. */
    static final int ND_HOP_LIMIT = 255;
    static final long ALL_NODES_HI = 0xff02_0000_0000_0000L;
    static final long ALL_NODES_LO = 1L;
    private static final int ND_LEN = Icmpv6Packet.ND_NEIGHBOR_LEN + Icmpv6Packet.LINK_ADDR_OPTION_LEN;

    private final IpOutput out;
    private final ProtocolCounters stats;
    private NeighborCache cache;
    private java.util.function.BooleanSupplier router = () -> false;

    NeighborDiscovery(IpOutput out, ProtocolCounters stats) {
        this.out = out;
        this.stats = stats;
    }

    void cache(NeighborCache cache) {
        this.cache = cache;
    }

    /** Whether advertisements carry the Router flag: while the stack forwards IPv6 (RFC 4861 §4.4, §7.2.5). */
    void routerFlag(java.util.function.BooleanSupplier router) {
        this.router = router;
    }

    /** Answers a solicitation for one of our addresses with a solicited advertisement, in place (RFC 4861 §7.2.4). */
    boolean solicitation(NetInterface l3, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        if (ip.hopLimit() != ND_HOP_LIMIT || icmp.code() != 0 || icmp.length() < Icmpv6Packet.ND_NEIGHBOR_LEN) {
            stats.count(Stat.ICMP6_BAD_ND);
            l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        long thi = icmp.targetHi();
        long tlo = icmp.targetLo();
        NetInterface owner = Segments.ownerV6(l3, thi, tlo);
        if (owner == null) {
            return false;
        }
        long srcHi = ip.srcHi();
        long srcLo = ip.srcLo();
        boolean unspecified = srcHi == 0 && srcLo == 0;
        long sll = icmp.sourceLinkLayerAddress();
        if (!unspecified && sll >= 0) {
            cache.put(IpAddresses.fromV6(srcHi, srcLo), new MacAddress(sll), l3.name, ctx);
        }
        EthernetFrame eth = ctx.eth;
        long requester = eth.srcMac();
        if (f.capacity() - f.offset() < EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + ND_LEN) {
            return false;
        }
        if (unspecified) {
            ip.setDst(ALL_NODES_HI, ALL_NODES_LO); // duplicate address detection: answer all nodes
        } else {
            ip.setDst(srcHi, srcLo);
        }
        ip.setSrc(thi, tlo);
        ip.setHopLimit(ND_HOP_LIMIT);
        ip.setPayloadLength(ND_LEN);
        f.length(EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + ND_LEN);
        icmp.wrap(f.segment(), ip.payloadOffset(), ND_LEN);
        icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
        icmp.setCode(0);
        icmp.setNaFlags(router.getAsBoolean(), !unspecified, true);
        icmp.setTarget(thi, tlo);
        icmp.setLinkLayerAddressOption(Icmpv6Packet.ND_NEIGHBOR_LEN, Icmpv6Packet.OPT_TARGET_LINK_ADDR, owner.mac.bits());
        icmp.fillChecksum(ip);
        eth.setDstMac(unspecified ? 0x3333_0000_0001L : requester);
        eth.setSrcMac(owner.mac.bits());
        stats.count(Stat.ICMP6_NA_OUT);
        stats.count(Stat.IP6_SENT);
        out.sendDirect(l3, f, ctx);
        return true;
    }

    void advertisement(NetInterface l3, PathContext ctx) {
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
            cache.put(target, new MacAddress(mac), l3.name, ctx);
        } else if (icmp.overrideFlag()) {
            cache.refresh(target, new MacAddress(mac), l3.name, ctx); // RFC 4861 §7.2.5: no entry, no new one
        }
    }

    /** Sends a solicitation for {@code target} to its solicited-node group (RFC 4291 §2.7.1, RFC 2464 §7). */
    void solicit(Routing.Route via, InetAddress target, PathContext ctx) {
        NetInterface nif = via.nif();
        Frame f = out.take(nif);
        if (f == null) {
            return;
        }
        byte[] d = target.getAddress();
        long thi = IpAddresses.v6hi(d);
        long tlo = IpAddresses.v6lo(d);
        long mlo = 0x0000_0001_ff00_0000L | (tlo & 0xFF_FFFFL);
        byte[] s = via.source().address().getAddress();
        EthernetFrame eth = out.ethernet(ctx, f, nif, EtherType.IPV6, Ipv6Packet.HEADER_LEN + ND_LEN);
        eth.setDstMac(0x3333_ff00_0000L | (tlo & 0xFF_FFFFL));
        Ipv6Packet ip = out.ipv6Header(ctx, f, IpAddresses.v6hi(s), IpAddresses.v6lo(s), ALL_NODES_HI, mlo, ND_LEN,
                IpProtocol.ICMPV6, ND_HOP_LIMIT);
        Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), ip.payloadOffset(), ND_LEN);
        icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION);
        icmp.setCode(0);
        icmp.setRestOfHeader(0);
        icmp.setTarget(thi, tlo);
        icmp.setLinkLayerAddressOption(Icmpv6Packet.ND_NEIGHBOR_LEN, Icmpv6Packet.OPT_SOURCE_LINK_ADDR, nif.mac.bits());
        icmp.fillChecksum(ip);
        stats.count(Stat.ICMP6_NS_OUT);
        stats.count(Stat.IP6_SENT);
        out.sendNow(nif, f, ctx);
    }

    /** An unsolicited advertisement with the override flag for one of {@code owner}'s addresses, to all nodes. */
    void announce(NetInterface owner, InterfaceAddress a, PathContext ctx) {
        Frame f = out.take(owner);
        if (f == null) {
            return;
        }
        byte[] b = a.address().getAddress();
        long hi = IpAddresses.v6hi(b);
        long lo = IpAddresses.v6lo(b);
        EthernetFrame eth = out.ethernet(ctx, f, owner, EtherType.IPV6, Ipv6Packet.HEADER_LEN + ND_LEN);
        eth.setDstMac(0x3333_0000_0001L);
        Ipv6Packet ip = out.ipv6Header(ctx, f, hi, lo, ALL_NODES_HI, ALL_NODES_LO, ND_LEN, IpProtocol.ICMPV6,
                ND_HOP_LIMIT);
        Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), ip.payloadOffset(), ND_LEN);
        icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
        icmp.setCode(0);
        icmp.setNaFlags(router.getAsBoolean(), false, true);
        icmp.setTarget(hi, lo);
        icmp.setLinkLayerAddressOption(Icmpv6Packet.ND_NEIGHBOR_LEN, Icmpv6Packet.OPT_TARGET_LINK_ADDR,
                owner.mac.bits());
        icmp.fillChecksum(ip);
        stats.count(Stat.ICMP6_NA_OUT);
        stats.count(Stat.IP6_SENT);
        out.sendNow(owner, f, ctx);
    }
}
