package io.pktstack.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {

    private final EthernetFrame eth = new EthernetFrame();

    @Test
    void parsesHeader() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ICMP_ECHO_REQUEST);
        assertTrue(eth.wrapChecked(seg, 0, (int) seg.byteSize()));
        assertEquals(WireFixtures.GW_MAC, eth.dstMac());
        assertEquals(WireFixtures.HOST_MAC, eth.srcMac());
        assertEquals(EtherType.IPV4, eth.etherType());
        assertEquals(14, eth.payloadOffset());
        assertEquals(84, eth.payloadLength());
        assertEquals(84, eth.payload().byteSize());
    }

    @Test
    void settersRoundTripFullWidthValues() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            assertSame(eth, eth.wrap(seg, 3, 60));
            eth.setDstMac(0xFFFF_FFFF_FFFFL);
            eth.setSrcMac(0x8000_0000_0001L);
            eth.setEtherType(0x88b5);
            assertEquals(0xFFFF_FFFF_FFFFL, eth.dstMac());
            assertEquals(0x8000_0000_0001L, eth.srcMac());
            assertEquals(0x88b5, eth.etherType());
            assertEquals("0x88b5", EtherType.name(eth.etherType()));
            assertEquals(0, seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2)); // headroom untouched
        }
    }

    @Test
    void reusesOneViewAcrossFrames() {
        MemorySegment a = WireFixtures.segment(WireFixtures.ARP_REQUEST);
        MemorySegment b = WireFixtures.segment(WireFixtures.IPV6_NS);
        assertTrue(eth.wrapChecked(a, 0, (int) a.byteSize()));
        assertEquals(EtherType.ARP, eth.etherType());
        assertTrue(eth.wrapChecked(b, 0, (int) b.byteSize()));
        assertEquals(EtherType.IPV6, eth.etherType());
    }

    @Test
    void checkedWrapRejectsShortFramesAndBadRanges() {
        byte[] frame = WireFixtures.bytes(WireFixtures.ARP_REQUEST);
        MemorySegment whole = MemorySegment.ofArray(frame);
        for (int n = 0; n < EthernetFrame.HEADER_LEN; n++) {
            assertFalse(eth.wrapChecked(whole.asSlice(0, n), 0, n), "length " + n);
        }
        assertTrue(eth.wrapChecked(whole.asSlice(0, 14), 0, 14));
        assertFalse(eth.wrapChecked(whole, -1, 20));
        assertFalse(eth.wrapChecked(whole, 0, -1));
        assertFalse(eth.wrapChecked(whole, 30, 14)); // runs past the segment
        assertFalse(eth.wrapChecked(whole, Long.MAX_VALUE, 14));
        assertFalse(eth.wrapChecked(whole, 0, Integer.MAX_VALUE));
    }

    @Test
    void failedCheckedWrapLeavesViewAsItWas() {
        MemorySegment seg = WireFixtures.segment(WireFixtures.ARP_REQUEST);
        assertTrue(eth.wrapChecked(seg, 0, 42));
        assertFalse(eth.wrapChecked(seg, 0, 5));
        assertEquals(42, eth.length());
        assertEquals(EtherType.ARP, eth.etherType());
    }
}
