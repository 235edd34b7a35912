package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;

/**
 * IPv6 input (RFC 8200): keeps packets for the stack's addresses (the
 * segment's, and other interfaces' global ones: the weak host model),
 * all-nodes and the solicited-node groups of its addresses (and all-routers
 * where router advertisements are on), reassembles fragments whose Fragment
 * header follows the fixed header (RFC 8200 §4.5), and hands each packet to
 * the handler of its next header. Other extension headers are not followed: a
 * packet that carries one is counted as an unknown next header. A packet for
 * another host is forwarded when forwarding is on ({@link IpForwarding}).
 */
final class Ipv6Input {

    private final ProtocolHandler[] handlers = new ProtocolHandler[256];
    /** Handlers that also take packets to a multicast group of the segment (ICMPv6 for ND); others see unicast only. */
    private final boolean[] multicastToo = new boolean[256];
    private final ProtocolCounters stats;
    private IpForwarding forwarding;
    private Reassembly reassembly;
    private RouterAdvertiser advertiser;
    private IcmpErrors icmp;

    Ipv6Input(ProtocolCounters stats) {
        this.stats = stats;
    }

    void register(int nextHeader, ProtocolHandler handler, boolean multicast) {
        handlers[nextHeader] = handler;
        multicastToo[nextHeader] = multicast;
    }

    void router(IpForwarding forwarding, Reassembly reassembly, RouterAdvertiser advertiser, IcmpErrors icmp) {
        this.forwarding = forwarding;
        this.reassembly = reassembly;
        this.advertiser = advertiser;
        this.icmp = icmp;
    }

    /** "No next header" (RFC 8200 §4.7): nothing follows, nothing to answer. */
    private static final int NO_NEXT_HEADER = 59;

    /** Returns true if a handler kept the frame. */
    boolean input(NetInterface l3, Frame f, PathContext ctx) {
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
        NetInterface owner = Segments.ownerV6(l3, dhi, dlo);
        boolean multicast = (dhi >>> 56) == 0xff;
        if (owner == null && !multicast && forwarding.table().localV6(dhi, dlo) != null) {
            owner = l3; // another interface's address: ours too; the answer leaves by the link it came in on
        }
        if (owner == null && !(multicast && ((dhi == NeighborDiscovery.ALL_NODES_HI
                && dlo == NeighborDiscovery.ALL_NODES_LO) || Segments.solicitedNodeOfSegment(l3, dhi, dlo)
                || (dhi == NeighborDiscovery.ALL_NODES_HI && dlo == RouterAdvertiser.ALL_ROUTERS_LO
                        && advertiser.advertises(l3))))) {
            if (!multicast && forwarding.v6) {
                return forwarding.forwardV6(l3, f, ctx);
            }
            stats.count(Stat.IP6_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        if (ip.nextHeader() == Fragmenter.IPV6_FRAGMENT && owner != null) {
            Frame whole = reassembly.inputV6(l3, f, ctx);
            if (whole != null) {
                wrapWhole(ctx, whole);
                if (!deliver(l3, owner, whole, ctx)) {
                    whole.release();
                }
            }
            return true; // the fragment is the reassembly's now
        }
        return deliver(l3, owner, f, ctx);
    }

    private boolean deliver(NetInterface l3, NetInterface owner, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        int nh = ip.nextHeader();
        ProtocolHandler h = handlers[nh];
        if (h == null) {
            stats.count(Stat.IP6_NO_PROTO);
            l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
            if (owner != null && nh != NO_NEXT_HEADER) { // RFC 8200 §4: unrecognised next header, pointing at its field
                icmp.parameterProblemV6(l3, f, IcmpErrors.PARAMPROB6_NEXTHEADER, 6, ctx);
            }
            return false;
        }
        stats.count(Stat.IP6_DELIVERED);
        if (owner == null && !multicastToo[nh]) {
            return false; // a group's packet for a protocol that serves unicast only
        }
        Inbound in = ctx.in;
        in.l3 = l3;
        in.owner = owner;
        in.v6 = true;
        in.srcHi = ip.srcHi();
        in.srcLo = ip.srcLo();
        in.dstHi = ip.dstHi();
        in.dstLo = ip.dstLo();
        in.ttl = ip.hopLimit();
        in.protocol = nh;
        in.l4Offset = ip.payloadOffset();
        in.l4Length = ip.payloadLength();
        return h.input(in, f, ctx);
    }

    /** Points the thread's Ethernet and IP views at a reassembled datagram: the handlers answer from them. */
    private static void wrapWhole(PathContext ctx, Frame whole) {
        ctx.eth.wrap(whole.segment(), whole.offset(), whole.length());
        ctx.ip6.wrap(whole.segment(), whole.offset() + EthernetFrame.HEADER_LEN, whole.length() - EthernetFrame.HEADER_LEN);
    }
}
