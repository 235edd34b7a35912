package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A thread's output batches, per interface number. */
class PathContextTest {

    final FramePool pool = new FramePool(8, FramePool.DEFAULT_SLOT_SIZE);
    final PathContext ctx = new PathContext();

    @AfterEach
    void nothingLeaked() {
        assertEquals(pool.capacity(), pool.available(), "frames not returned to the pool");
    }

    static NetInterface nif(int index, String name) {
        // No link: what it transmits is dropped and counted as interface down, which is what the test reads.
        return new NetInterface(index, name, NetInterface.Kind.LINK, "fake", null, MacAddress.parse("02:00:00:00:00:01"),
                1514, null, null);
    }

    @Test
    void framesQueuedForAnInterfaceGoToItEvenIfItsNumberPassesToAnotherBeforeTheFlush() {
        NetInterface gone = nif(3, "wm0");
        NetInterface next = nif(3, "wm0"); // the same number, given again after the first was detached
        ctx.send(gone, pool.take());
        ctx.send(gone, pool.take());
        ctx.send(next, pool.take());
        ctx.flush();
        assertEquals(2, gone.counters().outDrops());
        assertEquals(1, next.counters().outDrops());
    }
}
