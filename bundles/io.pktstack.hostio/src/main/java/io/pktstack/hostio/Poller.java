package io.pktstack.hostio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code poll(2)} over a fixed set of descriptors, for the threads that sleep
 * until a socket, a kick or a wake-up is readable. The {@code pollfd} array is
 * allocated once; a wait allocates nothing. One thread uses a poller.
 */
public final class Poller implements AutoCloseable {

    // Small syscall buffers in an automatic arena, freed by the collector: closing a shared arena is a handshake
    // with every thread of the JVM, paid at every link reset (and per input by the vhost-messages fuzz target),
    // and the calls pass raw addresses, which a closed arena would not protect anyway.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment fds;
    private final MemorySegment err = Libc.errnoSegment(arena);
    private final int capacity;

    /** @param capacity descriptors this poller can watch */
    public Poller(int capacity) {
        this.capacity = capacity;
        this.fds = arena.allocate((long) capacity * Libc.POLLFD_SIZE, 8);
        for (int i = 0; i < capacity; i++) {
            set(i, -1);
        }
    }

    /** Watches {@code fd} for input in slot {@code i}; a negative fd leaves the slot out (poll ignores it). */
    public void set(int i, int fd) {
        long o = slot(i);
        fds.set(ValueLayout.JAVA_INT, o, fd);
        fds.set(ValueLayout.JAVA_SHORT, o + 4, Libc.POLLIN);
        fds.set(ValueLayout.JAVA_SHORT, o + 6, (short) 0);
    }

    /**
     * Waits until one of the first {@code n} slots is readable or failed.
     *
     * @param timeoutMillis -1 to wait without limit
     * @return the number of ready slots, 0 on timeout (EINTR counts as a timeout)
     */
    public int poll(int n, int timeoutMillis) {
        if (n < 0 || n > capacity) {
            throw new IllegalArgumentException("poll " + n + " of " + capacity + " slots");
        }
        int r = Libc.poll(err, fds.address(), n, timeoutMillis);
        return Math.max(r, 0);
    }

    /** Whether slot {@code i} had input at the last {@link #poll}. */
    public boolean readable(int i) {
        return (fds.get(ValueLayout.JAVA_SHORT, slot(i) + 6) & Libc.POLLIN) != 0;
    }

    /** Whether slot {@code i} reported hang-up, an error or an invalid descriptor at the last {@link #poll}. */
    public boolean failed(int i) {
        return (fds.get(ValueLayout.JAVA_SHORT, slot(i) + 6) & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0;
    }

    private long slot(int i) {
        if (i < 0 || i >= capacity) {
            throw new IndexOutOfBoundsException("slot " + i + " of " + capacity);
        }
        return (long) i * Libc.POLLFD_SIZE;
    }

    /** Nothing to release: a poller holds no descriptor, and its memory goes with it (an automatic arena). */
    @Override
    public void close() {
    }
}
