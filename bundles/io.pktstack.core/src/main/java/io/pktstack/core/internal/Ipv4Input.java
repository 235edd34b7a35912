package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;

/**
 * IPv4 input (RFC 791, RFC 1122 §3.2.1): checks the header, keeps packets
 * addressed to the segment's addresses, and hands each to the handler of its
 * protocol number.
 */
final class Ipv4Input {

    private final ProtocolHandler[] handlers = new ProtocolHandler[256];
    private final ProtocolCounters stats;

    Ipv4Input(ProtocolCounters stats) {
        this.stats = stats;
    }

    void register(int protocol, ProtocolHandler handler) {
        handlers[protocol] = handler;
    }

    /** Returns true if a handler kept the frame. */
    boolean input(NetInterface l3, Frame f, PathContext ctx) {
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
            l3.drop(DropReason.FRAGMENT, 1);
            return false;
        }
        NetInterface owner = Segments.ownerV4(l3, ip.dstAddr());
        if (owner == null) {
            stats.count(Stat.IP_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        ProtocolHandler h = handlers[ip.protocol()];
        if (h == null) {
            stats.count(Stat.IP_NO_PROTO);
            l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
            return false;
        }
        stats.count(Stat.IP_DELIVERED);
        Inbound in = ctx.in;
        in.l3 = l3;
        in.owner = owner;
        in.v6 = false;
        in.srcHi = 0;
        in.srcLo = ip.srcAddr() & 0xFFFF_FFFFL;
        in.dstHi = 0;
        in.dstLo = ip.dstAddr() & 0xFFFF_FFFFL;
        in.ttl = ip.ttl();
        in.protocol = ip.protocol();
        in.l4Offset = ip.payloadOffset();
        in.l4Length = ip.totalLength() - ip.headerLength();
        return h.input(in, f, ctx);
    }
}
