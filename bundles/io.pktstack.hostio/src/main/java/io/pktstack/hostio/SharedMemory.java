package io.pktstack.hostio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory shared between processes through a file descriptor: either a fresh
 * {@code memfd} this process creates and passes on (a vhost-user front-end's
 * memory, sent with SET_MEM_TABLE; nothing appears in the file system), or a
 * descriptor received from a peer and mapped here (a back-end mapping the
 * front-end's regions, vhost-user.rst "SET_MEM_TABLE").
 *
 * <p>{@link #close()} invalidates the segment before it unmaps, so a thread
 * still holding it gets an {@link IllegalStateException}, never a stray access.
 */
public final class SharedMemory implements AutoCloseable {

    private final Arena arena;
    private final MemorySegment segment;
    private final int fd;

    private SharedMemory(Arena arena, MemorySegment segment, int fd) {
        this.arena = arena;
        this.segment = segment;
        this.fd = fd;
    }

    /**
     * Creates a zeroed memfd of {@code size} bytes and maps it. The file is sealed
     * against shrinking and growing (F_SEAL_SHRINK, F_SEAL_GROW), so a peer that
     * maps it can rely on its size.
     *
     * @param name shown in {@code /proc/PID/maps} and {@code /proc/PID/fd}
     */
    public static SharedMemory create(String name, long size) throws HostIoException {
        return create(name, size, true);
    }

    /**
     * Creates a zeroed memfd of {@code size} bytes and maps it, sealed against
     * resizing or not. Unsealed, whoever holds the descriptor may shrink it
     * under a peer's mapping, as a VM's QEMU could: tests of hostile front-ends
     * need exactly that.
     *
     * @since 1.2
     */
    public static SharedMemory create(String name, long size, boolean sealed) throws HostIoException {
        if (size <= 0) {
            throw new IllegalArgumentException("size " + size);
        }
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(tmp);
            int fd = Libc.memfdCreate(err, tmp.allocateFrom(name), Libc.MFD_CLOEXEC | Libc.MFD_ALLOW_SEALING);
            if (fd < 0) {
                throw HostIoException.of("memfd_create " + name, Libc.errno(err), null);
            }
            try {
                if (Libc.ftruncate(err, fd, size) != 0) {
                    throw HostIoException.of("ftruncate memfd to " + size + " bytes", Libc.errno(err), null);
                }
                if (sealed && Libc.fcntl(err, fd, Libc.F_ADD_SEALS,
                        Libc.F_SEAL_SHRINK | Libc.F_SEAL_GROW | Libc.F_SEAL_SEAL) != 0) {
                    throw HostIoException.of("sealing memfd", Libc.errno(err), null);
                }
                return mapWhole(err, fd, size, 0, size);
            } catch (HostIoException | RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    /**
     * Maps {@code [offset, offset + size)} of a peer's descriptor and takes
     * ownership of it (closed with this mapping, or at once if mapping fails).
     * The file must be at least {@code offset + size} bytes now; should the peer
     * shrink it later, accesses past the end fault and the JVM reports an
     * {@link InternalError}, which callers treat as a broken rule.
     */
    public static SharedMemory map(int fd, long offset, long size) throws HostIoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(tmp);
            try {
                if (offset < 0 || size <= 0 || offset > Long.MAX_VALUE - size) {
                    throw new HostIoException("region of " + Long.toUnsignedString(size) + " bytes at offset "
                            + Long.toUnsignedString(offset), Libc.EINVAL);
                }
                long end = Libc.lseek(err, fd, 0, Libc.SEEK_END);
                if (end < 0) {
                    throw HostIoException.of("finding the size of " + EventFd.describe(fd), Libc.errno(err), null);
                }
                if (end < offset + size) {
                    throw new HostIoException("region [" + offset + ", +" + size + ") lies beyond the end of "
                            + EventFd.describe(fd) + " (" + end + " bytes)", Libc.EINVAL);
                }
                // mmap's offset must be page-aligned, a region's need not be: map from 0 and slice.
                return mapWhole(err, fd, offset + size, offset, size);
            } catch (HostIoException | RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
        }
    }

    private static SharedMemory mapWhole(MemorySegment err, int fd, long length, long offset, long size)
            throws HostIoException {
        long addr = Libc.mmap(err, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        if (addr == -1) {
            throw HostIoException.of("mmap of " + length + " bytes", Libc.errno(err), null);
        }
        Arena arena = Arena.ofShared();
        MemorySegment whole = MemorySegment.ofAddress(addr).reinterpret(length, arena, s -> unmap(addr, length));
        return new SharedMemory(arena, whole.asSlice(offset, size), fd);
    }

    private static void unmap(long addr, long length) {
        try (Arena tmp = Arena.ofConfined()) {
            Libc.munmap(Libc.errnoSegment(tmp), addr, length);
        }
    }

    /** The mapped bytes. */
    public MemorySegment segment() {
        return segment;
    }

    /** The descriptor, to pass to a peer (it stays owned by this object). */
    public int fd() {
        return fd;
    }

    public long size() {
        return segment.byteSize();
    }

    /**
     * Sets the file's size (ftruncate). Refused (EPERM) for a sealed memfd;
     * shrinking one a peer has mapped makes its accesses past the end fault.
     *
     * @since 1.2
     */
    public void truncate(long size) throws HostIoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(tmp);
            if (Libc.ftruncate(err, fd, size) != 0) {
                throw HostIoException.of("ftruncate to " + size + " bytes", Libc.errno(err), null);
            }
        }
    }

    /** Unmaps and closes the descriptor; every thread using the segment must have stopped. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
            Libc.close(fd);
        }
    }
}
