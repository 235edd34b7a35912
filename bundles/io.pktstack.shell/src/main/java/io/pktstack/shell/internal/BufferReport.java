package io.pktstack.shell.internal;

import io.pktstack.api.stack.BufferStatistics;

/**
 * {@code netstat -m}: the frame pool, and the heap bytes the JVM allocated so
 * far (the benchmark divides their growth by the frames forwarded).
 *
 * @param buffers the pool
 * @param heapBytes bytes allocated on the heap since start, all threads; -1 where the JVM does not say
 */
record BufferReport(BufferStatistics buffers, long heapBytes) implements Report {

    @Override
    public String render() {
        BufferStatistics b = buffers;
        return String.format("%d/%d/%d frames in use/free/total (%d bytes each)%n"
                + "%d frames on links' rings (posted to receive into, or sent and not yet returned)%n"
                + "%d KiB allocated to frames%n"
                + "%d KiB of idle frames' pages given back to the system since start (sysctl kern.mbuf.trim_ms)%n"
                + "%d bytes allocated on the heap since start (all threads)%n",
                b.inUse(), b.free(), b.capacity(), b.slotBytes(), b.onRings(),
                (long) b.capacity() * b.slotBytes() / 1024, b.givenBackBytes() / 1024, heapBytes);
    }
}
