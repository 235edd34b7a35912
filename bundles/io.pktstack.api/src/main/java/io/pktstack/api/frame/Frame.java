package io.pktstack.api.frame;

import java.lang.foreign.MemorySegment;

/**
 * One Ethernet frame in a fixed-size off-heap slot of a {@link FramePool}, the
 * mbuf of this stack. The frame's bytes are {@code [offset, offset + length)} of
 * {@link #segment()}; the space in front of {@code offset} is headroom for
 * prepending headers without a copy.
 *
 * <p>Ownership: exactly one party owns a frame at a time. Whoever takes a frame
 * from the pool owns it; handing it to a method documented as "takes
 * ownership" passes it on; the last owner calls {@link #release()}. A frame is
 * never copied inside a process, and a released frame must not be touched.
 *
 * <p>Frame objects are created once with their pool and reused, so the data
 * path does not allocate.
 */
public final class Frame {

    private final FramePool pool;
    private final int index;
    private final MemorySegment slot;
    private int offset;
    private int length;
    private int inputPort = -1;
    boolean free = true;

    Frame(FramePool pool, int index, MemorySegment slot) {
        this.pool = pool;
        this.index = index;
        this.slot = slot;
    }

    /** The whole slot; the frame occupies {@code [offset(), offset() + length())}. */
    public MemorySegment segment() {
        return slot;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** Capacity of the slot in bytes (headroom included). */
    public int capacity() {
        return (int) slot.byteSize();
    }

    /** Index of this frame's slot in its pool, stable for the pool's life. */
    public int index() {
        return index;
    }

    public FramePool pool() {
        return pool;
    }

    /**
     * Sets where the frame's bytes lie in the slot.
     *
     * @throws IndexOutOfBoundsException if the range leaves the slot
     */
    public Frame set(int offset, int length) {
        if (offset < 0 || length < 0 || offset > slot.byteSize() - length) {
            throw new IndexOutOfBoundsException("frame range [" + offset + ", +" + length
                    + ") outside slot of " + slot.byteSize());
        }
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Sets the length, keeping the offset. */
    public Frame length(int length) {
        return set(offset, length);
    }

    /** The stack's number for the interface this frame came in on, or -1. */
    public int inputPort() {
        return inputPort;
    }

    public void inputPort(int port) {
        this.inputPort = port;
    }

    /** Returns the frame to its pool; the caller gives up ownership. */
    public void release() {
        pool.release(this);
    }

    void reset() {
        offset = FramePool.HEADROOM;
        length = 0;
        inputPort = -1;
    }

    @Override
    public String toString() {
        return "Frame[" + index + ", off=" + offset + ", len=" + length + "]";
    }
}
