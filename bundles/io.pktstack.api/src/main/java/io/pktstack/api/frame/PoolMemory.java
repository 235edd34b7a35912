package io.pktstack.api.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A frame pool's memory, zeroed but not touched: a sealed {@code memfd}
 * mapped shared, so that a guest link can hand the descriptor to its
 * back-end (vhost-user SET_MEM_TABLE) and post the pool's frames on its
 * rings as they are, with no copy into buffers of its own. The kernel gives
 * the pages zeroed on first touch, so a pool is resident only as far as its
 * frames have been used ({@link Arena#allocate} clears every byte at once: a
 * 4096-frame pool was 8 MiB resident from the start, a host's 32 MiB).
 *
 * <p>Where memfd is refused this takes the C library's {@code calloc} (private,
 * equally lazy, not shareable), and where this code may not call native
 * functions at all, the arena.
 */
final class PoolMemory {

    /**
     * A pool's bytes, the memfd behind them or -1 when they cannot be shared, and whether their
     * pages can be {@linkplain #giveBack given back} (not an arena's: the JVM owns those).
     */
    record Block(MemorySegment segment, int fd, boolean canGiveBack) {
    }

    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 1;
    private static final int F_SEAL_SHRINK = 2;
    private static final int F_SEAL_GROW = 4;
    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_REMOVE = 9;
    private static final int SC_PAGESIZE = 30;

    private static final MethodHandle CALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle MEMFD_CREATE;
    private static final MethodHandle FTRUNCATE;
    private static final MethodHandle FCNTL;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle CLOSE;
    private static final MethodHandle MADVISE;
    /** The system's page size, or 0 where it or madvise is unknown (then nothing is given back). */
    static final long PAGE;

    static {
        MethodHandle[] h = new MethodHandle[10];
        if (PoolMemory.class.getModule().isNativeAccessEnabled()) {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            ValueLayout a = ValueLayout.ADDRESS;
            ValueLayout i = ValueLayout.JAVA_INT;
            ValueLayout l = ValueLayout.JAVA_LONG;
            h[0] = handle(linker, libc, "calloc", FunctionDescriptor.of(a, l, l));
            h[1] = handle(linker, libc, "free", FunctionDescriptor.ofVoid(a));
            h[2] = handle(linker, libc, "memfd_create", FunctionDescriptor.of(i, a, i));
            h[3] = handle(linker, libc, "ftruncate", FunctionDescriptor.of(i, i, l));
            h[4] = handle(linker, libc, "fcntl", FunctionDescriptor.of(i, i, i, i), Linker.Option.firstVariadicArg(2));
            h[5] = handle(linker, libc, "mmap", FunctionDescriptor.of(l, l, l, i, i, i, l));
            h[6] = handle(linker, libc, "munmap", FunctionDescriptor.of(i, l, l));
            h[7] = handle(linker, libc, "close", FunctionDescriptor.of(i, i));
            h[8] = handle(linker, libc, "madvise", FunctionDescriptor.of(i, l, l, i));
            h[9] = handle(linker, libc, "sysconf", FunctionDescriptor.of(l, i));
        }
        CALLOC = h[0];
        FREE = h[1];
        boolean shm = h[2] != null && h[3] != null && h[4] != null && h[5] != null && h[6] != null && h[7] != null;
        MEMFD_CREATE = shm ? h[2] : null;
        FTRUNCATE = h[3];
        FCNTL = h[4];
        MMAP = h[5];
        MUNMAP = h[6];
        CLOSE = h[7];
        MADVISE = h[8];
        PAGE = h[8] == null || h[9] == null ? 0 : pageSize(h[9]);
    }

    private static long pageSize(MethodHandle sysconf) {
        try {
            long p = (long) sysconf.invokeExact(SC_PAGESIZE);
            return p > 0 && Long.bitCount(p) == 1 ? p : 0;
        } catch (Throwable t) {
            return 0;
        }
    }

    private static MethodHandle handle(Linker linker, SymbolLookup libc, String name, FunctionDescriptor d,
            Linker.Option... options) {
        return libc.find(name).map(s -> linker.downcallHandle(s, d, options)).orElse(null);
    }

    private PoolMemory() {
    }

    /**
     * {@code size} zeroed bytes aligned to {@code align} (at most a page), in a
     * sealed memfd when {@code shared} and the system allows it; unmapped and
     * closed when {@code arena} closes.
     */
    static Block allocate(Arena arena, long size, long align, boolean shared) {
        if (shared && MEMFD_CREATE != null) {
            Block b = memfd(arena, size);
            if (b != null) {
                return b;
            }
        }
        if (CALLOC == null || FREE == null) {
            return new Block(arena.allocate(size, align), -1, false);
        }
        long whole = size + align;
        MemorySegment p;
        try {
            p = (MemorySegment) CALLOC.invokeExact(1L, whole);
        } catch (Throwable t) {
            throw new IllegalStateException("calloc failed", t);
        }
        if (p.address() == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes for a frame pool");
        }
        MemorySegment block = p.reinterpret(whole, arena, PoolMemory::free);
        long skip = ((p.address() + align - 1) & -align) - p.address();
        return new Block(block.asSlice(skip, size), -1, PAGE > 0);
    }

    /** A sealed memfd of {@code size} bytes mapped shared (page-aligned), or null if the system refused a step. */
    private static Block memfd(Arena arena, long size) {
        try (Arena tmp = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(tmp.allocateFrom("pktstack frame pool"),
                    MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (fd < 0) {
                return null;
            }
            long addr = -1;
            if ((int) FTRUNCATE.invokeExact(fd, size) == 0
                    && (int) FCNTL.invokeExact(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0) {
                addr = (long) MMAP.invokeExact(0L, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
            }
            if (addr == -1) {
                int ignored = (int) CLOSE.invokeExact(fd);
                return null;
            }
            long at = addr;
            MemorySegment m = MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> unmap(at, size, fd));
            return new Block(m, fd, PAGE > 0);
        } catch (Throwable t) {
            throw new IllegalStateException("memfd for a frame pool failed", t);
        }
    }

    /**
     * Gives the pages of {@code [address, address + length)} (page-aligned) back to the kernel; they
     * read as zero when next touched. A memfd's are removed from the file (MADV_REMOVE), so a peer
     * mapping it frees nothing by holding them; private memory is dropped (MADV_DONTNEED).
     *
     * @return whether the kernel did it
     */
    static boolean giveBack(long address, long length, boolean memfd) {
        try {
            return (int) MADVISE.invokeExact(address, length, memfd ? MADV_REMOVE : MADV_DONTNEED) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("madvise on a frame pool failed", t);
        }
    }

    private static void unmap(long addr, long size, int fd) {
        try {
            int ignored = (int) MUNMAP.invokeExact(addr, size);
            ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("unmapping a frame pool failed", t);
        }
    }

    private static void free(MemorySegment p) {
        try {
            FREE.invokeExact(p);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
