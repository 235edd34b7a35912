package io.pktstack.api.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameTest {

    private static final int SLOT = 256;

    private final FramePool pool = new FramePool(2, SLOT);
    private final Frame frame = pool.take();

    @AfterEach
    void poolIsFullAgain() {
        frame.release();
        assertEquals(pool.capacity(), pool.available(), "frames leaked");
        pool.close();
    }

    @Test
    void rangeMayFillTheWholeSlot() {
        assertSame(frame, frame.set(0, SLOT));
        assertEquals(0, frame.offset());
        assertEquals(SLOT, frame.length());
        frame.set(SLOT, 0);
        assertEquals(SLOT, frame.offset());
        assertEquals(0, frame.length());
        frame.set(FramePool.HEADROOM, SLOT - FramePool.HEADROOM);
        assertEquals(SLOT - FramePool.HEADROOM, frame.length());
    }

    @Test
    void rangeLeavingTheSlotIsRefusedAndChangesNothing() {
        frame.set(10, 20);
        assertOutside(-1, 10);
        assertOutside(0, -1);
        assertOutside(0, SLOT + 1);
        assertOutside(1, SLOT);
        assertOutside(SLOT + 1, 0);
        assertOutside(FramePool.HEADROOM, SLOT - FramePool.HEADROOM + 1);
        assertOutside(Integer.MAX_VALUE, Integer.MAX_VALUE); // would overflow offset + length
        assertEquals(10, frame.offset());
        assertEquals(20, frame.length());
    }

    private void assertOutside(int offset, int length) {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> frame.set(offset, length));
        assertTrue(e.getMessage().contains("outside slot of " + SLOT), e.getMessage());
    }

    @Test
    void lengthKeepsTheOffsetAndIsBoundedByTheSlot() {
        frame.length(100);
        assertEquals(FramePool.HEADROOM, frame.offset());
        assertEquals(100, frame.length());
        frame.length(SLOT - FramePool.HEADROOM);
        assertThrows(IndexOutOfBoundsException.class, () -> frame.length(SLOT - FramePool.HEADROOM + 1));
        assertEquals(SLOT - FramePool.HEADROOM, frame.length());
    }

    @Test
    void inputPortIsKeptUntilRelease() {
        frame.inputPort(4);
        assertEquals(4, frame.inputPort());
    }

    @Test
    void toStringNamesSlotAndRange() {
        frame.set(64, 60);
        assertEquals("Frame[" + frame.index() + ", off=64, len=60]", frame.toString());
    }
}
