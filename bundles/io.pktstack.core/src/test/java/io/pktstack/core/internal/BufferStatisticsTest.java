package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.stack.BufferStatistics;
import org.junit.jupiter.api.Test;

/** netstat -m's figures: what links hold on their rings is not counted as the stack's. */
class BufferStatisticsTest extends StackTestBase {

    @Test
    void framesOnLinksRingsAreCountedApartFromTheStacks() {
        FakeLink a = add(new FakeLink("02:00:00:00:00:0a"), "vt");
        FakeLink b = add(new FakeLink("02:00:00:00:00:0b"), "vt");
        Frame[] held = new Frame[12];
        assertEquals(12, pool.take(held, 12));
        a.framesOnRings = 7; // as a guest link with 7 of them posted on its receive ring
        b.framesOnRings = 3;
        BufferStatistics s = stack.buffers();
        assertEquals(512, s.capacity());
        assertEquals(500, s.free());
        assertEquals(10, s.onRings());
        assertEquals(2, s.inUse(), "the two frames no ring holds are the stack's");
        pool.release(held, 12);
        a.framesOnRings = 0;
        b.framesOnRings = 0;
        assertEquals(0, stack.buffers().inUse());
    }
}
