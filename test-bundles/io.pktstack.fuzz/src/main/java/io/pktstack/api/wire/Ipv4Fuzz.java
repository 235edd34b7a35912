package io.pktstack.api.wire;

import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.MemorySegment;

/**
 * Fuzz target {@code wire-ipv4}: IPv4 packets (RFC 791) and what they carry,
 * ICMP (RFC 792) and UDP (RFC 768), from arbitrary bytes. Beyond the view
 * rules: a header or datagram whose checksum was filled in verifies.
 */
public final class Ipv4Fuzz {

    private static final Ipv4Packet IP = new Ipv4Packet();
    private static final IcmpPacket ICMP = new IcmpPacket();
    private static final UdpDatagram UDP = new UdpDatagram();

    private Ipv4Fuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        WireFuzz.Input in = WireFuzz.take(new FuzzInput(data));
        if (!IP.wrapChecked(in.seg(), in.off(), in.len())) {
            if (in.honest()) {
                transport(in.seg(), 0, 0); // the transport views alone, on the raw bytes
            }
            return;
        }
        MemorySegment exact = WireFuzz.accepted(in, Ipv4Packet.MIN_HEADER_LEN, "IPv4");
        IP.wrap(exact, 0, in.len());
        int hl = IP.headerLength();
        int total = IP.totalLength();
        WireFuzz.check(hl >= 20 && hl <= total && total <= in.len(), "IPv4 lengths " + hl + "/" + total + "/" + in.len());
        WireFuzz.check(IP.payloadOffset() + IP.payloadLength() <= in.len(), "IPv4 payload beyond the packet");
        WireFuzz.same(IP.srcAddr(), IP.srcAddr(), "src");
        WireFuzz.use(IP.version() + IP.ihl() + IP.dscp() + IP.ecn() + IP.identification() + IP.flags()
                + IP.fragmentOffset() + IP.ttl() + IP.protocol() + IP.headerChecksum() + IP.dstAddr()
                + (IP.isFragment() ? 1 : 0) + (IP.dontFragment() ? 1 : 0) + (IP.moreFragments() ? 1 : 0)
                + IP.computeChecksum() + (IP.verifyChecksum() ? 1 : 0));
        transport(exact.asSlice(IP.payloadOffset(), IP.payloadLength()), IP.srcAddr(), IP.dstAddr());
        IP.fillChecksum();
        WireFuzz.check(IP.verifyChecksum(), "an IPv4 header whose checksum was filled in does not verify");
    }

    private static void transport(MemorySegment seg, int src, int dst) {
        int n = (int) seg.byteSize();
        if (ICMP.wrapChecked(seg, 0, n)) {
            WireFuzz.check(n >= IcmpPacket.HEADER_LEN, "ICMP accepted " + n);
            WireFuzz.use(ICMP.type() + ICMP.code() + ICMP.checksum() + ICMP.restOfHeader() + ICMP.identifier()
                    + ICMP.sequence() + ICMP.payloadLength() + (ICMP.verifyChecksum() ? 1 : 0));
            WireFuzz.check(ICMP.payloadOffset() + ICMP.payloadLength() <= n, "ICMP payload beyond the packet");
            ICMP.fillChecksum(n);
            WireFuzz.check(ICMP.verifyChecksum(), "an ICMP message whose checksum was filled in does not verify");
        }
        if (UDP.wrapChecked(seg, 0, n)) {
            int ul = UDP.udpLength();
            WireFuzz.check(ul >= UdpDatagram.HEADER_LEN && ul <= n, "UDP length " + ul + " of " + n);
            WireFuzz.check(UDP.payloadOffset() + UDP.payloadLength() <= n, "UDP payload beyond the datagram");
            WireFuzz.use(UDP.srcPort() + UDP.dstPort() + UDP.checksum() + UDP.payload().byteSize()
                    + (UDP.verifyChecksumV4(src, dst) ? 1 : 0));
            UDP.fillChecksumV4(src, dst);
            WireFuzz.check(UDP.verifyChecksumV4(src, dst), "a UDP datagram whose checksum was filled in does not verify");
        }
    }
}
