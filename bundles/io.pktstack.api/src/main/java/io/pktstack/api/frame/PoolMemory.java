package io.pktstack.api.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A frame pool's memory, zeroed but not touched: taken from the C library's
 * {@code calloc}, which for a block this large maps fresh pages that the
 * kernel gives zeroed on first use, so a pool is resident only as far as its
 * frames have been used. ({@link Arena#allocate} clears every byte at once:
 * a 4096-frame pool was 8 MiB resident from the start, a host's 32 MiB.)
 * Where this code may not call native functions, it falls back to the arena.
 */
final class PoolMemory {

    private static final MethodHandle CALLOC;
    private static final MethodHandle FREE;

    static {
        MethodHandle calloc = null;
        MethodHandle free = null;
        if (PoolMemory.class.getModule().isNativeAccessEnabled()) {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            var c = libc.find("calloc");
            var f = libc.find("free");
            if (c.isPresent() && f.isPresent()) {
                calloc = linker.downcallHandle(c.get(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                free = linker.downcallHandle(f.get(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            }
        }
        CALLOC = calloc;
        FREE = free;
    }

    private PoolMemory() {
    }

    /** {@code size} zeroed bytes aligned to {@code align} (a power of two), freed when {@code arena} closes. */
    static MemorySegment allocate(Arena arena, long size, long align) {
        if (CALLOC == null) {
            return arena.allocate(size, align);
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
        return block.asSlice(skip, size);
    }

    private static void free(MemorySegment p) {
        try {
            FREE.invokeExact(p);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
