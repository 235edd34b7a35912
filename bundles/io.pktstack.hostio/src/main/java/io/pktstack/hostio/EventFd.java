package io.pktstack.hostio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Linux eventfd: a counter one side signals and the other waits on with
 * {@link Poller}. vhost-user's kick and call notifications are eventfds
 * (vhost-user.rst "SET_VRING_KICK", "SET_VRING_CALL"). Signalling and draining
 * allocate nothing.
 *
 * <p>Thread safety: any thread may {@link #signal()}; one thread drains.
 */
public final class EventFd implements AutoCloseable {

    // Small syscall buffers in an automatic arena, freed by the collector: closing a shared arena is a handshake
    // with every thread of the JVM, paid at every link reset (and per input by the vhost-messages fuzz target),
    // and the calls pass raw addresses, which a closed arena would not protect anyway.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment sink = arena.allocate(ValueLayout.JAVA_LONG);
    private final int fd;
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /** A new non-blocking eventfd with the counter at zero. */
    public static EventFd create() throws HostIoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(a);
            int fd = Libc.eventfd(err, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            if (fd < 0) {
                throw HostIoException.of("eventfd", Libc.errno(err), null);
            }
            return new EventFd(fd);
        }
    }

    /**
     * Takes ownership of a descriptor received from a peer, after checking that
     * it really is an eventfd: a peer that passes a pipe or a file instead could
     * otherwise make a write block or land in one of its files. The descriptor is
     * closed when the check fails.
     *
     * @throws HostIoException naming what the descriptor is instead
     */
    public static EventFd adopt(int fd) throws HostIoException {
        String what = describe(fd);
        if (!what.equals("anon_inode:[eventfd]")) {
            Libc.close(fd);
            throw new HostIoException("descriptor is " + what + ", not an eventfd", Libc.EINVAL);
        }
        return new EventFd(fd);
    }

    /** What {@code /proc/self/fd/N} says a descriptor is, e.g. {@code anon_inode:[eventfd]}. */
    static String describe(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    public int fd() {
        return fd;
    }

    /**
     * Adds one to the counter, waking a waiter. A full counter (EAGAIN) already
     * means "signalled", so nothing is lost. Does nothing after {@link #close()}.
     */
    public void signal() {
        if (!closed) {
            Libc.writePlain(fd, one.address(), 8);
        }
    }

    /** Reads and resets the counter; returns whether it had been signalled. */
    public boolean drain() {
        return !closed && Libc.readPlain(fd, sink.address(), 8) == 8;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "eventfd " + fd;
    }
}
