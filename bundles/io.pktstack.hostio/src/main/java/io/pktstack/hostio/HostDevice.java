package io.pktstack.hostio;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Linux link that frames cross in batches: a {@link TapDevice} or a
 * {@link PacketSocket}. Both use a non-blocking file descriptor; a receiver
 * waits for it with {@code poll} (see {@link HostLink}).
 *
 * <p>Threads: {@link #receive} is called by one receive thread,
 * {@link #send} by one sender at a time (the caller serialises); the counters
 * are written by those threads and read by anyone, possibly a little stale.
 */
public abstract sealed class HostDevice implements AutoCloseable permits TapDevice, PacketSocket {

    /** Largest number of frames one {@link #receive} or {@link #send} call moves. */
    public static final int MAX_BATCH = 256;

    protected final String name;
    protected final int fd;
    protected final Arena arena = Arena.ofShared();
    protected final MemorySegment rxErrno = Libc.errnoSegment(arena);
    protected final MemorySegment txErrno = Libc.errnoSegment(arena);
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Frames dropped on receive because they were too long for a frame slot. */
    protected long rxOversize;
    /** Frames dropped on receive because they were shorter than an Ethernet header. */
    protected long rxRunts;
    /** Frames the kernel refused on send (the link is gone or down). */
    protected long txErrors;
    /** System calls made, to show how well batching works. */
    protected long rxCalls;
    protected long txCalls;

    HostDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** The Linux interface name. */
    public String name() {
        return name;
    }

    /** {@code tap} or {@code if}, as the option that named the device. */
    public abstract String kind();

    int fd() {
        return fd;
    }

    /**
     * Reads waiting frames into {@code frames[0..n)}, which the caller owns and
     * which must be fresh pool frames. Good frames end up first, with their
     * length set; the rest of the array keeps unused (or dropped) frames for the
     * caller to reuse. Never blocks.
     *
     * @return the number of good frames, 0 when nothing was waiting
     * @throws HostIoException if the link failed (gone, down)
     */
    public abstract int receive(Frame[] frames, int n) throws HostIoException;

    /**
     * Sends {@code frames[0..n)} in order, every one at most a slot's payload.
     * Never blocks.
     *
     * @return how many frames the kernel took or refused for good, from the
     *         front; the rest found no room and may be retried
     */
    public abstract int send(Frame[] frames, int n);

    /** Whether Linux reports carrier on the device (always true for a TAP device we hold). */
    public abstract boolean carrier();

    /** Bytes a received frame can occupy in a slot of {@code pool}. */
    static int receiveCapacity(Frame f) {
        return f.capacity() - FramePool.HEADROOM;
    }

    static long receiveAddress(Frame f) {
        return f.segment().address() + FramePool.HEADROOM;
    }

    static long frameAddress(Frame f) {
        return f.segment().address() + f.offset();
    }

    public long rxOversize() {
        return rxOversize;
    }

    public long rxRunts() {
        return rxRunts;
    }

    public long txErrors() {
        return txErrors;
    }

    public long rxCalls() {
        return rxCalls;
    }

    public long txCalls() {
        return txCalls;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Libc.close(fd);
            arena.close();
        }
    }

    /** Moves {@code frames[j]} to position {@code good} so good frames stay first. */
    static void keep(Frame[] frames, int good, int j) {
        if (good != j) {
            Frame t = frames[good];
            frames[good] = frames[j];
            frames[j] = t;
        }
    }

    /** Checks a Linux interface name as the kernel would: 1 to 15 bytes, no '/', ':' or white space. */
    public static String checkInterfaceName(String option, String value) {
        if (value == null || value.isEmpty() || value.length() >= Libc.IFNAMSIZ
                || !value.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != ':')) {
            throw new IllegalArgumentException("option '" + option + "=" + (value == null ? "" : value)
                    + "': a Linux interface name is 1-15 characters without '/', ':' or spaces");
        }
        return value;
    }
}
