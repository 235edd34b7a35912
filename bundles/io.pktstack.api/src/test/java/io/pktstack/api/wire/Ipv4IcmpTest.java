package io.pktstack.api.wire;

import static io.pktstack.testfixtures.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** IPv4 (RFC 791) and ICMP echo (RFC 792), on the ping fixtures. */
class Ipv4IcmpTest {

    private static final int HEADROOM = 1;
    private static final int FRAME_LEN = 98;
    private static final int ICMP_OFFSET = 14 + 20;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();

    private void parse(MemorySegment seg) {
        assertTrue(eth.wrapChecked(seg, 0, (int) seg.byteSize()));
        assertEquals(EtherType.IPV4, eth.etherType());
        assertTrue(ip.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(IpProtocol.ICMP, ip.protocol());
        assertTrue(icmp.wrapChecked(seg, ip.payloadOffset(), ip.payloadLength()));
    }

    @Test
    void parsesEchoRequest() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ICMP_ECHO_REQUEST);
        parse(seg);
        assertEquals(4, ip.version());
        assertEquals(5, ip.ihl());
        assertEquals(20, ip.headerLength());
        assertEquals(0, ip.dscp());
        assertEquals(0, ip.ecn());
        assertEquals(84, ip.totalLength());
        assertEquals(0x1c46, ip.identification());
        assertEquals(Ipv4Packet.FLAG_DF, ip.flags());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertFalse(ip.isFragment());
        assertEquals(0, ip.fragmentOffset());
        assertEquals(64, ip.ttl());
        assertEquals(0x0653, ip.headerChecksum());
        assertEquals(WireFixtures.HOST_IP, ip.srcAddr());
        assertEquals(WireFixtures.GW_IP, ip.dstAddr());
        assertTrue(ip.verifyChecksum());
        assertEquals(0x0653, ip.computeChecksum());
        assertEquals(ICMP_OFFSET, ip.payloadOffset());
        assertEquals(64, ip.payloadLength());

        assertEquals(IcmpPacket.TYPE_ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x772c, icmp.checksum());
        assertEquals(0x0d2a, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertEquals(0x0d2a_0001, icmp.restOfHeader());
        assertEquals(56, icmp.payloadLength());
        assertEquals(0x10, seg.get(ValueLayout.JAVA_BYTE, icmp.payloadOffset() + 16));
        assertTrue(icmp.verifyChecksum());
        assertEquals(0x772c, icmp.computeChecksum(64));
    }

