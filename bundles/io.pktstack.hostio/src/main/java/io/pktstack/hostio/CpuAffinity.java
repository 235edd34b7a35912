package io.pktstack.hostio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Pinning the calling thread to one CPU ({@code sched_setaffinity(2)}), for polling workers. */
public final class CpuAffinity {

    /** CPUs a mask of ours can name: glibc's {@code CPU_SETSIZE}. */
    public static final int MAX_CPUS = 1024;

    private CpuAffinity() {
    }

    /**
     * Pins the calling thread to {@code cpu}.
     *
     * @throws HostIoException if the kernel refuses (no such CPU, or not allowed to this process)
     * @throws IllegalArgumentException if {@code cpu} is outside 0..{@value #MAX_CPUS}-1
     */
    public static void pinCurrentThread(int cpu) throws HostIoException {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw new IllegalArgumentException("CPU " + cpu + " outside 0.." + (MAX_CPUS - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MAX_CPUS / 8, 8);
            mask.set(ValueLayout.JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            MemorySegment err = Libc.errnoSegment(arena);
            // pid 0: the calling thread (a Linux thread is a task with its own affinity).
            if (Libc.schedSetaffinity(err, 0, MAX_CPUS / 8, mask.address()) != 0) {
                throw HostIoException.of("sched_setaffinity to CPU " + cpu, Libc.errno(err), null);
            }
        }
    }
}
