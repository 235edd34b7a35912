package io.pktstack.api.wire;

import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.MemorySegment;

/**
 * Fuzz target {@code wire-ipv6}: IPv6 packets (RFC 8200) and ICMPv6 (RFC
 * 4443) with Neighbor Discovery (RFC 4861) and its options, and UDP over IPv6,
 * from arbitrary bytes. An accepted ND message has well-formed options; a
 * message whose checksum was filled in verifies.
 */
public final class Ipv6Fuzz {

    private static final Ipv6Packet IP = new Ipv6Packet();
    private static final Icmpv6Packet ICMP = new Icmpv6Packet();
    private static final UdpDatagram UDP = new UdpDatagram();
    private static final byte[] ADDR = new byte[16];

    private Ipv6Fuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        WireFuzz.Input in = WireFuzz.take(new FuzzInput(data));
        if (!IP.wrapChecked(in.seg(), in.off(), in.len())) {
            if (in.honest()) {
                transport(in.seg(), 0x2001_0db8_0000_0000L, 1, 0xfe80_0000_0000_0000L, 2);
            }
            return;
        }
        MemorySegment exact = WireFuzz.accepted(in, Ipv6Packet.HEADER_LEN, "IPv6");
        IP.wrap(exact, 0, in.len());
        WireFuzz.check(IP.payloadOffset() + IP.payloadLength() <= in.len(), "IPv6 payload beyond the packet");
        IP.copySrcTo(ADDR, 0);
        WireFuzz.same(Ipv6Packet.addrHi(ADDR, 0), IP.srcHi(), "src hi");
        WireFuzz.same(Ipv6Packet.addrLo(ADDR, 0), IP.srcLo(), "src lo");
        IP.copyDstTo(ADDR, 0);
        WireFuzz.use(IP.version() + IP.trafficClass() + IP.flowLabel() + IP.nextHeader() + IP.hopLimit() + IP.dstHi()
                + IP.dstLo() + ADDR[15]);
        transport(exact.asSlice(IP.payloadOffset(), IP.payloadLength()), IP.srcHi(), IP.srcLo(), IP.dstHi(), IP.dstLo());
    }

    private static void transport(MemorySegment seg, long sh, long sl, long dh, long dl) {
        int n = (int) seg.byteSize();
        if (ICMP.wrapChecked(seg, 0, n)) {
            WireFuzz.check(n >= Icmpv6Packet.HEADER_LEN, "ICMPv6 accepted " + n);
            WireFuzz.use(ICMP.type() + ICMP.code() + ICMP.checksum() + ICMP.restOfHeader() + ICMP.identifier()
                    + ICMP.sequence() + ICMP.payloadLength() + ICMP.optionsOffset()
                    + ICMP.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR) + ICMP.findOption(Icmpv6Packet.OPT_TARGET_LINK_ADDR)
                    + ICMP.sourceLinkLayerAddress() + ICMP.targetLinkLayerAddress()
                    + (ICMP.verifyChecksum(sh, sl, dh, dl) ? 1 : 0));
            int type = ICMP.type();
            if (type == Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION || type == Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT
                    || type == Icmpv6Packet.TYPE_REDIRECT) {
                ICMP.copyTargetTo(ADDR, 0);
                WireFuzz.same(Ipv6Packet.addrHi(ADDR, 0), ICMP.targetHi(), "target hi");
                WireFuzz.use(ICMP.targetLo() + (ICMP.routerFlag() ? 1 : 0) + (ICMP.solicitedFlag() ? 1 : 0)
                        + (ICMP.overrideFlag() ? 1 : 0));
                // RFC 4861 §4.6: an accepted ND message's options are well formed.
                WireFuzz.check(ICMP.findOption(-1) == Icmpv6Packet.NO_OPTION, "ND message accepted with bad options");
            }
            ICMP.fillChecksum(sh, sl, dh, dl);
            WireFuzz.check(ICMP.verifyChecksum(sh, sl, dh, dl), "an ICMPv6 message whose checksum was filled in does not verify");
        }
        if (UDP.wrapChecked(seg, 0, n)) {
            WireFuzz.check(UDP.payloadOffset() + UDP.payloadLength() <= n, "UDP payload beyond the datagram");
            WireFuzz.use(UDP.srcPort() + UDP.dstPort() + UDP.udpLength() + (UDP.verifyChecksumV6(sh, sl, dh, dl) ? 1 : 0));
            UDP.fillChecksumV6(sh, sl, dh, dl);
            WireFuzz.check(UDP.verifyChecksumV6(sh, sl, dh, dl), "a UDP/IPv6 datagram whose checksum was filled in does not verify");
        }
    }
}
