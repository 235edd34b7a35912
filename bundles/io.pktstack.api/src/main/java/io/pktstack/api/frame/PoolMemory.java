package io.pktstack.api.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

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
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;
    private static final ValueLayout INT = ValueLayout.JAVA_INT;
    private static final ValueLayout LONG = ValueLayout.JAVA_LONG;

    /** The C library's symbols, or null where this code may not call native functions. */
    private static final SymbolLookup LIBC =
            PoolMemory.class.getModule().isNativeAccessEnabled() ? Linker.nativeLinker().defaultLookup() : null;
    private static final boolean SHM = has("memfd_create", "ftruncate", "fcntl", "mmap", "munmap", "close");
    private static final boolean HEAP = has("calloc", "free");
    /** The system's page size, or 0 where it or madvise is unknown (then nothing is given back). */
    static final long PAGE = has("madvise", "sysconf") ? pageSize() : 0;

    // Each group of calls is linked on its first use, in a holder class of its own: linking a downcall
    // spins classes, some milliseconds each while a start runs interpreted, and a start needs only the
    // memfd group (and sysconf, once). A holder's static final handle is a constant to the JIT.
    // FramePool links madvise (prepareGiveBack) before it takes its lock to give pages back.

    /**
     * A shared pool: making it, and unmapping it (linked with the rest, so that an arena's cleanup, which may
     * run late, never has to link anything).
     */
    private static final class Shm {
        static final MethodHandle MEMFD_CREATE = link("memfd_create", FunctionDescriptor.of(INT, ADDRESS, INT));
        static final MethodHandle FTRUNCATE = link("ftruncate", FunctionDescriptor.of(INT, INT, LONG));
        static final MethodHandle FCNTL =
                link("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.firstVariadicArg(2));
        static final MethodHandle MMAP = link("mmap", FunctionDescriptor.of(LONG, LONG, LONG, INT, INT, INT, LONG));
        static final MethodHandle MUNMAP = link("munmap", FunctionDescriptor.of(INT, LONG, LONG));
        static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(INT, INT));
    }

    /** A private pool, where memfd was refused. */
    private static final class Heap {
        static final MethodHandle CALLOC = link("calloc", FunctionDescriptor.of(ADDRESS, LONG, LONG));
        static final MethodHandle FREE = link("free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    /** Giving idle frames' pages back. */
    private static final class Advise {
        static final MethodHandle MADVISE = link("madvise", FunctionDescriptor.of(INT, LONG, LONG, INT));
    }

    private static boolean has(String... names) {
        if (LIBC == null) {
            return false;
        }
        for (String name : names) {
            if (LIBC.find(name).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Links a function {@link #has} found. */
    private static MethodHandle link(String name, FunctionDescriptor d, Linker.Option... options) {
        return Linker.nativeLinker().downcallHandle(LIBC.find(name).orElseThrow(), d, options);
    }

    private static long pageSize() {
        try {
            long p = (long) link("sysconf", FunctionDescriptor.of(LONG, INT)).invokeExact(SC_PAGESIZE);
            return p > 0 && Long.bitCount(p) == 1 ? p : 0;
        } catch (Throwable t) {
            return 0;
        }
    }

    private PoolMemory() {
    }

    /**
     * {@code size} zeroed bytes aligned to {@code align} (at most a page), in a
     * sealed memfd when {@code shared} and the system allows it; unmapped and
     * closed when {@code arena} closes.
     */
    static Block allocate(Arena arena, long size, long align, boolean shared) {
        if (shared && SHM) {
            Block b = memfd(arena, size);
            if (b != null) {
                return b;
            }
        }
        if (!HEAP) {
            return new Block(arena.allocate(size, align), -1, false);
        }
        long whole = size + align;
        MemorySegment p;
        try {
            p = (MemorySegment) Heap.CALLOC.invokeExact(1L, whole);
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
            int fd = (int) Shm.MEMFD_CREATE.invokeExact(tmp.allocateFrom("pktstack frame pool"),
                    MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (fd < 0) {
                return null;
            }
            long addr = -1;
            if ((int) Shm.FTRUNCATE.invokeExact(fd, size) == 0
                    && (int) Shm.FCNTL.invokeExact(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0) {
                addr = (long) Shm.MMAP.invokeExact(0L, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L);
            }
            if (addr == -1) {
                int ignored = (int) Shm.CLOSE.invokeExact(fd);
                return null;
            }
            long at = addr;
            MemorySegment m = MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> unmap(at, size, fd));
            return new Block(m, fd, PAGE > 0);
        } catch (Throwable t) {
            throw new IllegalStateException("memfd for a frame pool failed", t);
        }
    }

    /** Links madvise now if it is not yet: the first {@link #giveBack} then links nothing. */
    static void prepareGiveBack() {
        Objects.requireNonNull(Advise.MADVISE);
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
            return (int) Advise.MADVISE.invokeExact(address, length, memfd ? MADV_REMOVE : MADV_DONTNEED) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException("madvise on a frame pool failed", t);
        }
    }

    private static void unmap(long addr, long size, int fd) {
        try {
            int ignored = (int) Shm.MUNMAP.invokeExact(addr, size);
            ignored = (int) Shm.CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("unmapping a frame pool failed", t);
        }
    }

    private static void free(MemorySegment p) {
        try {
            Heap.FREE.invokeExact(p);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
