package io.pktstack.vdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Translation of guest addresses through a memory table, the way QEMU lays a
 * VM out: low memory below 640 KiB, a hole, the rest from 768 KiB, each a
 * region with its own user address. Hostile ranges (outside every region,
 * into the hole, wrapping around 2^64) never translate; regions that
 * overlap or wrap are refused when the table is built.
 */
class GuestMemoryTest {

    static final long LOW = 0xa0000;      // 640 KiB at guest address 0
    static final long HIGH_GPA = 0xc0000; // 768 KiB ...
    static final long HIGH = 0x40000;     // ... 256 KiB of it
    final MemorySegment low = MemorySegment.ofArray(new byte[(int) LOW]);
    final MemorySegment high = MemorySegment.ofArray(new byte[(int) HIGH]);
    final GuestMemory mem = new GuestMemory(List.of(
            new GuestMemory.Region(0, 0x7f00_0000_0000L, low),
            new GuestMemory.Region(HIGH_GPA, 0x7f00_1000_0000L, high)));

    private DescriptorChain translate(long gpa, long len) throws RingViolation {
        DescriptorChain c = new DescriptorChain(4);
        mem.translate(gpa, len, c);
        return c;
    }

    @Test
    void aBufferInEitherRegionIsItsSegmentAtTheRightOffset() throws RingViolation {
        DescriptorChain c = translate(0x1000, 1500);
        assertEquals(1, c.count());
        assertTrue(c.segment(0) == low || c.segment(0).equals(low));
        assertEquals(0x1000, c.offset(0));
        assertEquals(1500, c.length(0));
        c = translate(HIGH_GPA + 0x100, 64);
        assertEquals(0x100, c.offset(0));
        assertEquals(HIGH, c.segment(0).byteSize());
        c = translate(HIGH_GPA + HIGH - 8, 8);
        assertEquals(HIGH - 8, c.offset(0), "the last bytes of a region");
    }

    @Test
    void aBufferAcrossAdjacentRegionsIsSplitAtTheEdge() throws RingViolation {
        MemorySegment a = MemorySegment.ofArray(new byte[4096]);
        MemorySegment b = MemorySegment.ofArray(new byte[4096]);
        GuestMemory adjacent = new GuestMemory(List.of(new GuestMemory.Region(0x10000, 0x500000, a),
                new GuestMemory.Region(0x11000, 0x900000, b)));
        DescriptorChain c = new DescriptorChain(4);
        adjacent.translate(0x10f00, 0x200, c);
        assertEquals(2, c.count());
        assertEquals(0xf00, c.offset(0));
        assertEquals(0x100, c.length(0));
        assertEquals(0, c.offset(1));
        assertEquals(0x100, c.length(1));
        assertEquals(0x11000, c.address(1));
        assertEquals(0x200, c.totalLength());
    }

    @ParameterizedTest(name = "gpa={0} len={1}")
    @CsvSource({
        "0x9ff00, 0x200",                 // runs from low memory into the hole
        "0xa0000, 0x1",                   // the hole
        "0xbffff, 0x2",                   // from the hole into high memory
        "0x100000, 0x1",                  // just past high memory
        "0xfffffffffffff000, 0x2000",     // wraps around 2^64
        "0x7f0000000000, 0x10",           // a user address is not a guest address
    })
    void hostileRangesDoNotTranslate(String gpa, String len) {
        long g = Long.parseUnsignedLong(gpa.substring(2), 16);
        long l = Long.parseLong(len.substring(2), 16);
        RingViolation e = assertThrows(RingViolation.class, () -> translate(g, l));
        assertTrue(e.getMessage().contains("not inside guest memory"), e.getMessage());
    }

    @Test
    void aChainWithNoRoomLeftIsAViolation() throws RingViolation {
        DescriptorChain c = new DescriptorChain(1);
        mem.translate(0, 10, c);
        RingViolation e = assertThrows(RingViolation.class, () -> mem.translate(20, 10, c));
        assertTrue(e.getMessage().contains("more than 1 buffers"), e.getMessage());
    }

    @Test
    void ringsAreFoundByUserAddressInsideOneRegion() {
        MemorySegment ring = mem.userRange(0x7f00_1000_0000L + 0x2000, 4096);
        assertEquals(4096, ring.byteSize());
        assertNull(mem.userRange(0x7f00_1000_0000L + HIGH - 100, 4096), "runs off the region's end");
        assertNull(mem.userRange(0x7f00_0000_0000L - 16, 32), "starts before the region");
        assertNull(mem.userRange(0x2000, 16), "a guest address is not a user address");
        assertNull(mem.userRange(-16, 32), "wraps around");
    }

    @Test
    void tablesWithOverlapsWrapsOrTheWrongCountAreRefused() {
        MemorySegment s = MemorySegment.ofArray(new byte[8192]);
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(List.of(
                new GuestMemory.Region(0, 0x10000, s), new GuestMemory.Region(4096, 0x90000, s))), "guest overlap");
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(List.of(
                new GuestMemory.Region(0, 0x10000, s), new GuestMemory.Region(0x90000, 0x11000, s))), "user overlap");
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.checkLayout(new long[] {-4096},
                new long[] {0}, new long[] {8192}), "wraps");
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.checkLayout(new long[] {0},
                new long[] {0}, new long[] {0}), "empty");
        long[] nine = new long[9];
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.checkLayout(nine, nine, nine), "nine regions");
    }
}
