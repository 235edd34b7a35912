package io.pktstack.vdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VirtqueueLayoutTest {

    @Test
    void offsetsForFourEntriesAtZero() {
        VirtqueueLayout l = VirtqueueLayout.of(4, 0);
        assertEquals(4, l.queueSize());
        assertEquals(0, l.descTable());
        assertEquals(16, l.descriptor(1));
        assertEquals(48, l.descriptor(3));
        // avail: 4 + 2*4 + 2 = 14 bytes at 64
        assertEquals(64, l.availRing());
        assertEquals(64, l.availFlags());
        assertEquals(66, l.availIdx());
        assertEquals(68, l.availEntry(0));
        assertEquals(74, l.availEntry(3));
        assertEquals(76, l.usedEvent());
        // used: 78 padded to 80 (4-aligned, §2.7); 4 + 8*4 + 2 = 38 bytes
        assertEquals(80, l.usedRing());
        assertEquals(80, l.usedFlags());
        assertEquals(82, l.usedIdx());
        assertEquals(84, l.usedEntry(0));
        assertEquals(108, l.usedEntry(3));
        assertEquals(116, l.availEvent());
        assertEquals(118, l.end());
        assertEquals(118, l.totalSize());
        assertEquals(118, VirtqueueLayout.sizeOf(4));
    }

    @Test
    void offsetsMoveWithTheBase() {
        VirtqueueLayout l = VirtqueueLayout.of(4, 4096);
        assertEquals(4096, l.descTable());
        assertEquals(4096 + 64, l.availRing());
        assertEquals(4096 + 80, l.usedRing());
        assertEquals(4096 + 116, l.availEvent());
        assertEquals(4096 + 118, l.end());
        assertEquals(118, l.totalSize());
    }

    @Test
    void sizesAndAlignment() {
        assertEquals(66, VirtqueueLayout.sizeOf(2));          // 32 + 10 -> 44, + 22
        assertEquals(4096 + 520 + 2054, VirtqueueLayout.sizeOf(256));
        assertEquals(851982, VirtqueueLayout.sizeOf(32768));  // 524288 + 65542 -> 589832, + 262150
        for (int n = 2; n <= VirtqueueLayout.MAX_QUEUE_SIZE; n <<= 1) {
            VirtqueueLayout l = VirtqueueLayout.of(n, 16 * 7);
            assertEquals(0, l.descTable() % 16);
            assertEquals(0, l.availRing() % 2);
            assertEquals(0, l.usedRing() % 4);
            assertTrue(l.usedRing() >= l.usedEvent() + 2);
            assertEquals(VirtqueueLayout.sizeOf(n), l.totalSize());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-4, 0, 1, 3, 6, 1000, 32769, 65536, Integer.MIN_VALUE})
    void rejectsBadQueueSizes(int n) {
        assertThrows(IllegalArgumentException.class, () -> VirtqueueLayout.of(n, 0));
        assertThrows(IllegalArgumentException.class, () -> VirtqueueLayout.sizeOf(n));
    }

    @ParameterizedTest
    @ValueSource(longs = {-16, 8, 4097, Long.MAX_VALUE - 15})
    void rejectsBadBases(long base) {
        assertThrows(IllegalArgumentException.class, () -> VirtqueueLayout.of(4, base));
    }

    @Test
    void valueSemantics() {
        assertEquals(VirtqueueLayout.of(8, 32), VirtqueueLayout.of(8, 32));
        assertEquals(VirtqueueLayout.of(8, 32).hashCode(), VirtqueueLayout.of(8, 32).hashCode());
        assertFalse(VirtqueueLayout.of(8, 32).equals(VirtqueueLayout.of(8, 48)));
    }

    @Test
    void needEventMatchesVringNeedEvent() {
        assertTrue(VirtqueueLayout.needEvent(0, 1, 0));        // first entry, event 0
        assertFalse(VirtqueueLayout.needEvent(0, 2, 1));       // already passed
        assertTrue(VirtqueueLayout.needEvent(5, 10, 3));       // event inside [old, new)
        assertFalse(VirtqueueLayout.needEvent(10, 10, 3));     // entry 10 not written yet
        assertTrue(VirtqueueLayout.needEvent(9, 10, 3));
        assertFalse(VirtqueueLayout.needEvent(2, 10, 3));      // before old
        assertFalse(VirtqueueLayout.needEvent(0, 7, 7));       // nothing new
        // across the 16-bit wrap
        assertTrue(VirtqueueLayout.needEvent(0xffff, 1, 0xfffe));
        assertTrue(VirtqueueLayout.needEvent(0, 1, 0xffff));
        assertFalse(VirtqueueLayout.needEvent(0xfffe, 1, 0xffff));
        assertFalse(VirtqueueLayout.needEvent(1, 1, 0xffff));
    }
}
