package io.pktstack.vdev;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The shared memory of one virtio-net driver: a file mapped by both processes,
 * holding a header, the receive and transmit virtqueues and their packet
 * buffers. A descriptor's address is a byte offset into this region.
 *
 * <pre>
 * 0          header (magic, version, queue size, buffer size)
 * 4096       receive queue  (VirtqueueLayout, queue size N)
 * ...        transmit queue (VirtqueueLayout, queue size N)
 * (4096-al.) N receive buffers of bufferSize bytes, then N transmit buffers
 * </pre>
 *
 * The device side recomputes every offset from the two sizes in the header
 * and compares the total with the file's size; it never uses an offset the
 * driver wrote.
 */
public final class SharedRegion implements AutoCloseable {

    static final int MAGIC = 0x504B5652; // "PKVR"
    static final int VERSION = 1;
    static final long HEADER = 4096;
    /** File name prefix; the device maps only files with this prefix in the shared-memory folder. */
    static final String PREFIX = "pktstack-vdev-";
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final MemorySegment segment;
    private final Path file;
    private final int queueSize;
    private final int bufferSize;
    private final VirtqueueLayout rxq;
    private final VirtqueueLayout txq;
    private final long rxBuffers;
    private final long txBuffers;

    private SharedRegion(Arena arena, MemorySegment segment, Path file, int queueSize, int bufferSize) {
        this.arena = arena;
        this.segment = segment;
        this.file = file;
        this.queueSize = queueSize;
        this.bufferSize = bufferSize;
        this.rxq = VirtqueueLayout.of(queueSize, HEADER);
        this.txq = VirtqueueLayout.of(queueSize, align(rxq.end(), 16));
        this.rxBuffers = align(txq.end(), 4096);
        this.txBuffers = rxBuffers + (long) queueSize * bufferSize;
    }

    static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    /** Total bytes of a region for these sizes. */
    static long sizeFor(int queueSize, int bufferSize) {
        VirtqueueLayout rx = VirtqueueLayout.of(queueSize, HEADER);
        VirtqueueLayout tx = VirtqueueLayout.of(queueSize, align(rx.end(), 16));
        return align(tx.end(), 4096) + 2L * queueSize * bufferSize;
    }

    /** The folder that holds region files: tmpfs when the machine has it, so rings never touch a disk. */
    public static Path defaultFolder(Path deviceRoot) {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : deviceRoot.resolve("shm");
    }

    /** Creates a fresh, zeroed region (driver side). The file is readable and writable by the owner only. */
    public static SharedRegion create(Path folder, int queueSize, int bufferSize) throws IOException {
        Files.createDirectories(folder);
        byte[] rnd = new byte[8];
        new SecureRandom().nextBytes(rnd);
        Path file = folder.resolve(PREFIX + HexFormat.of().formatHex(rnd));
        long size = sizeFor(queueSize, bufferSize);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Arena arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            fc.write(java.nio.ByteBuffer.allocate(1), size - 1); // sets the length; tmpfs pages stay unallocated
            MemorySegment seg = fc.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            SharedRegion r = new SharedRegion(arena, seg, file, queueSize, bufferSize);
            seg.set(INT, 0, MAGIC);
            seg.set(INT, 4, VERSION);
            seg.set(INT, 8, queueSize);
            seg.set(INT, 12, bufferSize);
            return r;
        } catch (IOException | RuntimeException e) {
            arena.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Maps a peer's region (device side). The path comes from an untrusted peer:
     * it must name a regular file (not a link) with our prefix directly inside
     * {@code folder}, and its header and size must agree.
     *
     * @throws IOException if the file cannot be mapped or fails a check
     */
    public static SharedRegion open(Path folder, String path, int maxQueueSize, int maxBufferSize) throws IOException {
        Path file = Path.of(path).normalize();
        Path dir = folder.toAbsolutePath().normalize();
        if (!file.isAbsolute() || !dir.equals(file.getParent()) || !file.getFileName().toString().startsWith(PREFIX)) {
            throw new IOException("peer's region '" + path + "' is not a " + PREFIX + "* file in " + dir);
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("peer's region '" + path + "' is not a regular file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            long size = fc.size();
            if (size < HEADER) {
                throw new IOException("peer's region is " + size + " bytes");
            }
            MemorySegment head = fc.map(FileChannel.MapMode.READ_ONLY, 0, HEADER, arena);
            int magic = head.get(INT, 0);
            int version = head.get(INT, 4);
            int q = head.get(INT, 8);
            int buf = head.get(INT, 12);
            if (magic != MAGIC || version != VERSION) {
                throw new IOException("peer's region has a bad header");
            }
            if (q < 2 || q > maxQueueSize || Integer.bitCount(q) != 1 || buf < 64 || buf > maxBufferSize) {
                throw new IOException("peer's region has queue size " + q + " and buffer size " + buf);
            }
            if (size != sizeFor(q, buf)) {
                throw new IOException("peer's region is " + size + " bytes, expected " + sizeFor(q, buf));
            }
            MemorySegment seg = fc.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new SharedRegion(arena, seg, file, q, buf);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public MemorySegment segment() {
        return segment;
    }

    public Path file() {
        return file;
    }

    public int queueSize() {
        return queueSize;
    }

    public int bufferSize() {
        return bufferSize;
    }

    public VirtqueueLayout rxQueue() {
        return rxq;
    }

    public VirtqueueLayout txQueue() {
        return txq;
    }

    /** Offset of receive buffer {@code i}. */
    public long rxBuffer(int i) {
        return rxBuffers + (long) i * bufferSize;
    }

    /** Offset of transmit buffer {@code i}. */
    public long txBuffer(int i) {
        return txBuffers + (long) i * bufferSize;
    }

    /** Where packet buffers start: descriptors must point in {@code [bufferAreaStart, bufferAreaEnd)}. */
    public long bufferAreaStart() {
        return rxBuffers;
    }

    public long bufferAreaEnd() {
        return txBuffers + (long) queueSize * bufferSize;
    }

    /** Removes the file name; the mapping stays valid in both processes. */
    public void unlink() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale name in tmpfs is harmless and is replaced at the next start
        }
    }

    /** Unmaps the region. Callers must have stopped every thread that touches it. */
    @Override
    public void close() {
        arena.close();
    }
}
