package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;

/**
 * ICMPv6 (RFC 4443): neighbour discovery messages to {@link NeighborDiscovery},
 * echo requests answered in place, echo replies to the {@link Pinger}.
 */
final class Icmpv6 implements ProtocolHandler {

    private final IpOutput out;
    private final NeighborDiscovery nd;
    private final Pinger pinger;
    private final ProtocolCounters stats;
    private RouterAdvertiser advertiser;
    private Autoconfig autoconfig;

    Icmpv6(IpOutput out, NeighborDiscovery nd, Pinger pinger, ProtocolCounters stats) {
        this.out = out;
        this.nd = nd;
        this.pinger = pinger;
        this.stats = stats;
    }

    void advertiser(RouterAdvertiser advertiser) {
        this.advertiser = advertiser;
    }

    void autoconfig(Autoconfig autoconfig) {
        this.autoconfig = autoconfig;
    }

    @Override
    public boolean input(Inbound in, Frame f, PathContext ctx) {
        Ipv6Packet ip = ctx.ip6;
        Icmpv6Packet icmp = ctx.icmp6;
        stats.count(Stat.ICMP6_RECEIVED);
        if (!icmp.wrapChecked(f.segment(), in.l4Offset, in.l4Length)) {
            stats.count(Stat.ICMP6_SHORT);
            in.l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (!icmp.verifyChecksum(ip)) {
            stats.count(Stat.ICMP6_BAD_SUM);
            in.l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        switch (icmp.type()) {
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION:
                stats.count(Stat.ICMP6_NS_IN);
                return nd.solicitation(in.l3, f, ctx);
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT:
                stats.count(Stat.ICMP6_NA_IN);
                nd.advertisement(in.l3, ctx);
                return false;
            case Icmpv6Packet.TYPE_ROUTER_SOLICITATION:
                if (advertiser != null) {
                    advertiser.solicitation(in.l3, ctx);
                    return false;
                }
                stats.count(Stat.ICMP6_OTHER);
                return false;
            case Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT:
                if (autoconfig != null) {
                    autoconfig.advertisement(in.l3, ctx);
                    return false;
                }
                stats.count(Stat.ICMP6_OTHER);
                return false;
            case Icmpv6Packet.TYPE_ECHO_REPLY:
                stats.count(Stat.ICMP6_ECHO_REPLY_IN);
                pinger.reply(true, icmp.identifier(), icmp.sequence(), IpAddresses.fromV6(in.srcHi, in.srcLo),
                        icmp.payloadLength(), in.ttl);
                return false;
            case Icmpv6Packet.TYPE_ECHO_REQUEST:
                stats.count(Stat.ICMP6_ECHO_IN);
                if (in.owner == null || icmp.code() != 0) {
                    return false; // no answer to multicast echo
                }
                icmp.setType(Icmpv6Packet.TYPE_ECHO_REPLY);
                ip.setSrc(in.dstHi, in.dstLo);
                ip.setDst(in.srcHi, in.srcLo);
                ip.setHopLimit(out.hopLimit);
                icmp.fillChecksum(ip);
                EthernetFrame eth = ctx.eth;
                eth.setDstMac(eth.srcMac());
                eth.setSrcMac(in.owner.mac.bits());
                f.length(EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + ip.payloadLength());
                stats.count(Stat.ICMP6_ECHO_REPLY_OUT);
                stats.count(Stat.IP6_SENT);
                out.sendDirect(in.l3, f, ctx);
                return true;
            default:
                stats.count(Stat.ICMP6_OTHER);
                return false;
        }
    }
}
