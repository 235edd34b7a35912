package io.pktstack.api.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@link FramePool#trim()}: the pages of frames that stayed free go back to the kernel (they read as
 * zero and stop being resident); a frame in use, one used since the last trim, and whatever shares a
 * page with either keep their bytes.
 */
class FramePoolTrimTest {

    private static final int FRAMES = 4096;
    private static final long MARK = 0x5a5a_1234_5678_a5a5L;

    @Test
    void framesFreeSinceTheLastTrimAreGivenBackFromASharedPool() throws IOException {
        try (FramePool pool = FramePool.shared(FRAMES, FramePool.DEFAULT_SLOT_SIZE)) {
            assertTrue(pool.sharedFd() >= 0, "no memfd here");
            givesBackWhatStayedFree(pool, true);
        }
    }

    @Test
    void framesFreeSinceTheLastTrimAreGivenBackFromAPrivatePool() throws IOException {
        try (FramePool pool = new FramePool(FRAMES, FramePool.DEFAULT_SLOT_SIZE)) {
            // The C library may put it in a mapping it shares with other memory: read its bytes, not its size.
            givesBackWhatStayedFree(pool, false);
        }
    }

    private static void givesBackWhatStayedFree(FramePool pool, boolean ownMapping) throws IOException {
        Frame[] all = new Frame[FRAMES];
        assertEquals(FRAMES, pool.take(all, FRAMES));
        for (Frame f : all) {
            f.segment().fill((byte) 1);
        }
        pool.release(all, FRAMES);
        long used = PoolMemoryTest.residentKib(pool.memory());
        assertTrue(used >= FRAMES * 2 - 64, "written pool resident: " + used + " kB");

        assertEquals(0, pool.trim(), "every frame was taken since the pool was made");
        assertEquals(1, pool.frame(FRAMES / 2).segment().get(ValueLayout.JAVA_BYTE, 100), "gave back frames just used");
        long given = pool.trim();
        long whole = (long) FRAMES * FramePool.DEFAULT_SLOT_SIZE;
        // A private pool need not start on a page: its first and last pages are shared with the C library's.
        assertTrue(given <= whole && given >= whole - 2 * 4096, "gave back " + given + " of " + whole);
        if (ownMapping) {
            long left = PoolMemoryTest.residentKib(pool.memory());
            assertTrue(left < 256, "after the trim: " + left + " kB");
        }
        for (int i = 2; i < FRAMES - 2; i++) { // not the ends: a private pool shares its first and last pages
            assertEquals(0, pool.frame(i).segment().get(ValueLayout.JAVA_BYTE, 100), "kept " + pool.frame(i));
        }
        assertEquals(0, pool.trim(), "nothing left to give back");

        Frame f = pool.take();
        f.segment().set(ValueLayout.JAVA_LONG, 0, MARK);
        assertEquals(MARK, f.segment().get(ValueLayout.JAVA_LONG, 0), "a given-back frame works again");
        pool.release(f);
        assertEquals(FRAMES, pool.available());
    }

    @Test
    void aPoolNeverUsedHasNothingToGiveBack() {
        try (FramePool pool = FramePool.shared(64, FramePool.DEFAULT_SLOT_SIZE)) {
            assertEquals(0, pool.trim());
            assertEquals(0, pool.trim());
            pool.release(pool.take()); // one frame used: its page and nothing else
            pool.trim();
            assertEquals(4096, pool.trim());
        }
    }

    @Test
    void aClosedPoolIsNotTrimmed() {
        FramePool pool = FramePool.shared(64, FramePool.DEFAULT_SLOT_SIZE);
        pool.release(pool.take());
        pool.trim();
        pool.close();
        assertEquals(0, pool.trim(), "madvise on memory no longer the pool's");
    }

