package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.wire.ArpPacket;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import java.net.InetAddress;

/**
 * ARP (RFC 826) for IPv4 over Ethernet: answers requests for the segment's
 * addresses in place, learns senders into the ARP table, asks who has an
 * address the stack sends to, and announces the stack's own addresses
 * (RFC 5227 §3).
 */
final class Arp {

    private final IpOutput out;
    private final ProtocolCounters stats;
    private NeighborCache table;

    Arp(IpOutput out, ProtocolCounters stats) {
        this.out = out;
        this.stats = stats;
    }

    void table(NeighborCache table) {
        this.table = table;
    }

    /** Returns true if it kept (answered with) the frame. */
    boolean input(NetInterface l3, Frame f, PathContext ctx) {
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
        NetInterface owner = Segments.ownerV4(l3, tpa);
        boolean validSender = spa != 0 && (sha & 0x01_0000_0000_00L) == 0;
        if (validSender) {
            // RFC 826: merge the sender into the table; add it only when the packet is for us.
            if (owner != null) {
                table.put(IpAddresses.fromV4(spa), new MacAddress(sha), l3.name, ctx);
            } else {
                table.refresh(IpAddresses.fromV4(spa), new MacAddress(sha), l3.name, ctx);
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
        out.sendDirect(l3, f, ctx);
        return true;
    }

    /** Broadcasts "who has {@code target}? tell {@code via}'s source address". */
    void request(Routing.Route via, InetAddress target, PathContext ctx) {
        send(via.nif(), IpAddresses.v4(via.source().address().getAddress()), IpAddresses.v4(target.getAddress()),
                ctx);
    }

    /** A gratuitous ARP for one of {@code owner}'s addresses: a request for itself. */
    void announce(NetInterface owner, InterfaceAddress a, PathContext ctx) {
        int ip = IpAddresses.v4(a.address().getAddress());
        send(owner, ip, ip, ctx);
    }

    private void send(NetInterface nif, int spa, int tpa, PathContext ctx) {
        Frame f = out.take(nif);
        if (f == null) {
            return;
        }
        EthernetFrame eth = out.ethernet(ctx, f, nif, EtherType.ARP, ArpPacket.LENGTH);
        eth.setDstMac(MacAddress.BROADCAST.bits());
        ArpPacket a = ctx.arp.wrap(f.segment(), eth.payloadOffset(), ArpPacket.LENGTH);
        a.setEthernetIpv4();
        a.setOper(ArpPacket.OP_REQUEST);
        a.setSha(nif.mac.bits());
        a.setSpa(spa);
        a.setTha(0);
        a.setTpa(tpa);
        stats.count(Stat.ARP_REQUEST_OUT);
        out.sendNow(nif, f, ctx);
    }
}
