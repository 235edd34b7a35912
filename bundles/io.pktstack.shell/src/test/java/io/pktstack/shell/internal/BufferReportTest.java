package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.stack.BufferStatistics;
import org.junit.jupiter.api.Test;

/** netstat -m: frames on links' rings are counted apart from those the stack holds. */
class BufferReportTest {

    @Test
    void framesOnRingsAreNotInUse() {
        // A guest at rest: a quarter of its pool on the receive ring, 3 sent and not yet returned, none the stack's.
        BufferStatistics b = new BufferStatistics(4096, 3069, 2048, 1027, 3 << 20);
        assertEquals(0, b.inUse());
        assertEquals("""
                0/3069/4096 frames in use/free/total (2048 bytes each)
                1027 frames on links' rings (posted to receive into, or sent and not yet returned)
                8192 KiB allocated to frames
                3072 KiB of idle frames' pages given back to the system since start (sysctl kern.mbuf.trim_ms)
                12345 bytes allocated on the heap since start (all threads)
                """, new BufferReport(b, 12345).render().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void withoutRingsEveryFrameOutOfThePoolIsInUse() {
        BufferStatistics b = new BufferStatistics(1024, 1000, 2048);
        assertEquals(24, b.inUse());
        assertEquals(0, b.onRings());
    }
}
