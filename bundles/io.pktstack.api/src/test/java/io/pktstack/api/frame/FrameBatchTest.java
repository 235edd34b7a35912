package io.pktstack.api.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameBatchTest {

    private final FramePool pool = new FramePool(300, 256);

    @AfterEach
    void poolIsFullAgain() {
        assertEquals(pool.capacity(), pool.available(), "frames leaked");
        pool.close();
    }

    /** Takes {@code n} frames into the batch the way drivers do: bulk into the array, then size. */
    private FrameBatch filled(int capacity, int n) {
        FrameBatch b = new FrameBatch(capacity);
        b.size(pool.take(b.array(), n));
        assertEquals(n, b.size());
        return b;
    }

    @Test
    void defaultCapacityIs256() {
        assertEquals(256, FrameBatch.MAX);
        FrameBatch b = new FrameBatch();
        assertEquals(256, b.capacity());
        assertTrue(b.isEmpty());
        assertFalse(b.isFull());
    }

    @Test
    void capacityOutside1To256IsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FrameBatch(0));
        assertThrows(IllegalArgumentException.class, () -> new FrameBatch(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FrameBatch(257));
        assertTrue(e.getMessage().contains("257"), e.getMessage());
        assertEquals(1, new FrameBatch(1).capacity());
    }

    @Test
    void takeFullBatchAndReleaseAllReturnsPoolToFull() {
        FrameBatch b = filled(FrameBatch.MAX, FrameBatch.MAX);
        assertTrue(b.isFull());
        assertEquals(300 - 256, pool.available());
        b.releaseAll();
        assertTrue(b.isEmpty());
        assertEquals(300, pool.available());
        for (int i = 0; i < FrameBatch.MAX; i++) {
            assertNull(b.array()[i], "slot " + i + " still references a released frame");
        }
    }

    @Test
    void batchFromAnExhaustedPoolIsShort() {
        FrameBatch big = filled(FrameBatch.MAX, FrameBatch.MAX);
        FrameBatch rest = new FrameBatch();
        rest.size(pool.take(rest.array(), FrameBatch.MAX));
        assertEquals(300 - 256, rest.size(), "the pool runs short: fewer frames, no blocking");
        assertEquals(0, pool.available());
        assertEquals(0, pool.take(new FrameBatch().array(), FrameBatch.MAX));
        big.releaseAll();
        rest.releaseAll();
    }

    @Test
    void addStopsWhenFullAndKeepsNothing() {
        FrameBatch b = new FrameBatch(2);
        Frame f1 = pool.take();
        Frame f2 = pool.take();
        Frame f3 = pool.take();
        assertTrue(b.add(f1));
        assertTrue(b.add(f2));
        assertTrue(b.isFull());
        assertFalse(b.add(f3));
        assertEquals(2, b.size());
        assertSame(f1, b.get(0));
        assertSame(f2, b.get(1));
        assertThrows(IndexOutOfBoundsException.class, () -> b.get(2));
        b.releaseAll();
        f3.release();
    }

    @Test
    void removeFirstKeepsTheRestInOrderAndDoesNotRelease() {
        FrameBatch b = filled(8, 5);
        Frame[] before = b.array().clone();
        b.removeFirst(2);
        assertEquals(3, b.size());
        assertSame(before[2], b.get(0));
        assertSame(before[3], b.get(1));
        assertSame(before[4], b.get(2));
        assertNull(b.array()[3]);
        assertNull(b.array()[4]);
        assertEquals(300 - 5, pool.available(), "removed frames still belong to whoever took them");
        before[0].release();
        before[1].release();
        b.releaseAll();
    }

    @Test
    void releaseFirstReturnsThoseFramesAndKeepsTheRestInOrder() {
        FrameBatch b = filled(8, 5);
        Frame[] before = b.array().clone();
        b.releaseFirst(3);
        assertEquals(2, b.size());
        assertEquals(300 - 2, pool.available());
        assertSame(before[3], b.get(0));
        assertSame(before[4], b.get(1));
        assertNull(b.array()[2]);
        b.releaseFirst(0);
        assertEquals(2, b.size());
        b.releaseAll();
    }

    @Test
    void releaseFirstHandlesFramesOfSeveralPools() {
        try (FramePool other = new FramePool(2, 256)) {
            FrameBatch b = new FrameBatch(4);
            b.add(pool.take());
            b.add(other.take());
            b.add(pool.take());
            b.add(other.take());
            b.releaseFirst(3);
            assertEquals(1, b.size());
            assertSame(other, b.get(0).pool());
            assertEquals(1, other.available());
            b.releaseAll();
            assertEquals(2, other.available());
        }
    }

    @Test
    void outOfRangeCountsAreRefusedAndChangeNothing() {
        FrameBatch b = filled(4, 2);
        assertThrows(IndexOutOfBoundsException.class, () -> b.removeFirst(3));
        assertThrows(IndexOutOfBoundsException.class, () -> b.removeFirst(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> b.releaseFirst(3));
        assertThrows(IllegalArgumentException.class, () -> b.size(5));
        assertThrows(IllegalArgumentException.class, () -> b.size(-1));
        assertEquals(2, b.size());
        assertEquals(300 - 2, pool.available());
        b.releaseAll();
    }

    @Test
    void clearForgetsWithoutReleasing() {
        FrameBatch b = filled(4, 3);
        Frame[] taken = b.array().clone();
        b.clear();
        assertTrue(b.isEmpty());
        assertNull(b.array()[0]);
        assertEquals(300 - 3, pool.available());
        pool.release(taken, 3);
    }
}
