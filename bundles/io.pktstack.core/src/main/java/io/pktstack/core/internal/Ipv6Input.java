package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;

/**
 * IPv6 input (RFC 8200): keeps packets for the segment's addresses, all-nodes
 * and the solicited-node groups of its addresses, and hands each to the
 * handler of its next header. Extension headers are not followed: a packet
 * that carries one is counted as an unknown next header.
 */
final class Ipv6Input {

    private final ProtocolHandler[] handlers = new ProtocolHandler[256];
    /** Handlers that also take packets to a multicast group of the segment (ICMPv6 for ND); others see unicast only. */
    private final boolean[] multicastToo = new boolean[256];
    private final ProtocolCounters stats;

    Ipv6Input(ProtocolCounters stats) {
        this.stats = stats;
    }

    void register(int nextHeader, ProtocolHandler handler, boolean multicast) {
        handlers[nextHeader] = handler;
        multicastToo[nextHeader] = multicast;
    }

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
        if (owner == null && !(multicast && ((dhi == NeighborDiscovery.ALL_NODES_HI
                && dlo == NeighborDiscovery.ALL_NODES_LO) || Segments.solicitedNodeOfSegment(l3, dhi, dlo)))) {
            stats.count(Stat.IP6_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        int nh = ip.nextHeader();
        ProtocolHandler h = handlers[nh];
        if (h == null) {
            stats.count(Stat.IP6_NO_PROTO);
            l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
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
        in.dstHi = dhi;
        in.dstLo = dlo;
        in.ttl = ip.hopLimit();
        in.protocol = nh;
        in.l4Offset = ip.payloadOffset();
        in.l4Length = ip.payloadLength();
        return h.input(in, f, ctx);
    }
}