    @Test
    void parsesEchoReply() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ICMP_ECHO_REPLY);
        parse(seg);
        assertEquals(0x8b1e, ip.identification());
        assertEquals(0, ip.flags());
        assertEquals(255, ip.ttl());
        assertEquals(0x187a, ip.headerChecksum());
        assertEquals(WireFixtures.GW_IP, ip.srcAddr());
        assertEquals(WireFixtures.HOST_IP, ip.dstAddr());
        assertTrue(ip.verifyChecksum());
        assertEquals(IcmpPacket.TYPE_ECHO_REPLY, icmp.type());
        assertEquals(0x7f2c, icmp.checksum());
        assertEquals(0x0d2a, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertTrue(icmp.verifyChecksum());
    }

    /** Writes a complete ping frame into fresh memory full of junk. */
    private MemorySegment build(Arena arena, boolean request) {
        MemorySegment seg = arena.allocate(HEADROOM + FRAME_LEN);
        seg.fill((byte) 0xA5);
        eth.wrap(seg, HEADROOM, FRAME_LEN);
        eth.setDstMac(request ? WireFixtures.GW_MAC : WireFixtures.HOST_MAC);
        eth.setSrcMac(request ? WireFixtures.HOST_MAC : WireFixtures.GW_MAC);
        eth.setEtherType(EtherType.IPV4);

        ip.wrap(seg, eth.payloadOffset(), eth.payloadLength());
        ip.setVersion(4);
        ip.setIhl(5);
        ip.setDscp(0);
        ip.setEcn(0);
        ip.setTotalLength(84);
        ip.setIdentification(request ? 0x1c46 : 0x8b1e);
        ip.setFlags(request ? Ipv4Packet.FLAG_DF : 0);
        ip.setFragmentOffset(0);
        ip.setTtl(request ? 64 : 255);
        ip.setProtocol(IpProtocol.ICMP);
        ip.setSrcAddr(request ? WireFixtures.HOST_IP : WireFixtures.GW_IP);
        ip.setDstAddr(request ? WireFixtures.GW_IP : WireFixtures.HOST_IP);
        ip.fillChecksum();

        icmp.wrap(seg, ip.payloadOffset(), ip.payloadLength());
        icmp.setType(request ? IcmpPacket.TYPE_ECHO_REQUEST : IcmpPacket.TYPE_ECHO_REPLY);
        icmp.setCode(0);
        icmp.setIdentifier(0x0d2a);
        icmp.setSequence(1);
        MemorySegment data = WireFixtures.segment(WireFixtures.ICMP_ECHO_REQUEST).asSlice(ICMP_OFFSET + 8);
        MemorySegment.copy(data, 0, seg, icmp.payloadOffset(), data.byteSize());
        icmp.fillChecksum();
        return seg.asSlice(HEADROOM, FRAME_LEN);
    }

    @Test
    void buildsEchoRequestAndReplyByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(hex(WireFixtures.bytes(WireFixtures.ICMP_ECHO_REQUEST)), hex(build(arena, true)));
            assertEquals(hex(WireFixtures.bytes(WireFixtures.ICMP_ECHO_REPLY)), hex(build(arena, false)));
        }
    }

    @Test
    void fillChecksumWithExplicitLengthIgnoresSlack() {
        // Emit path: wrap the whole free buffer, write a 64-byte message, checksum those 64.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(200);
            MemorySegment.copy(WireFixtures.segment(WireFixtures.ICMP_ECHO_REQUEST), ICMP_OFFSET, seg, 0, 64);
            seg.asSlice(64).fill((byte) 0x77);
            icmp.wrap(seg, 0, 200);
            icmp.setChecksum(0xdead);
            icmp.fillChecksum(64);
            assertEquals(0x772c, icmp.checksum());
            assertThrows(IndexOutOfBoundsException.class, () -> icmp.fillChecksum(201));
            assertThrows(IndexOutOfBoundsException.class, () -> icmp.fillChecksum(7));
        }
    }

    @Test
    void wellKnownHeaderChecksum() {
        MemorySegment seg = WireFixtures.segment("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertFalse(ip.wrapChecked(seg, 0, 20)); // total length 0x73 exceeds these 20 bytes
        ip.wrap(seg, 0, 20);
        assertTrue(ip.verifyChecksum());
        assertEquals(0xb861, ip.computeChecksum());
        assertEquals(0xc0a8_00c7, ip.dstAddr());
    }

    @Test
    void checksumsFailWhenAnyByteIsFlipped() {
        byte[] frame = WireFixtures.bytes(WireFixtures.ICMP_ECHO_REQUEST);
        for (int i = 14; i < frame.length; i++) {
            byte[] bad = frame.clone();
            bad[i] ^= (byte) 0xFF;
            MemorySegment seg = MemorySegment.ofArray(bad);
            ip.wrap(seg, 14, 84);
            icmp.wrap(seg, ICMP_OFFSET, 64);
            if (i < ICMP_OFFSET) {
                assertFalse(ip.verifyChecksum(), "IPv4 header byte " + i);
                assertTrue(icmp.verifyChecksum());
            } else {
                assertTrue(ip.verifyChecksum());
                assertFalse(icmp.verifyChecksum(), "ICMP byte " + i);
            }
        }
    }

    @Test
    void checkedWrapRejectsEveryTruncation() {
        MemorySegment packet = WireFixtures.segment(WireFixtures.ICMP_ECHO_REQUEST).asSlice(14);
        for (int n = 0; n <= 84; n++) {
            assertEquals(n == 84, ip.wrapChecked(packet.asSlice(0, n), 0, n), "IPv4 length " + n);
        }
        MemorySegment message = packet.asSlice(20);
        for (int n = 0; n <= 64; n++) {
            assertEquals(n >= IcmpPacket.HEADER_LEN, icmp.wrapChecked(message.asSlice(0, n), 0, n), "ICMP length " + n);
        }
    }

    @Test
    void checkedWrapRejectsBogusLengthFields() {
        assertFalse(wrapEdited(2, 0x00, 3, 85), "total length past the buffer");
        assertFalse(wrapEdited(2, 0xFF, 3, 0xFF), "total length 65535");
        assertFalse(wrapEdited(2, 0x00, 3, 19), "total length below the header");
        assertFalse(wrapEdited(0, 0x44, 0, 0x44), "IHL 4");
        assertFalse(wrapEdited(0, 0x40, 0, 0x40), "IHL 0");
    }

    @Test
    void ihlBeyondTotalLengthIsRejected() {
        // IHL 15 (60 bytes) with total length 40: the header would overrun the datagram.
        assertFalse(wrapEdited(0, 0x4F, 3, 40));
        // IHL 6 with total length 84 is acceptable: a 4-byte option, 60 bytes of payload.
        assertTrue(wrapEdited(0, 0x46, 3, 84));
        assertEquals(24, ip.headerLength());
        assertEquals(60, ip.payloadLength());
        assertFalse(wrapEdited(0, 0x65, 0, 0x65), "version 6");
    }

    /** Applies two byte edits to the echo request's IPv4 packet, then a checked wrap on an exact slice. */
    private boolean wrapEdited(int at1, int v1, int at2, int v2) {
        byte[] frame = WireFixtures.bytes(WireFixtures.ICMP_ECHO_REQUEST);
        frame[14 + at1] = (byte) v1;
        frame[14 + at2] = (byte) v2;
        return ip.wrapChecked(MemorySegment.ofArray(frame).asSlice(14), 0, 84);
    }

    @Test
    void payloadStopsAtTotalLengthNotAtPadding() {
        byte[] frame = WireFixtures.bytes(WireFixtures.ICMP_ECHO_REQUEST);
        byte[] padded = java.util.Arrays.copyOf(frame, frame.length + 10);
        MemorySegment seg = MemorySegment.ofArray(padded);
        assertTrue(eth.wrapChecked(seg, 0, padded.length));
        assertTrue(ip.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(94, ip.length());
        assertEquals(64, ip.payloadLength());
        assertEquals(64, ip.payload().byteSize());
    }

    @Test
    void fragmentFieldsAreIndependent() {
        MemorySegment seg = MemorySegment.ofArray(new byte[20]);
        ip.wrap(seg, 0, 20);
        ip.setFragmentOffset(0x1FFF);
        ip.setFlags(Ipv4Packet.FLAG_MF);
        assertEquals(0x1FFF, ip.fragmentOffset());
        assertTrue(ip.moreFragments());
        assertTrue(ip.isFragment());
        ip.setFlags(Ipv4Packet.FLAG_DF);
        ip.setFragmentOffset(0);
        assertFalse(ip.isFragment());
        assertTrue(ip.dontFragment());
        ip.setDscp(46);
        ip.setEcn(1);
        assertEquals(46, ip.dscp());
        assertEquals(1, ip.ecn());
        assertEquals((46 << 2) | 1, seg.get(ValueLayout.JAVA_BYTE, 1) & 0xFF);
    }
}
