package io.pktstack.shell.internal;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.wire.ArpPacket;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.api.wire.UdpDatagram;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One line per frame in the layout of {@code tcpdump -e -n}, decoded with the
 * checked wire views so a malformed frame prints as such instead of failing.
 */
final class FrameSummary {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private FrameSummary() {
    }

    static String line(long epochMicros, boolean outbound, byte[] bytes) {
        Instant t = Instant.ofEpochSecond(epochMicros / 1_000_000);
        String time = TIME.format(t) + String.format(".%06d", epochMicros % 1_000_000);
        return time + (outbound ? " Out " : " In  ") + describe(bytes);
    }

    static String describe(byte[] bytes) {
        MemorySegment seg = MemorySegment.ofArray(bytes);
        EthernetFrame eth = new EthernetFrame();
        if (!eth.wrapChecked(seg, 0, bytes.length)) {
            return "[|ether] length " + bytes.length;
        }
        int type = eth.etherType();
        String head = new MacAddress(eth.srcMac()) + " > " + new MacAddress(eth.dstMac()) + ", ethertype "
                + EtherType.name(type) + " (0x" + String.format("%04x", type) + "), length " + bytes.length + ": ";
        long off = eth.payloadOffset();
        int len = eth.payloadLength();
        return head + switch (type) {
            case EtherType.ARP -> arp(seg, off, len);
            case EtherType.IPV4 -> ipv4(seg, off, len);
            case EtherType.IPV6 -> ipv6(seg, off, len);
            default -> "";
        };
    }

    private static String arp(MemorySegment seg, long off, int len) {
        ArpPacket a = new ArpPacket();
        if (!a.wrapChecked(seg, off, len)) {
            return "[|arp]";
        }
        return switch (a.oper()) {
            case ArpPacket.OP_REQUEST -> "ARP, Request who-has " + v4(a.tpa()) + " tell " + v4(a.spa()) + ", length 28";
            case ArpPacket.OP_REPLY -> "ARP, Reply " + v4(a.spa()) + " is-at " + new MacAddress(a.sha()) + ", length 28";
            default -> "ARP, op " + a.oper();
        };
    }

    private static String ipv4(MemorySegment seg, long off, int len) {
        Ipv4Packet ip = new Ipv4Packet();
        if (!ip.wrapChecked(seg, off, len)) {
            return "[|ip]";
        }
        String src = v4(ip.srcAddr());
        String dst = v4(ip.dstAddr());
        int plen = ip.totalLength() - ip.headerLength();
        switch (ip.protocol()) {
            case IpProtocol.ICMP -> {
                IcmpPacket icmp = new IcmpPacket();
                if (!icmp.wrapChecked(seg, ip.payloadOffset(), plen)) {
                    return src + " > " + dst + ": [|icmp]";
                }
                String what = switch (icmp.type()) {
                    case IcmpPacket.TYPE_ECHO_REQUEST -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
                    case IcmpPacket.TYPE_ECHO_REPLY -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
                    default -> "type " + icmp.type() + " code " + icmp.code();
                };
                return src + " > " + dst + ": ICMP " + what + ", length " + plen;
            }
            case IpProtocol.UDP -> {
                UdpDatagram u = new UdpDatagram();
                if (!u.wrapChecked(seg, ip.payloadOffset(), plen)) {
                    return src + " > " + dst + ": [|udp]";
                }
                return src + "." + u.srcPort() + " > " + dst + "." + u.dstPort() + ": UDP, length "
                        + (u.udpLength() - UdpDatagram.HEADER_LEN);
            }
            default -> {
                return src + " > " + dst + ": " + IpProtocol.name(ip.protocol()) + ", length " + plen;
            }
        }
    }

    private static String ipv6(MemorySegment seg, long off, int len) {
        Ipv6Packet ip = new Ipv6Packet();
        if (!ip.wrapChecked(seg, off, len)) {
            return "[|ip6]";
        }
        String src = v6(ip.srcHi(), ip.srcLo());
        String dst = v6(ip.dstHi(), ip.dstLo());
        int plen = ip.payloadLength();
        if (ip.nextHeader() == IpProtocol.ICMPV6) {
            Icmpv6Packet icmp = new Icmpv6Packet();
            if (!icmp.wrapChecked(seg, ip.payloadOffset(), plen)) {
                return src + " > " + dst + ": [|icmp6]";
            }
            String what = switch (icmp.type()) {
                case Icmpv6Packet.TYPE_ECHO_REQUEST -> "echo request, id " + icmp.identifier() + ", seq " + icmp.sequence();
                case Icmpv6Packet.TYPE_ECHO_REPLY -> "echo reply, id " + icmp.identifier() + ", seq " + icmp.sequence();
                case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION -> "neighbor solicitation, who has " + v6(icmp.targetHi(), icmp.targetLo());
                case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT -> "neighbor advertisement, tgt is " + v6(icmp.targetHi(), icmp.targetLo());
                default -> "type " + icmp.type();
            };
            return src + " > " + dst + ": ICMP6, " + what + ", length " + plen;
        }
        if (ip.nextHeader() == IpProtocol.UDP) {
            UdpDatagram u = new UdpDatagram();
            if (u.wrapChecked(seg, ip.payloadOffset(), plen)) {
                return src + "." + u.srcPort() + " > " + dst + "." + u.dstPort() + ": UDP, length "
                        + (u.udpLength() - UdpDatagram.HEADER_LEN);
            }
        }
        return src + " > " + dst + ": " + IpProtocol.name(ip.nextHeader()) + ", length " + plen;
    }

    private static String v4(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    private static String v6(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InterfaceList.format(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
