package io.pktstack.api.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FramePoolTest {

    private final FramePool pool = new FramePool(8, FramePool.DEFAULT_SLOT_SIZE);

    @AfterEach
    void poolIsFullAgain() {
        assertEquals(pool.capacity(), pool.available(), "frames leaked");
        pool.close();
    }

    @Test
    void freshPoolIsFull() {
        assertEquals(8, pool.capacity());
        assertEquals(8, pool.available());
        assertEquals(FramePool.DEFAULT_SLOT_SIZE, pool.slotSize());
    }

    @Test
    void takeGivesAnEmptyFrameWithFullHeadroom() {
        Frame f = pool.take();
        assertEquals(7, pool.available());
        assertEquals(FramePool.HEADROOM, f.offset());
        assertEquals(0, f.length());
        assertEquals(-1, f.inputPort());
        assertEquals(FramePool.DEFAULT_SLOT_SIZE, f.capacity());
        assertSame(pool, f.pool());
        assertSame(f, pool.frame(f.index()));
        f.release();
    }

    @Test
    void aReusedFrameIsResetNotLeftAsTheLastOwnerSetIt() {
        Frame f = pool.take();
        f.set(0, 100);
        f.inputPort(3);
        f.release();
        Frame again = pool.take(); // the free list is a stack: the same slot comes back
        assertSame(f, again);
        assertEquals(FramePool.HEADROOM, again.offset());
        assertEquals(0, again.length());
        assertEquals(-1, again.inputPort());
        again.release();
    }

    @Test
    void framesHaveDistinctNonOverlappingSlots() {
        Frame[] all = new Frame[8];
        assertEquals(8, pool.take(all, 8));
        Set<Integer> indexes = new HashSet<>();
        for (Frame f : all) {
            indexes.add(f.index());
            f.segment().fill((byte) f.index());
        }
        assertEquals(8, indexes.size());
        for (Frame f : all) {
            assertEquals((byte) f.index(), f.segment().get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) f.index(), f.segment().get(ValueLayout.JAVA_BYTE, f.capacity() - 1));
        }
        pool.release(all, 8);
        for (Frame f : all) {
            assertNull(f, "release(Frame[], n) nulls the slots it returned");
        }
    }

    @Test
    void exhaustedPoolReturnsNullAndShortCountsNeverBlocks() {
        Frame[] first = new Frame[5];
        assertEquals(5, pool.take(first, 5));
        Frame[] second = new Frame[5];
        assertEquals(3, pool.take(second, 5), "only what is left");
        assertNull(second[3]);
        assertEquals(0, pool.available());
        assertNull(pool.take());
        assertEquals(0, pool.take(new Frame[4], 4));
        pool.release(first, 5);
        pool.release(second, 3);
        assertEquals(8, pool.available());
    }

    @Test
    void doubleReleaseIsRefused() {
        Frame f = pool.take();
        f.release();
        IllegalStateException e = assertThrows(IllegalStateException.class, f::release);
        assertTrue(e.getMessage().contains("released twice"), e.getMessage());
        assertEquals(8, pool.available(), "the refused release changed nothing");
    }

    @Test
    void releasingAFrameOfAnotherPoolIsRefused() {
        try (FramePool other = new FramePool(1, 256)) {
            Frame f = other.take();
            assertNotNull(f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(f));
            assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
            f.release();
            assertEquals(1, other.available());
        }
    }

    @Test
    void badPoolSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FramePool(0, 2048));
        assertThrows(IllegalArgumentException.class, () -> new FramePool(1, FramePool.HEADROOM + 63));
        new FramePool(1, FramePool.HEADROOM + 64).close();
    }

    @Test
    void poolsDoNotShareMemory() {
        try (FramePool other = new FramePool(1, 256)) {
            Frame a = pool.take();
            Frame b = other.take();
            assertNotSame(a.segment(), b.segment());
            a.segment().fill((byte) 1);
            b.segment().fill((byte) 2);
            assertEquals(1, a.segment().get(ValueLayout.JAVA_BYTE, 0));
            a.release();
            b.release();
        }
    }
}
