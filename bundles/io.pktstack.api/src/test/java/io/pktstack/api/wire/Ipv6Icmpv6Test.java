package io.pktstack.api.wire;

import static io.pktstack.testfixtures.WireFixtures.DOC_HI;
import static io.pktstack.testfixtures.WireFixtures.GW_LL_LO;
import static io.pktstack.testfixtures.WireFixtures.HOST_LL_LO;
import static io.pktstack.testfixtures.WireFixtures.LINK_LOCAL_HI;
import static io.pktstack.testfixtures.WireFixtures.SOLICITED_HI;
import static io.pktstack.testfixtures.WireFixtures.SOLICITED_LO;
import static io.pktstack.testfixtures.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** IPv6 (RFC 8200), ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861). */
class Ipv6Icmpv6Test {

    private static final int HEADROOM = 5;
    private static final int ND_FRAME_LEN = 86;
    private static final int ICMP_OFFSET = 14 + 40;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv6Packet ip = new Ipv6Packet();
    private final Icmpv6Packet icmp = new Icmpv6Packet();

    private void parse(MemorySegment seg) {
        assertTrue(eth.wrapChecked(seg, 0, (int) seg.byteSize()));
        assertEquals(EtherType.IPV6, eth.etherType());
        assertTrue(ip.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(IpProtocol.ICMPV6, ip.nextHeader());
        assertTrue(icmp.wrapChecked(seg, ip.payloadOffset(), ip.payloadLength()));
    }

    @Test
    void parsesNeighborSolicitation() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.IPV6_NS);
        parse(seg);
        assertEquals(0x3333_ff00_0002L, eth.dstMac()); // RFC 2464 §7 multicast mapping
        assertEquals(6, ip.version());
        assertEquals(0, ip.trafficClass());
        assertEquals(0, ip.flowLabel());
        assertEquals(32, ip.payloadLength());
        assertEquals(255, ip.hopLimit()); // RFC 4861 §7.1.1
        assertEquals(LINK_LOCAL_HI, ip.srcHi());
        assertEquals(HOST_LL_LO, ip.srcLo());
        assertEquals(SOLICITED_HI, ip.dstHi());
        assertEquals(SOLICITED_LO, ip.dstLo());
        assertEquals(ICMP_OFFSET, ip.payloadOffset());

