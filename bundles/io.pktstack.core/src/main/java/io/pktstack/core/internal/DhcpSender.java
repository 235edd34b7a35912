package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.UdpDatagram;
import io.pktstack.core.internal.dhcp.DhcpMessage;
import java.net.InetAddress;

/**
 * Sends DHCP messages the three ways RFC 2131 §4.1 needs: a broadcast from
 * a client that may have no address yet (0.0.0.0 to 255.255.255.255), a
 * unicast to a hardware address the server must not ARP for (the client
 * has no address until it takes the offer), and an ordinary unicast routed
 * and resolved like any datagram (renewals and answers to them).
 */
final class DhcpSender {

    static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    private final IpOutput out;
    private final Routing routing;

    DhcpSender(IpOutput out, Routing routing) {
        this.out = out;
        this.routing = routing;
    }

    /** Broadcast ({@code dstMac} all ones, {@code dst} -1) or to a known MAC, out of {@code nif} as it is. */
    void direct(NetInterface nif, DhcpMessage m, int src, int srcPort, int dst, int dstPort, long dstMac,
            PathContext ctx) {
        Frame f = build(nif, m, src, srcPort, dst, dstPort, ctx);
        if (f != null) {
            Forwarder.setDstMac(f, dstMac);
            out.sendDirect(nif, f, ctx);
            ctx.flush();
        }
    }

    /** Unicast to {@code dst} by the routing table, from {@code src}; false if there is no route. */
    boolean routed(DhcpMessage m, int src, int srcPort, int dst, int dstPort, PathContext ctx) {
        InetAddress to = IpAddresses.fromV4(dst);
        Routing.Route r = routing.lookup(to);
        if (r == null) {
            return false;
        }
        Frame f = build(r.nif(), m, src, srcPort, dst, dstPort, ctx);
        if (f != null) {
            out.send(r, to, f, ctx);
            ctx.flush();
        }
        return true;
    }

    private Frame build(NetInterface nif, DhcpMessage m, int src, int srcPort, int dst, int dstPort, PathContext ctx) {
        int payload = m.length();
        int udpLen = UdpDatagram.HEADER_LEN + payload;
        Frame f = out.take(nif);
        if (f == null) {
            return null;
        }
        out.ethernet(ctx, f, nif, EtherType.IPV4, Ipv4Packet.MIN_HEADER_LEN + udpLen);
        Ipv4Packet ip = out.ipv4Header(ctx, f, src, dst, udpLen, IpProtocol.UDP);
        UdpDatagram u = ctx.udp.wrap(f.segment(), ip.payloadOffset(), udpLen);
        u.setSrcPort(srcPort);
        u.setDstPort(dstPort);
        u.setUdpLength(udpLen);
        u.setChecksum(0);
        m.write(f.segment(), u.payloadOffset());
        u.fillChecksum(ip);
        return f;
    }

    /** The DHCP message in a datagram the UDP input validated ({@code ctx.udp} wraps it). */
    static DhcpMessage parse(Inbound in, Frame f, PathContext ctx) throws DhcpMessage.MalformedException {
        UdpDatagram u = ctx.udp;
        return DhcpMessage.parse(f.segment(), u.payloadOffset(), u.payloadLength());
    }
}
