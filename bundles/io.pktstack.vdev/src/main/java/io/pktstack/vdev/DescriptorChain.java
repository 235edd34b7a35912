package io.pktstack.vdev;

import java.lang.foreign.MemorySegment;

/**
 * The buffers of one descriptor chain as {@link DeviceQueue#readChain} found
 * them: each a slice of mapped guest memory ({@code segment}, {@code offset},
 * {@code length}), checked to lie inside it. A caller keeps one instance per
 * queue and reuses it, so reading a chain allocates nothing.
 */
public final class DescriptorChain {

    private final MemorySegment[] segment;
    private final long[] offset;
    private final int[] length;
    private final long[] address;
    private int count;
    private long total;
    private boolean writable;

    /** @param capacity most buffers a chain may have (after splitting at region edges) */
    public DescriptorChain(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        segment = new MemorySegment[capacity];
        offset = new long[capacity];
        length = new int[capacity];
        address = new long[capacity];
    }

    void clear() {
        count = 0;
        total = 0;
        writable = false;
    }

    void append(MemorySegment s, long off, int len, long guestAddress) throws RingViolation {
        if (count == segment.length) {
            throw new RingViolation("descriptor chain has more than " + segment.length + " buffers");
        }
        segment[count] = s;
        offset[count] = off;
        length[count] = len;
        address[count] = guestAddress;
        count++;
        total += len;
    }

    void writable(boolean w) {
        writable = w;
    }

    /** Buffers in the chain, 1..capacity. */
    public int count() {
        return count;
    }

    /** The memory that holds buffer {@code i}. */
    public MemorySegment segment(int i) {
        return segment[i];
    }

    /** Where buffer {@code i} starts in {@link #segment(int)}. */
    public long offset(int i) {
        return offset[i];
    }

    /** Bytes in buffer {@code i}. */
    public int length(int i) {
        return length[i];
    }

    /** The guest address buffer {@code i} starts at (for messages and tests). */
    public long address(int i) {
        return address[i];
    }

    /** Bytes in all buffers. */
    public long totalLength() {
        return total;
    }

    /** Whether the buffers are device-writable (a receive buffer) rather than device-readable. */
    public boolean writable() {
        return writable;
    }

    public int capacity() {
        return segment.length;
    }
}
