package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;

/** ICMP (RFC 792): echo requests answered in place, echo replies handed to the {@link Pinger}. */
final class Icmpv4 implements ProtocolHandler {

    private final IpOutput out;
    private final Pinger pinger;
    private final ProtocolCounters stats;

    Icmpv4(IpOutput out, Pinger pinger, ProtocolCounters stats) {
        this.out = out;
        this.pinger = pinger;
        this.stats = stats;
    }

    @Override
    public boolean input(Inbound in, Frame f, PathContext ctx) {
        Ipv4Packet ip = ctx.ip4;
        IcmpPacket icmp = ctx.icmp;
        int icmpLen = in.l4Length;
        stats.count(Stat.ICMP_RECEIVED);
        if (!icmp.wrapChecked(f.segment(), in.l4Offset, icmpLen)) {
            stats.count(Stat.ICMP_SHORT);
            in.l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (!icmp.verifyChecksum()) {
            stats.count(Stat.ICMP_BAD_SUM);
            in.l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        if (icmp.type() == IcmpPacket.TYPE_ECHO_REPLY) {
            stats.count(Stat.ICMP_ECHO_REPLY_IN);
            pinger.reply(false, icmp.identifier(), icmp.sequence(), IpAddresses.fromV4(in.srcV4()),
                    icmp.payloadLength(), in.ttl);
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
        ip.setTtl(out.ttl);
        ip.fillChecksum();
        EthernetFrame eth = ctx.eth;
        eth.setDstMac(eth.srcMac());
        eth.setSrcMac(in.owner.mac.bits());
        f.length(EthernetFrame.HEADER_LEN + ip.totalLength());
        stats.count(Stat.ICMP_ECHO_REPLY_OUT);
        stats.count(Stat.IP_SENT);
        out.sendDirect(in.l3, f, ctx);
        return true;
    }
}
