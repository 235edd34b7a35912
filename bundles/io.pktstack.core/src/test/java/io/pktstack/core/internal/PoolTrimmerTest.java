package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.core.internal.time.StackTimer;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The stack's pool trimmer: each interval, what stayed free since the last run goes back; 0 stops it. */
class PoolTrimmerTest {

    private final AtomicLong clock = new AtomicLong();
    private final StackTimer timer = new StackTimer(clock::get);

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
        timer.runDue();
    }

    @Test
    void framesThatStayFreeForAnIntervalAreGivenBack() {
        try (FramePool pool = FramePool.shared(256, FramePool.DEFAULT_SLOT_SIZE)) {
            PoolTrimmer trimmer = new PoolTrimmer(timer, List.of(pool));
            trimmer.start();
            advance(PoolTrimmer.DEFAULT_MILLIS);
            assertEquals(0, trimmer.bytesGivenBack(), "counted pages of a pool never used");
            long before = 0;

            Frame[] all = new Frame[256];
            pool.take(all, 256);
            for (Frame f : all) {
                f.segment().set(ValueLayout.JAVA_LONG, 0, 7);
            }
            pool.release(all, 256);
            advance(PoolTrimmer.DEFAULT_MILLIS - 1);
            assertEquals(before, trimmer.bytesGivenBack(), "ran before its interval");
            advance(1);
            assertEquals(before, trimmer.bytesGivenBack(), "gave back frames used in the last interval");
            assertEquals(7L, pool.frame(10).segment().get(ValueLayout.JAVA_LONG, 0));
            advance(PoolTrimmer.DEFAULT_MILLIS);
            assertEquals(before + 256L * FramePool.DEFAULT_SLOT_SIZE, trimmer.bytesGivenBack());
            assertEquals(0L, pool.frame(10).segment().get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void zeroStopsItAndAnotherIntervalRestartsIt() {
        try (FramePool pool = FramePool.shared(64, FramePool.DEFAULT_SLOT_SIZE)) {
            Frame[] all = new Frame[64];
            pool.take(all, 64);
            pool.release(all, 64);
            PoolTrimmer trimmer = new PoolTrimmer(timer, List.of(pool));
            trimmer.start();
            assertTrue(timer.isScheduled(trimmer));
            trimmer.setIntervalMillis(0);
            assertFalse(timer.isScheduled(trimmer));
            advance(10 * PoolTrimmer.DEFAULT_MILLIS);
            assertEquals(0, trimmer.bytesGivenBack(), "ran while stopped");
            trimmer.setIntervalMillis(50);
            advance(50); // the frames' use before the stop counts as recent: the first run keeps them
            assertEquals(0, trimmer.bytesGivenBack());
            advance(50);
            assertEquals(64L * FramePool.DEFAULT_SLOT_SIZE, trimmer.bytesGivenBack());
            assertTrue(timer.isScheduled(trimmer), "did not re-arm itself");
        }
    }
}