    @Test
    void framesInUseAndTheirPageNeighboursKeepTheirBytes() {
        try (FramePool pool = FramePool.shared(FRAMES, FramePool.DEFAULT_SLOT_SIZE)) {
            Frame[] all = new Frame[FRAMES];
            pool.take(all, FRAMES);
            for (Frame f : all) {
                f.segment().set(ValueLayout.JAVA_LONG, 0, MARK + f.index());
            }
            // Frame 101 stays in use; 100 shares its page (two 2 KiB slots to a 4 KiB page).
            Frame held = pool.frame(101);
            int at = java.util.Arrays.asList(all).indexOf(held);
            all[at] = all[FRAMES - 1];
            pool.release(all, FRAMES - 1);
            pool.trim();
            assertTrue(pool.trim() > 0);
            assertEquals(MARK + 101, held.segment().get(ValueLayout.JAVA_LONG, 0), "a frame in use lost its bytes");
            assertEquals(MARK + 100, pool.frame(100).segment().get(ValueLayout.JAVA_LONG, 0),
                    "the frame sharing its page lost its bytes");
            assertEquals(0L, pool.frame(102).segment().get(ValueLayout.JAVA_LONG, 0), "a free page was kept");
            pool.release(held);
        }
    }

    @Test
    void framesUsedSinceTheLastTrimAreKept() {
        try (FramePool pool = FramePool.shared(FRAMES, FramePool.DEFAULT_SLOT_SIZE)) {
            Frame[] all = new Frame[FRAMES];
            pool.take(all, FRAMES);
            for (Frame f : all) {
                f.segment().set(ValueLayout.JAVA_LONG, 0, MARK + f.index());
            }
            pool.release(all, FRAMES);
            pool.trim();
            Frame[] recent = new Frame[64];
            assertEquals(64, pool.take(recent, 64)); // the top of the free stack: the last frames returned
            for (Frame f : recent) {
                f.segment().set(ValueLayout.JAVA_LONG, 0, MARK + f.index());
            }
            Frame[] used = recent.clone();
            pool.release(recent, 64);
            pool.trim();
            java.util.Set<Integer> usedSlots = new java.util.HashSet<>();
            for (Frame f : used) {
                usedSlots.add(f.index());
                assertEquals(MARK + f.index(), f.segment().get(ValueLayout.JAVA_LONG, 0), "recently used " + f);
            }
            int idle = 0;
            while (usedSlots.contains(idle) || usedSlots.contains(idle ^ 1)) { // one whose page no used frame shares
                idle += 2;
            }
            assertEquals(0L, pool.frame(idle).segment().get(ValueLayout.JAVA_LONG, 0), "an idle frame was kept");
        }
    }

    @Test
    void largeSlotsGiveBackTheirOwnPagesAndKeepTheSharedOnes() {
        int slot = 66 * 1024 + 512; // not a whole number of pages: neighbours share a page
        try (FramePool pool = FramePool.shared(8, slot)) {
            Frame[] all = new Frame[8];
            pool.take(all, 8);
            for (Frame f : all) {
                f.segment().set(ValueLayout.JAVA_LONG, 0, MARK);
                f.segment().set(ValueLayout.JAVA_LONG, slot / 2, MARK);
                f.segment().set(ValueLayout.JAVA_LONG, slot - 8, MARK);
            }
            Frame held = pool.frame(3);
            int at = java.util.Arrays.asList(all).indexOf(held);
            all[at] = all[7];
            pool.release(all, 7);
            pool.trim();
            pool.trim();
            MemorySegment h = held.segment();
            assertEquals(MARK, h.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(MARK, h.get(ValueLayout.JAVA_LONG, slot / 2));
            assertEquals(MARK, h.get(ValueLayout.JAVA_LONG, slot - 8));
            assertEquals(MARK, pool.frame(2).segment().get(ValueLayout.JAVA_LONG, slot - 8), "page shared with 3");
            assertEquals(MARK, pool.frame(4).segment().get(ValueLayout.JAVA_LONG, 0), "page shared with 3");
            assertEquals(0L, pool.frame(2).segment().get(ValueLayout.JAVA_LONG, slot / 2), "2's own page was kept");
            assertEquals(0L, pool.frame(5).segment().get(ValueLayout.JAVA_LONG, slot / 2), "5's own page was kept");
            pool.release(held);
        }
    }
}
