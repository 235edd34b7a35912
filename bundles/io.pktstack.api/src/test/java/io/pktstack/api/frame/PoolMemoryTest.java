package io.pktstack.api.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
            MemorySegment m = PoolMemory.allocate(arena, 256 * MIB, 64, false).segment();
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

    /**
     * A shared pool's memory is a sealed memfd another process can map: what
     * is written through the pool reads back through the descriptor, the file
     * cannot be resized under a peer, it is resident only once written, and it
     * is gone when the pool closes.
     */
    @Test
    void aSharedPoolIsASealedMemfdResidentOnlyOnceWritten() throws IOException {
        int fd;
        Path link;
        try (FramePool pool = FramePool.shared(8192, FramePool.DEFAULT_SLOT_SIZE)) {
            fd = pool.sharedFd();
            assertTrue(fd >= 0, "no memfd");
            link = Path.of("/proc/self/fd/" + fd);
            assertTrue(Files.readSymbolicLink(link).toString().startsWith("/memfd:pktstack frame pool"),
                    Files.readSymbolicLink(link).toString());
            MemorySegment all = pool.memory();
            assertEquals(8192L * FramePool.DEFAULT_SLOT_SIZE, all.byteSize());
            Frame f = pool.frame(4000);
            assertEquals(all.address() + 4000L * FramePool.DEFAULT_SLOT_SIZE, f.segment().address());
            long before = resident();
            f.segment().set(ValueLayout.JAVA_LONG, 64, 0x1122334455667788L);
            assertTrue(resident() - before < 4 * MIB, "one frame written made the pool resident");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(link,
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
                ch.read(b, 4000L * FramePool.DEFAULT_SLOT_SIZE + 64);
                assertEquals(0x1122334455667788L, b.getLong(0), "the descriptor's bytes are the pool's");
                assertThrows(IOException.class, () -> ch.truncate(4096), "a peer could shrink the pool");
            }
        }
        assertTrue(!Files.exists(link) || !Files.readSymbolicLink(link).toString().contains("pktstack frame pool"),
                "memfd left open after close");
    }

    /** An ordinary pool keeps its memory private: nothing to share. */
    @Test
    void anOrdinaryPoolHasNoDescriptor() {
        try (FramePool pool = new FramePool(16, FramePool.DEFAULT_SLOT_SIZE)) {
            assertEquals(-1, pool.sharedFd());
            assertEquals(16L * FramePool.DEFAULT_SLOT_SIZE, pool.memory().byteSize());
        }
    }
}
