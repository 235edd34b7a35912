package io.pktstack.vdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's shared-memory file and the checks the device makes before it
 * maps a region named by an untrusted peer.
 */
class SharedRegionTest {

    static final int N = 16;
    static final int BUF = 1536;
    static final int MAX_Q = 32768;
    static final int MAX_BUF = 65536;

    @TempDir
    Path shm;

    /** Overwrites the little-endian int at {@code offset} of the file. */
    private static void poke(Path file, long offset, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.writeInt(Integer.reverseBytes(value));
        }
    }

    private String refusal(String path) {
        return assertThrows(IOException.class, () -> SharedRegion.open(shm, path, MAX_Q, MAX_BUF)).getMessage();
    }

    @Test
    void createWritesTheHeaderAndTheDeviceSeesTheSameLayout() throws IOException {
        try (SharedRegion own = SharedRegion.create(shm, N, BUF)) {
            assertTrue(own.file().getFileName().toString().startsWith(SharedRegion.PREFIX));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own.file())));
            assertEquals(SharedRegion.sizeFor(N, BUF), Files.size(own.file()));
            ValueLayout.OfInt le = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertEquals(SharedRegion.MAGIC, own.segment().get(le, 0));
            assertEquals(SharedRegion.VERSION, own.segment().get(le, 4));
            assertEquals(N, own.segment().get(le, 8));
            assertEquals(BUF, own.segment().get(le, 12));

            try (SharedRegion peer = SharedRegion.open(shm, own.file().toString(), MAX_Q, MAX_BUF)) {
                assertEquals(N, peer.queueSize());
                assertEquals(BUF, peer.bufferSize());
                assertEquals(own.rxQueue(), peer.rxQueue());
                assertEquals(own.txQueue(), peer.txQueue());
                assertEquals(own.bufferAreaStart(), peer.bufferAreaStart());
                assertEquals(own.bufferAreaEnd(), peer.bufferAreaEnd());
                assertEquals(own.segment().byteSize(), peer.bufferAreaEnd());
                // One memory: what one side writes the other reads.
                own.segment().set(ValueLayout.JAVA_LONG, own.txBuffer(3), 0x1122334455667788L);
                assertEquals(0x1122334455667788L, peer.segment().get(ValueLayout.JAVA_LONG, peer.txBuffer(3)));
            }
            own.unlink();
            assertFalse(Files.exists(own.file()));
        }
    }

    @Test
    void layoutKeepsQueuesAndBuffersApart() throws IOException {
        try (SharedRegion r = SharedRegion.create(shm, N, BUF)) {
            assertTrue(r.rxQueue().base() >= SharedRegion.HEADER);
            assertTrue(r.txQueue().base() >= r.rxQueue().end());
            assertTrue(r.bufferAreaStart() >= r.txQueue().end());
            assertEquals(0, r.bufferAreaStart() % 4096);
            assertEquals(r.rxBuffer(N - 1) + BUF, r.txBuffer(0));
            assertEquals(r.txBuffer(N - 1) + BUF, r.bufferAreaEnd());
        }
    }

    @Test
    void aFileOutsideTheFolderIsRefused(@TempDir Path elsewhere) throws IOException {
        try (SharedRegion r = SharedRegion.create(elsewhere, N, BUF)) {
            assertTrue(refusal(r.file().toString()).contains("is not a"));
        }
    }

    @Test
    void pathTricksAreRefused() throws IOException {
        try (SharedRegion r = SharedRegion.create(shm, N, BUF)) {
            String name = r.file().getFileName().toString();
            assertTrue(refusal(name).contains("* file in"), "relative");
            assertTrue(refusal(shm.resolve("../" + name).toString()).contains("* file in"), "up and out");
            Files.createDirectories(shm.resolve("sub"));
            Path nested = Files.copy(r.file(), shm.resolve("sub").resolve(name));
            assertTrue(refusal(nested.toString()).contains("* file in"), "a sub-folder");
            Path other = Files.copy(r.file(), shm.resolve("other-" + name));
            assertTrue(refusal(other.toString()).contains("is not a"), "without the prefix");
        }
    }

    @Test
    void aSymbolicLinkIsRefused(@TempDir Path elsewhere) throws IOException {
        try (SharedRegion r = SharedRegion.create(elsewhere, N, BUF)) {
            Path link = Files.createSymbolicLink(shm.resolve(SharedRegion.PREFIX + "link"), r.file());
            assertTrue(refusal(link.toString()).contains("not a regular file"));
        }
    }

    @Test
    void aFolderIsRefused() throws IOException {
        Path d = Files.createDirectory(shm.resolve(SharedRegion.PREFIX + "dir"));
        assertTrue(refusal(d.toString()).contains("not a regular file"));
    }

    @Test
    void aFileSmallerThanTheHeaderIsRefused() throws IOException {
        Path f = Files.write(shm.resolve(SharedRegion.PREFIX + "small"), new byte[100]);
        assertTrue(refusal(f.toString()).contains("100 bytes"));
    }

    @Test
    void wrongMagicOrVersionIsRefused() throws IOException {
        try (SharedRegion r = SharedRegion.create(shm, N, BUF)) {
            poke(r.file(), 0, 0x12345678);
            assertTrue(refusal(r.file().toString()).contains("bad header"));
            poke(r.file(), 0, SharedRegion.MAGIC);
            poke(r.file(), 4, 2);
            assertTrue(refusal(r.file().toString()).contains("bad header"));
        }
    }

    @Test
    void queueAndBufferSizesOutOfRangeAreRefused() throws IOException {
        try (SharedRegion r = SharedRegion.create(shm, N, BUF)) {
            String p = r.file().toString();
            for (int q : new int[] {0, 1, 3, 24, 65536, -16}) {
                poke(r.file(), 8, q);
                assertTrue(refusal(p).contains("queue size " + q), "queue size " + q);
            }
            poke(r.file(), 8, N);
            for (int b : new int[] {0, 63, 65537, -1}) {
                poke(r.file(), 12, b);
                assertTrue(refusal(p).contains("buffer size " + b), "buffer size " + b);
            }
            poke(r.file(), 12, BUF);
            // The device's own limits apply too.
            assertThrows(IOException.class, () -> SharedRegion.open(shm, p, N / 2, MAX_BUF));
            assertThrows(IOException.class, () -> SharedRegion.open(shm, p, MAX_Q, BUF - 1));
            SharedRegion.open(shm, p, N, BUF).close(); // exactly at the limits is fine
        }
    }

    @Test
    void aHeaderThatDisagreesWithTheFileSizeIsRefused() throws IOException {
        try (SharedRegion r = SharedRegion.create(shm, N, BUF)) {
            String p = r.file().toString();
            // Claiming bigger queues than the file holds would put rings and buffers past its end.
            poke(r.file(), 8, 2 * N);
            assertTrue(refusal(p).contains("expected " + SharedRegion.sizeFor(2 * N, BUF)));
            poke(r.file(), 8, N);
            poke(r.file(), 12, 2 * BUF);
            assertTrue(refusal(p).contains("expected"));
            poke(r.file(), 12, BUF);
            try (RandomAccessFile f = new RandomAccessFile(r.file().toFile(), "rw")) {
                f.setLength(SharedRegion.sizeFor(N, BUF) - 1);
            }
            assertTrue(refusal(p).contains("expected"));
        }
    }
}
