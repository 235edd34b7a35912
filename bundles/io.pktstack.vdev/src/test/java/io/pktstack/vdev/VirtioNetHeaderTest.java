package io.pktstack.vdev;

import static io.pktstack.vdev.RingTestSupport.hexDump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {

    private static MemorySegment dirty(int size) {
        MemorySegment s = MemorySegment.ofArray(new byte[size]);
        s.fill((byte) 0xee);
        return s;
    }

    @Test
    void sizes() {
        assertEquals(12, VirtioNetHeader.size(false));
        assertEquals(10, VirtioNetHeader.size(true));
    }

    @Test
    void writeBytes() {
        MemorySegment s = dirty(16);
        VirtioNetHeader.write(s, 3, 12, 1); // unaligned on purpose
        assertEquals("0000: ee ee ee 00 00 00 00 00 00 00 00 00 00 01 00 ee\n", hexDump(s, 0, 16));
        s = dirty(12);
        VirtioNetHeader.write(s, 1, 10, 1);
        assertEquals("0000: ee 00 00 00 00 00 00 00 00 00 00 ee\n", hexDump(s, 0, 12));
        assertTrue(VirtioNetHeader.validate(s, 1, true));
    }

    @Test
    void mergedBuffersAndOffloadFieldsAsADriverWritesThem() {
        MemorySegment s = dirty(12);
        VirtioNetHeader.write(s, 0, 12, 3); // a packet spread over three receive buffers (MRG_RXBUF)
        assertEquals("0000: 00 00 00 00 00 00 00 00 00 00 03 00\n", hexDump(s, 0, 12));
        // What a Linux guest puts before a TSO segment: NEEDS_CSUM, TCPv4, hdr_len 66, gso_size 1448,
        // csum_start 34, csum_offset 16 (VIRTIO 1.2 §5.1.6.2).
        MemorySegment h = MemorySegment.ofArray(java.util.HexFormat.of().parseHex("0101" + "4200" + "a805" + "2200" + "1000" + "0000"));
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(h, 0));
        assertEquals(1, VirtioNetHeader.gsoType(h, 0));
        assertEquals(66, VirtioNetHeader.hdrLen(h, 0));
        assertEquals(1448, VirtioNetHeader.gsoSize(h, 0));
        assertEquals(34, VirtioNetHeader.csumStart(h, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(h, 0));
        assertEquals(0, VirtioNetHeader.numBuffers(h, 0));
        assertFalse(VirtioNetHeader.validate(h, 0, false), "a link without offloads refuses it");
    }

    @Test
    void validateAcceptsWhatWeWriteAndWhatATransmittingDriverWrites() {
        MemorySegment s = dirty(12);
        VirtioNetHeader.write(s, 0, 12, 1);
        assertTrue(VirtioNetHeader.validate(s, 0, false));
        s.set(ValueLayout.JAVA_BYTE, 10, (byte) 0); // num_buffers 0: the transmit form (§5.1.6.2)
        assertTrue(VirtioNetHeader.validate(s, 0, false));
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) VirtioNetHeader.F_DATA_VALID); // ignored bit
        assertTrue(VirtioNetHeader.validate(s, 0, false));
        s.set(ValueLayout.JAVA_BYTE, 2, (byte) 0x36); // hdr_len etc. are not used without offloads
        s.set(ValueLayout.JAVA_BYTE, 6, (byte) 0x22);
        assertTrue(VirtioNetHeader.validate(s, 0, false));
    }

    @Test
    void validateRejectsOffloadsAndMergedBuffers() {
        int[][] badBytes = {
            {0, VirtioNetHeader.F_NEEDS_CSUM},
            {0, 0xff},
            {1, 1},    // GSO_TCPV4
            {1, 5},    // GSO_UDP_L4
            {1, 0x80}, // ECN bit alone
            {10, 2},   // num_buffers 2
            {11, 1},   // num_buffers 256
        };
        for (int[] b : badBytes) {
            MemorySegment s = dirty(12);
            VirtioNetHeader.write(s, 0, 12, 1);
            s.set(ValueLayout.JAVA_BYTE, b[0], (byte) b[1]);
            assertFalse(VirtioNetHeader.validate(s, 0, false), "byte " + b[0] + " = " + b[1]);
        }
    }

    @Test
    void legacyHasNoNumBuffers() {
        MemorySegment s = dirty(12);
        VirtioNetHeader.write(s, 0, 10, 1);
        // bytes 10..11 belong to the packet in the legacy form
        assertTrue(VirtioNetHeader.validate(s, 0, true));
        assertTrue(VirtioNetHeader.validate(s.asSlice(0, 10), 0, true));
    }

    @Test
    void validateNeverReadsOutOfBounds() {
        MemorySegment s = MemorySegment.ofArray(new byte[12]);
        VirtioNetHeader.write(s, 0, 12, 1);
        assertFalse(VirtioNetHeader.validate(s, 1, false));
        assertFalse(VirtioNetHeader.validate(s, -1, false));
        assertFalse(VirtioNetHeader.validate(s, Long.MAX_VALUE, false));
        assertFalse(VirtioNetHeader.validate(s.asSlice(0, 11), 0, false));
        assertFalse(VirtioNetHeader.validate(MemorySegment.ofArray(new byte[5]), 0, true));
    }
}