        assertEquals(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x7220, icmp.checksum());
        assertTrue(icmp.verifyChecksum(ip));
        assertEquals(0x7220, icmp.computeChecksum(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo()));
        assertEquals(0, icmp.restOfHeader());
        assertEquals(LINK_LOCAL_HI, icmp.targetHi());
        assertEquals(GW_LL_LO, icmp.targetLo());
        assertEquals(24, icmp.optionsOffset());
        assertEquals(24, icmp.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR));
        assertEquals(Icmpv6Packet.NO_OPTION, icmp.findOption(Icmpv6Packet.OPT_TARGET_LINK_ADDR));
        assertEquals(WireFixtures.HOST_MAC, icmp.sourceLinkLayerAddress());
        assertEquals(-1, icmp.targetLinkLayerAddress());
    }

    @Test
    void parsesNeighborAdvertisement() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.IPV6_NA);
        parse(seg);
        assertEquals(LINK_LOCAL_HI, ip.srcHi());
        assertEquals(GW_LL_LO, ip.srcLo());
        assertEquals(HOST_LL_LO, ip.dstLo());
        assertEquals(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT, icmp.type());
        assertEquals(0x3809, icmp.checksum());
        assertTrue(icmp.verifyChecksum(ip));
        assertFalse(icmp.routerFlag());
        assertTrue(icmp.solicitedFlag());
        assertTrue(icmp.overrideFlag());
        assertEquals(GW_LL_LO, icmp.targetLo());
        assertEquals(WireFixtures.GW_MAC, icmp.targetLinkLayerAddress());
        assertEquals(-1, icmp.sourceLinkLayerAddress());
    }

    @Test
    void parsesEchoRequest() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ICMPV6_ECHO_REQUEST);
        parse(seg);
        assertEquals(64, ip.hopLimit());
        assertEquals(DOC_HI, ip.srcHi());
        assertEquals(1, ip.srcLo());
        assertEquals(DOC_HI, ip.dstHi());
        assertEquals(2, ip.dstLo());
        assertEquals(Icmpv6Packet.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0x3621, icmp.checksum());
        assertEquals(0x1f2e, icmp.identifier());
        assertEquals(7, icmp.sequence());
        assertEquals(16, icmp.payloadLength());
        assertEquals(-1, icmp.optionsOffset());
        assertEquals(Icmpv6Packet.NO_OPTION, icmp.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR));
        assertTrue(icmp.verifyChecksum(ip));
    }

    @Test
    void addressesCopyToAndFromBytes() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.IPV6_NS);
        parse(seg);
        byte[] src = new byte[18];
        ip.copySrcTo(src, 2);
        assertEquals("0000fe800000000000005054" + "00fffe123456", hex(src));
        byte[] target = new byte[16];
        icmp.copyTargetTo(target, 0);
        assertEquals("fe800000000000000000000000000002", hex(target));
        assertEquals(LINK_LOCAL_HI, Ipv6Packet.addrHi(target, 0));
        assertEquals(GW_LL_LO, Ipv6Packet.addrLo(target, 0));

        byte[] dst = new byte[16];
        ip.copyDstTo(dst, 0);
        ip.setSrc(dst, 0);
        ip.setDst(src, 2);
        assertEquals(SOLICITED_LO, ip.srcLo());
        assertEquals(HOST_LL_LO, ip.dstLo());
        byte[] back = new byte[16];
        ip.copySrcTo(back, 0);
        assertArrayEquals(dst, back);
    }

    private MemorySegment newFrame(Arena arena, int length) {
        MemorySegment seg = arena.allocate(HEADROOM + length);
        seg.fill((byte) 0xA5);
        eth.wrap(seg, HEADROOM, length);
        return seg;
    }

    private void ipv6(int payloadLength, int nextHeader, int hopLimit, long srcHi, long srcLo, long dstHi, long dstLo) {
        ip.wrap(eth.segment(), eth.payloadOffset(), eth.payloadLength());
        ip.setVersion(6);
        ip.setTrafficClass(0);
        ip.setFlowLabel(0);
        ip.setPayloadLength(payloadLength);
        ip.setNextHeader(nextHeader);
        ip.setHopLimit(hopLimit);
        ip.setSrc(srcHi, srcLo);
        ip.setDst(dstHi, dstLo);
        icmp.wrap(ip.segment(), ip.payloadOffset(), payloadLength);
    }

    @Test
    void buildsNeighborSolicitationByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = newFrame(arena, ND_FRAME_LEN);
            eth.setDstMac(0x3333_ff00_0002L);
            eth.setSrcMac(WireFixtures.HOST_MAC);
            eth.setEtherType(EtherType.IPV6);
            ipv6(32, IpProtocol.ICMPV6, 255, LINK_LOCAL_HI, HOST_LL_LO, SOLICITED_HI, SOLICITED_LO);
            icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION);
            icmp.setCode(0);
            icmp.setRestOfHeader(0);
            icmp.setTarget(LINK_LOCAL_HI, GW_LL_LO);
            int end = icmp.setLinkLayerAddressOption(24, Icmpv6Packet.OPT_SOURCE_LINK_ADDR, WireFixtures.HOST_MAC);
            assertEquals(32, end);
            icmp.fillChecksum(ip);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.IPV6_NS)), hex(seg.asSlice(HEADROOM)));
        }
    }

    @Test
    void buildsNeighborAdvertisementByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = newFrame(arena, ND_FRAME_LEN);
            eth.setDstMac(WireFixtures.HOST_MAC);
            eth.setSrcMac(WireFixtures.GW_MAC);
            eth.setEtherType(EtherType.IPV6);
            ipv6(32, IpProtocol.ICMPV6, 255, LINK_LOCAL_HI, GW_LL_LO, LINK_LOCAL_HI, HOST_LL_LO);
            icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
            icmp.setCode(0);
            icmp.setNaFlags(false, true, true);
            icmp.setTarget(LINK_LOCAL_HI, GW_LL_LO);
            icmp.setLinkLayerAddressOption(24, Icmpv6Packet.OPT_TARGET_LINK_ADDR, WireFixtures.GW_MAC);
            icmp.fillChecksum(LINK_LOCAL_HI, GW_LL_LO, LINK_LOCAL_HI, HOST_LL_LO);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.IPV6_NA)), hex(seg.asSlice(HEADROOM)));
        }
    }

    @Test
    void buildsEchoRequestByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = newFrame(arena, 78);
            eth.setDstMac(WireFixtures.PEER_MAC);
            eth.setSrcMac(WireFixtures.HOST_MAC);
            eth.setEtherType(EtherType.IPV6);
            ipv6(24, IpProtocol.ICMPV6, 64, DOC_HI, 1, DOC_HI, 2);
            icmp.setType(Icmpv6Packet.TYPE_ECHO_REQUEST);
            icmp.setCode(0);
            icmp.setIdentifier(0x1f2e);
            icmp.setSequence(7);
            byte[] data = "pktstack ping6!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_BYTE, icmp.payloadOffset(), data.length);
            icmp.fillChecksum(ip);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.ICMPV6_ECHO_REQUEST)), hex(seg.asSlice(HEADROOM)));
        }
    }

    @Test
    void trafficClassAndFlowLabelDoNotDisturbEachOther() {
        MemorySegment seg = MemorySegment.ofArray(new byte[40]);
        ip.wrap(seg, 0, 40);
        ip.setFlowLabel(0xFFFFF);
        ip.setTrafficClass(0xFF);
        ip.setVersion(6);
        assertEquals(0x6FFF_FFFF, seg.get(NetOrder.U32, 0));
        ip.setTrafficClass(0xb8);
        ip.setFlowLabel(0x12345);
        assertEquals(6, ip.version());
        assertEquals(0xb8, ip.trafficClass());
        assertEquals(0x12345, ip.flowLabel());
    }

    @Test
    void checksumFailsWhenAnyByteOrPseudoHeaderChanges() {
        for (String fixture : new String[] {WireFixtures.IPV6_NS, WireFixtures.IPV6_NA, WireFixtures.ICMPV6_ECHO_REQUEST}) {
            byte[] frame = WireFixtures.bytes(fixture);
            int len = frame.length - ICMP_OFFSET;
            for (int i = ICMP_OFFSET; i < frame.length; i++) {
                byte[] bad = frame.clone();
                bad[i] ^= (byte) 0xFF;
                MemorySegment seg = MemorySegment.ofArray(bad);
                ip.wrap(seg, 14, 40 + len);
                icmp.wrap(seg, ICMP_OFFSET, len);
                assertFalse(icmp.verifyChecksum(ip), "byte " + i);
            }
            // The pseudo-header binds the addresses (RFC 4443 §2.3).
            for (int i = 14 + 8; i < ICMP_OFFSET; i++) {
                byte[] bad = frame.clone();
                bad[i] ^= 0x01;
                MemorySegment seg = MemorySegment.ofArray(bad);
                ip.wrap(seg, 14, 40 + len);
                icmp.wrap(seg, ICMP_OFFSET, len);
                assertFalse(icmp.verifyChecksum(ip), "address byte " + i);
            }
        }
    }

    @Test
    void ipv6CheckedWrapRejectsEveryTruncationAndBogusLengths() {
        MemorySegment packet = WireFixtures.segment(WireFixtures.IPV6_NS).asSlice(14);
        for (int n = 0; n <= 72; n++) {
            assertEquals(n == 72, ip.wrapChecked(packet.asSlice(0, n), 0, n), "length " + n);
        }
        byte[] bytes = packet.toArray(ValueLayout.JAVA_BYTE);
        bytes[5] = 33; // payload length one past the buffer
        assertFalse(ip.wrapChecked(MemorySegment.ofArray(bytes), 0, 72));
        bytes[4] = (byte) 0xFF;
        assertFalse(ip.wrapChecked(MemorySegment.ofArray(bytes), 0, 72));
        bytes = packet.toArray(ValueLayout.JAVA_BYTE);
        bytes[0] = 0x40; // version 4
        assertFalse(ip.wrapChecked(MemorySegment.ofArray(bytes), 0, 72));
    }

    @Test
    void neighborMessageAcceptedOnlyWithWholeFixedPartAndOptions() {
        // An NS is 24 bytes plus whole options: of the truncations only 24 (no options) and 32 are valid.
        for (String fixture : new String[] {WireFixtures.IPV6_NS, WireFixtures.IPV6_NA}) {
            MemorySegment message = WireFixtures.segment(fixture).asSlice(ICMP_OFFSET);
            for (int n = 0; n <= 32; n++) {
                boolean ok = icmp.wrapChecked(message.asSlice(0, n), 0, n);
                assertEquals(Set.of(24, 32).contains(n), ok, "length " + n);
                if (n == 24) {
                    assertEquals(-1, icmp.sourceLinkLayerAddress());
                    assertEquals(-1, icmp.targetLinkLayerAddress());
                }
            }
        }
        MemorySegment echo = WireFixtures.segment(WireFixtures.ICMPV6_ECHO_REQUEST).asSlice(ICMP_OFFSET);
        for (int n = 0; n <= 24; n++) {
            assertEquals(n >= 8, icmp.wrapChecked(echo.asSlice(0, n), 0, n), "echo length " + n);
        }
    }

    @Test
    void malformedOptionsAreRejected() {
        byte[] message = WireFixtures.segment(WireFixtures.IPV6_NS).asSlice(ICMP_OFFSET).toArray(ValueLayout.JAVA_BYTE);

        byte[] zeroLength = message.clone();
        zeroLength[25] = 0; // RFC 4861 §4.6: length 0 is invalid
        MemorySegment seg = MemorySegment.ofArray(zeroLength);
        assertFalse(icmp.wrapChecked(seg, 0, 32));
        icmp.wrap(seg, 0, 32);
        assertEquals(Icmpv6Packet.MALFORMED_OPTIONS, icmp.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR));
        assertEquals(-1, icmp.sourceLinkLayerAddress());

        byte[] tooLong = message.clone();
        tooLong[25] = 2; // 16 bytes, only 8 present
        seg = MemorySegment.ofArray(tooLong);
        assertFalse(icmp.wrapChecked(seg, 0, 32));
        icmp.wrap(seg, 0, 32);
        assertEquals(Icmpv6Packet.MALFORMED_OPTIONS, icmp.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR));

        byte[] maxLength = message.clone();
        maxLength[25] = (byte) 0xFF;
        assertFalse(icmp.wrapChecked(MemorySegment.ofArray(maxLength), 0, 32));
    }

    @Test
    void findsOptionAfterOthers() {
        // NS with a nonce option (RFC 3971 §5.3.2, type 14, 8 bytes) before the source link-layer address.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(40);
            icmp.wrap(seg, 0, 40);
            icmp.setType(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION);
            icmp.setTarget(LINK_LOCAL_HI, GW_LL_LO);
            seg.set(ValueLayout.JAVA_BYTE, 24, (byte) 14);
            seg.set(ValueLayout.JAVA_BYTE, 25, (byte) 1);
            int end = icmp.setLinkLayerAddressOption(32, Icmpv6Packet.OPT_SOURCE_LINK_ADDR, WireFixtures.PEER_MAC);
            assertEquals(40, end);
            MemorySegment exact = seg.asSlice(0, 40);
            assertTrue(icmp.wrapChecked(exact, 0, 40));
            assertEquals(32, icmp.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR));
            assertEquals(24, icmp.findOption(14));
            assertEquals(WireFixtures.PEER_MAC, icmp.sourceLinkLayerAddress());
        }
    }
}
