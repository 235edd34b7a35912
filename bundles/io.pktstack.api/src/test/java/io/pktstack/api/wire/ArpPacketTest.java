package io.pktstack.api.wire;

import static io.pktstack.testfixtures.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArpPacketTest {

    /** Odd headroom so that every multi-byte field is misaligned when building. */
    private static final int HEADROOM = 3;

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();

    @Test
    void parsesRequest() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ARP_REQUEST);
        assertTrue(eth.wrapChecked(seg, 0, 42));
        assertEquals(WireFixtures.BROADCAST_MAC, eth.dstMac());
        assertEquals(WireFixtures.HOST_MAC, eth.srcMac());
        assertEquals(EtherType.ARP, eth.etherType());
        assertTrue(arp.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(ArpPacket.HTYPE_ETHERNET, arp.htype());
        assertEquals(EtherType.IPV4, arp.ptype());
        assertEquals(6, arp.hlen());
        assertEquals(4, arp.plen());
        assertEquals(ArpPacket.OP_REQUEST, arp.oper());
        assertEquals(WireFixtures.HOST_MAC, arp.sha());
        assertEquals(WireFixtures.HOST_IP, arp.spa());
        assertEquals(0, arp.tha());
        assertEquals(WireFixtures.GW_IP, arp.tpa());
    }

    @Test
    void parsesReply() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ARP_REPLY);
        assertTrue(eth.wrapChecked(seg, 0, 42));
        assertTrue(arp.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(ArpPacket.OP_REPLY, arp.oper());
        assertEquals(WireFixtures.GW_MAC, arp.sha());
        assertEquals(WireFixtures.GW_IP, arp.spa());
        assertEquals(WireFixtures.HOST_MAC, arp.tha());
        assertEquals(WireFixtures.HOST_IP, arp.tpa());
    }

    @Test
    void buildsRequestByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(HEADROOM + 42);
            seg.fill((byte) 0xA5); // every byte must be written by a setter
            eth.wrap(seg, HEADROOM, 42);
            eth.setDstMac(WireFixtures.BROADCAST_MAC);
            eth.setSrcMac(WireFixtures.HOST_MAC);
            eth.setEtherType(EtherType.ARP);
            arp.wrap(seg, eth.payloadOffset(), ArpPacket.LENGTH);
            arp.setEthernetIpv4();
            arp.setOper(ArpPacket.OP_REQUEST);
            arp.setSha(WireFixtures.HOST_MAC);
            arp.setSpa(WireFixtures.HOST_IP);
            arp.setTha(0);
            arp.setTpa(WireFixtures.GW_IP);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.ARP_REQUEST)), hex(seg.asSlice(HEADROOM, 42)));
        }
    }

    @Test
    void buildsReplyByteExact() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(42);
            seg.fill((byte) 0x5A);
            eth.wrap(seg, 0, 42);
            eth.setDstMac(WireFixtures.HOST_MAC);
            eth.setSrcMac(WireFixtures.GW_MAC);
            eth.setEtherType(EtherType.ARP);
            arp.wrap(seg, eth.payloadOffset(), eth.payloadLength());
            arp.setHtype(1);
            arp.setPtype(0x0800);
            arp.setHlen(6);
            arp.setPlen(4);
            arp.setOper(ArpPacket.OP_REPLY);
            arp.setSha(WireFixtures.GW_MAC);
            arp.setSpa(WireFixtures.GW_IP);
            arp.setTha(WireFixtures.HOST_MAC);
            arp.setTpa(WireFixtures.HOST_IP);
            assertEquals(hex(WireFixtures.bytes(WireFixtures.ARP_REPLY)), hex(seg));
        }
    }

    @Test
    void acceptsEthernetPadding() {
        // On the wire the 42-byte request is padded to the 60-byte minimum (IEEE 802.3 §4.2.3.3).
        byte[] padded = Arrays.copyOf(WireFixtures.bytes(WireFixtures.ARP_REQUEST), 60);
        MemorySegment seg = MemorySegment.ofArray(padded);
        assertTrue(eth.wrapChecked(seg, 0, 60));
        assertEquals(46, eth.payloadLength());
        assertTrue(arp.wrapChecked(seg, eth.payloadOffset(), eth.payloadLength()));
        assertEquals(WireFixtures.GW_IP, arp.tpa());
    }

    @Test
    void checkedWrapRejectsEveryTruncation() {
        byte[] frame = WireFixtures.bytes(WireFixtures.ARP_REQUEST);
        MemorySegment body = MemorySegment.ofArray(frame).asSlice(14);
        for (int n = 0; n <= ArpPacket.LENGTH; n++) {
            MemorySegment exact = body.asSlice(0, n);
            assertEquals(n == ArpPacket.LENGTH, arp.wrapChecked(exact, 0, n), "length " + n);
        }
    }

    @Test
    void checkedWrapRejectsOtherHardwareAndProtocolLengths() {
        // hlen/plen decide where later fields lie; this view only knows 6 and 4.
        int[][] edits = {{4, 8}, {5, 16}, {1, 6}, {2, 0x86}};
        for (int[] edit : edits) {
            byte[] frame = WireFixtures.bytes(WireFixtures.ARP_REQUEST);
            MemorySegment seg = MemorySegment.ofArray(frame).asSlice(14);
            seg.set(ValueLayout.JAVA_BYTE, edit[0], (byte) edit[1]);
            assertFalse(arp.wrapChecked(seg, 0, 28), "byte " + edit[0] + " = " + edit[1]);
        }
    }
}
