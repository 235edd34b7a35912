package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;

/**
 * IPv4 input (RFC 791, RFC 1122 §3.2.1): checks the header, keeps packets
 * addressed to the stack's addresses (those of the segment it arrived on,
 * and those of other interfaces: the weak host model of RFC 1122 §3.3.4.2,
 * as BSD), reassembles fragments, and hands each packet to the handler of its
 * protocol number. A packet for another host is forwarded when forwarding is
 * on ({@link IpForwarding}); a limited or directed broadcast goes to UDP only
 * (DHCP). No handler for the protocol: a protocol unreachable (RFC 1122 §3.2.2.1).
 */
final class Ipv4Input {

    private final ProtocolHandler[] handlers = new ProtocolHandler[256];
    private final ProtocolCounters stats;
    private IpForwarding forwarding;
    private Reassembly reassembly;
    private IcmpErrors icmp;
    private PacketFilterService pf;

    Ipv4Input(ProtocolCounters stats) {
        this.stats = stats;
    }

    void register(int protocol, ProtocolHandler handler) {
        handlers[protocol] = handler;
    }

    void router(IpForwarding forwarding, Reassembly reassembly, IcmpErrors icmp, PacketFilterService pf) {
        this.forwarding = forwarding;
        this.reassembly = reassembly;
        this.icmp = icmp;
        this.pf = pf;
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
        if (pf.enabled) {
            // pf sees whole datagrams (its "set reassemble yes"): a fragment waits for the rest first.
            if (ip.isFragment()) {
                Frame whole = reassembly.inputV4(l3, f);
                if (whole != null) {
                    wrapWhole(ctx, whole);
                    if (!pf.inbound(l3, whole, ctx) || !route(l3, whole, ctx)) {
                        whole.release();
                    }
                }
                return true;
            }
            if (!pf.inbound(l3, f, ctx)) {
                return false;
            }
        }
        return route(l3, f, ctx);
    }

    /** Delivers the packet (its own, or a broadcast), forwards it, or drops it as not ours. Returns true if kept. */
    private boolean route(NetInterface l3, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        int dst = ip.dstAddr();
        NetInterface owner = Segments.ownerV4(l3, dst);
        if (owner == null && forwarding.table().localV4(dst) != null) {
            owner = l3; // another interface's address: ours too; the answer leaves by the link it came in on
        }
        if (owner == null) {
            if (Forwarder.dstMac(f) == BROADCAST_MAC) {
                return broadcast(l3, f, dst, ctx);
            }
            if (forwarding.v4) {
                return forwarding.forwardV4(l3, f, ctx);
            }
            stats.count(Stat.IP_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        if (ip.isFragment()) {
            Frame whole = reassembly.inputV4(l3, f);
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

    private static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    /**
     * A packet in a broadcast frame for none of our addresses: to the limited
     * broadcast address or a directed broadcast of the segment's prefixes it
     * goes to UDP (DHCP, RFC 2131 §4.1), else it is not ours.
     */
    private boolean broadcast(NetInterface l3, Frame f, int dst, PathContext ctx) {
        boolean ours = dst == -1 || Segments.directedBroadcastV4(l3, dst);
        if (!ours || ctx.ip4.protocol() != IpProtocol.UDP || ctx.ip4.isFragment()) {
            stats.count(Stat.IP_NOT_OURS);
            l3.drop(DropReason.NOT_FOR_US, 1);
            return false;
        }
        return deliver(l3, l3, f, ctx);
    }

    private boolean deliver(NetInterface l3, NetInterface owner, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        ProtocolHandler h = handlers[ip.protocol()];
        if (h == null) {
            stats.count(Stat.IP_NO_PROTO);
            l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
            icmp.unreachableV4(l3, f, IcmpErrors.UNREACH_PROTOCOL, 0, ctx);
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

    /** Points the thread's Ethernet and IP views at a reassembled datagram: the handlers answer from them. */
    private static void wrapWhole(PathContext ctx, Frame whole) {
        ctx.eth.wrap(whole.segment(), whole.offset(), whole.length());
        ctx.ip4.wrap(whole.segment(), whole.offset() + EthernetFrame.HEADER_LEN, whole.length() - EthernetFrame.HEADER_LEN);
    }
}
