package io.pktstack.api.wire;

import static io.pktstack.testfixtures.WireFixtures.DOC_HI;
import static io.pktstack.testfixtures.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** UDP (RFC 768) over IPv4 and IPv6 (RFC 8200 §8.1). */
class UdpDatagramTest {

    private static final int HEADROOM = 7;
    private static final int V4_UDP_OFFSET = 14 + 20;
    private static final int V6_UDP_OFFSET = 14 + 40;
    private static final byte[] DNS_QUERY = WireFixtures.bytes(
            "abcd 0100 0001 0000 0000 0000 0765 7861 6d70 6c65 0363 6f6d 0000 0100 01");
    private static final byte[] HELLO = "hello pktstack\n".getBytes(StandardCharsets.US_ASCII);

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip4 = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final UdpDatagram udp = new UdpDatagram();

    @Test
    void parsesUdpOverIpv4() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.UDP_IPV4);
        assertTrue(eth.wrapChecked(seg, 0, 71));
        assertTrue(ip4.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertTrue(ip4.verifyChecksum());
        assertEquals(IpProtocol.UDP, ip4.protocol());
        assertEquals(WireFixtures.DNS_IP, ip4.dstAddr());
        assertTrue(udp.wrapChecked(seg, ip4.payloadOffset(), ip4.payloadLength()));
        assertEquals(54321, udp.srcPort());
        assertEquals(53, udp.dstPort());
        assertEquals(37, udp.udpLength());
        assertEquals(0x97f0, udp.checksum());
        assertEquals(V4_UDP_OFFSET + 8, udp.payloadOffset());
        assertEquals(29, udp.payloadLength());
        assertEquals(hex(DNS_QUERY), hex(udp.payload()));
        assertTrue(udp.verifyChecksum(ip4));
        assertEquals(0x97f0, udp.computeChecksumV4(WireFixtures.HOST_IP, WireFixtures.DNS_IP));
    }

    @Test
    void parsesUdpOverIpv6() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.UDP_IPV6);
        assertTrue(eth.wrapChecked(seg, 0, 77));
        assertTrue(ip6.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(0xb8, ip6.trafficClass());
        assertEquals(0x12345, ip6.flowLabel());
        assertEquals(23, ip6.payloadLength());
        assertEquals(IpProtocol.UDP, ip6.nextHeader());
        assertEquals(64, ip6.hopLimit());
        assertTrue(udp.wrapChecked(seg, ip6.payloadOffset(), ip6.payloadLength()));
        assertEquals(40000, udp.srcPort());
        assertEquals(7, udp.dstPort());
        assertEquals(23, udp.udpLength());
        assertEquals(0xfd65, udp.checksum());
        assertEquals(hex(HELLO), hex(udp.payload()));
        assertTrue(udp.verifyChecksum(ip6));
        assertTrue(udp.verifyChecksumV6(DOC_HI, 1, DOC_HI, 2));
        assertEquals(0xfd65, udp.computeChecksumV6(DOC_HI, 1, DOC_HI, 2));
    }

    @Test
    void buildsUdpOverIpv4ByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(HEADROOM + 71);
            seg.fill((byte) 0xA5);
            eth.wrap(seg, HEADROOM, 71);
            eth.setDstMac(WireFixtures.GW_MAC);
            eth.setSrcMac(WireFixtures.HOST_MAC);
            eth.setEtherType(EtherType.IPV4);
            ip4.wrap(seg, eth.payloadOffset(), 57);
            ip4.setVersion(4);
            ip4.setIhl(5);
            ip4.setDscp(0);
            ip4.setEcn(0);
            ip4.setTotalLength(57);
            ip4.setIdentification(0x4d2f);
            ip4.setFlags(Ipv4Packet.FLAG_DF);
            ip4.setFragmentOffset(0);
            ip4.setTtl(64);
            ip4.setProtocol(IpProtocol.UDP);
            ip4.setSrcAddr(WireFixtures.HOST_IP);
            ip4.setDstAddr(WireFixtures.DNS_IP);
            ip4.fillChecksum();
            udp.wrap(seg, ip4.payloadOffset(), 37);
            udp.setSrcPort(54321);
            udp.setDstPort(53);
            udp.setUdpLength(37);
            MemorySegment.copy(DNS_QUERY, 0, seg, ValueLayout.JAVA_BYTE, udp.payloadOffset(), DNS_QUERY.length);
            udp.fillChecksum(ip4);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.UDP_IPV4)), hex(seg.asSlice(HEADROOM)));
        }
    }

    @Test
    void buildsUdpOverIpv6ByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(HEADROOM + 77);
            seg.fill((byte) 0xA5);
            eth.wrap(seg, HEADROOM, 77);
            eth.setDstMac(WireFixtures.PEER_MAC);
            eth.setSrcMac(WireFixtures.HOST_MAC);
            eth.setEtherType(EtherType.IPV6);
            ip6.wrap(seg, eth.payloadOffset(), 63);
            ip6.setVersion(6);
            ip6.setTrafficClass(0xb8);
            ip6.setFlowLabel(0x12345);
            ip6.setPayloadLength(23);
            ip6.setNextHeader(IpProtocol.UDP);
            ip6.setHopLimit(64);
            ip6.setSrc(DOC_HI, 1);
            ip6.setDst(DOC_HI, 2);
            udp.wrap(seg, ip6.payloadOffset(), 23);
            udp.setSrcPort(40000);
            udp.setDstPort(7);
            udp.setUdpLength(23);
            MemorySegment.copy(HELLO, 0, seg, ValueLayout.JAVA_BYTE, udp.payloadOffset(), HELLO.length);
            udp.fillChecksum(ip6);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.UDP_IPV6)), hex(seg.asSlice(HEADROOM)));
        }
    }

    @Test
    void checksumFailsWhenAnyByteIsFlipped() {
        byte[] v4 = WireFixtures.bytes(WireFixtures.UDP_IPV4);
        for (int i = V4_UDP_OFFSET; i < v4.length; i++) {
            byte[] bad = v4.clone();
            bad[i] ^= (byte) 0xFF;
            udp.wrap(MemorySegment.ofArray(bad), V4_UDP_OFFSET, 37);
            assertFalse(udp.verifyChecksumV4(WireFixtures.HOST_IP, WireFixtures.DNS_IP), "IPv4 datagram byte " + i);
        }
        udp.wrap(MemorySegment.ofArray(v4), V4_UDP_OFFSET, 37);
        assertFalse(udp.verifyChecksumV4(WireFixtures.HOST_IP, WireFixtures.DNS_IP ^ 0x100), "pseudo-header address");

        byte[] v6 = WireFixtures.bytes(WireFixtures.UDP_IPV6);
        for (int i = V6_UDP_OFFSET; i < v6.length; i++) {
            byte[] bad = v6.clone();
            bad[i] ^= (byte) 0xFF;
            udp.wrap(MemorySegment.ofArray(bad), V6_UDP_OFFSET, 23);
            assertFalse(udp.verifyChecksumV6(DOC_HI, 1, DOC_HI, 2), "IPv6 datagram byte " + i);
        }
        udp.wrap(MemorySegment.ofArray(v6), V6_UDP_OFFSET, 23);
        assertFalse(udp.verifyChecksumV6(DOC_HI, 1, DOC_HI, 3), "pseudo-header address");
    }

    @Test
    void zeroChecksumMeansNoneOverIpv4OnlyAndComputedZeroIsSentAsOnes() {
        byte[] v4 = WireFixtures.bytes(WireFixtures.UDP_IPV4);
        v4[V4_UDP_OFFSET + 6] = 0;
        v4[V4_UDP_OFFSET + 7] = 0;
        udp.wrap(MemorySegment.ofArray(v4), V4_UDP_OFFSET, 37);
        assertTrue(udp.verifyChecksumV4(0x0102_0304, 0x0506_0708), "RFC 768: zero means not computed");

        byte[] v6 = WireFixtures.bytes(WireFixtures.UDP_IPV6);
        v6[V6_UDP_OFFSET + 6] = 0;
        v6[V6_UDP_OFFSET + 7] = 0;
        udp.wrap(MemorySegment.ofArray(v6), V6_UDP_OFFSET, 23);
        assertFalse(udp.verifyChecksumV6(DOC_HI, 1, DOC_HI, 2), "RFC 8200 §8.1: zero is invalid over IPv6");

        // Put the checksum value into the data: the datagram then sums to all ones, so
        // the computed checksum is 0 and must go out as 0xFFFF (RFC 768).
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        udp.wrap(seg, 0, 10);
        udp.setSrcPort(1);
        udp.setDstPort(2);
        udp.setUdpLength(10);
        int c = udp.computeChecksumV4(WireFixtures.HOST_IP, WireFixtures.GW_IP);
        seg.set(NetOrder.U16, 8, (short) c);
        udp.fillChecksumV4(WireFixtures.HOST_IP, WireFixtures.GW_IP);
        assertEquals(0xFFFF, udp.checksum());
        assertTrue(udp.verifyChecksumV4(WireFixtures.HOST_IP, WireFixtures.GW_IP));
    }

    @Test
    void checkedWrapRejectsEveryTruncationAndBogusLengths() {
        MemorySegment datagram = WireFixtures.segment(WireFixtures.UDP_IPV4).asSlice(V4_UDP_OFFSET);
        for (int n = 0; n <= 37; n++) {
            assertEquals(n == 37, udp.wrapChecked(datagram.asSlice(0, n), 0, n), "length " + n);
        }
        for (int bogus : new int[] {0, 7, 38, 0xFFFF}) {
            byte[] bytes = datagram.toArray(ValueLayout.JAVA_BYTE);
            bytes[4] = (byte) (bogus >>> 8);
            bytes[5] = (byte) bogus;
            assertFalse(udp.wrapChecked(MemorySegment.ofArray(bytes), 0, 37), "length field " + bogus);
        }
        byte[] headerOnly = datagram.toArray(ValueLayout.JAVA_BYTE);
        headerOnly[5] = 8;
        assertTrue(udp.wrapChecked(MemorySegment.ofArray(headerOnly), 0, 37));
        assertEquals(0, udp.payloadLength());
    }

    @Test
    void ipv4PaddingDoesNotLeakIntoUdp() {
        byte[] padded = Arrays.copyOf(WireFixtures.bytes(WireFixtures.UDP_IPV4), 71 + 9);
        Arrays.fill(padded, 71, padded.length, (byte) 0xEE);
        MemorySegment seg = MemorySegment.ofArray(padded);
        assertTrue(eth.wrapChecked(seg, 0, padded.length));
        assertTrue(ip4.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(37, ip4.payloadLength());
        assertTrue(udp.wrapChecked(seg, ip4.payloadOffset(), ip4.payloadLength()));
        assertTrue(udp.verifyChecksum(ip4));
    }
}
