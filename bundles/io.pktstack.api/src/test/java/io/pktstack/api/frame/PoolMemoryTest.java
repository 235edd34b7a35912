package io.pktstack.api.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PoolMemoryTest {

    static final long MIB = 1 << 20;

    /** This process's resident set (VmRSS), in bytes. */
    static long resident() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS");
    }

    /** A pool's memory is zero, aligned, and resident only where it has been written. */
    @Test
    void zeroedAlignedAndResidentOnlyOnceUsed() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            long before = resident();
            MemorySegment m = PoolMemory.allocate(arena, 256 * MIB, 64);
            long allocated = resident();
            assertEquals(0, m.address() % 64);
            assertEquals(256 * MIB, m.byteSize());
            assertTrue(allocated - before < 32 * MIB, "resident after allocating: +" + (allocated - before) / MIB + " MiB");
            for (long at = 0; at < m.byteSize(); at += 4096) {
                assertEquals(0L, m.get(ValueLayout.JAVA_LONG, at), "zero at " + at);
            }
            long read = resident();
            assertTrue(read - before < 32 * MIB, "resident after reading: +" + (read - before) / MIB + " MiB");
            for (long at = 0; at < m.byteSize(); at += 4096) {
                m.set(ValueLayout.JAVA_LONG, at, at);
            }
            long written = resident();
            assertTrue(written - before > 200 * MIB, "resident after writing: +" + (written - before) / MIB + " MiB");
        }
    }
}
