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

    /** The transport checksum is as it came or was built; a receiver that needs it sound checks it. */
    public static final int CSUM_NONE = 0;
    /**
     * The transport checksum is partial (VIRTIO's NEEDS_CSUM, Linux's
     * CHECKSUM_PARTIAL): the field at {@link #csumStart()} +
     * {@link #csumOffset()} holds the pseudo-header sum, and the sum from
     * {@code csumStart} to the end is left to whoever puts the frame on a
     * wire. Such a frame never crossed a wire, so a receiver in this host
     * takes its data as sound.
     *
     * @since 1.1
     */
    public static final int CSUM_PARTIAL = 1;
    /**
     * The transport checksum was checked already, by a peer that says so
     * (VIRTIO's DATA_VALID): a receiver need not check it again.
     *
     * @since 1.1
     */
    public static final int CSUM_VALID = 2;

    /** Not a segmentation-offload frame: one packet, at most the link's MTU. @since 1.2 */
    public static final int GSO_NONE = 0;
    /**
     * A TCP/IPv4 segment larger than the MTU, to be cut into segments of
     * {@link #gsoSize()} payload bytes where it leaves for a link that does not
     * take it whole (VIRTIO's GSO_TCPV4, Linux's SKB_GSO_TCPV4). Its checksum
     * is partial.
     *
     * @since 1.2
     */
    public static final int GSO_TCPV4 = 1;
    /** As {@link #GSO_TCPV4}, over IPv6. @since 1.2 */
    public static final int GSO_TCPV6 = 4;

    private final FramePool pool;
    private final int index;
    private final MemorySegment slot;
    private int offset;
    private int length;
    private int inputPort = -1;
    private int checksum;
    private int csumStart;
    private int csumOffset;
    private int gso;
    private int gsoSize;
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

    /** {@link #CSUM_NONE}, {@link #CSUM_PARTIAL} or {@link #CSUM_VALID}. @since 1.1 */
    public int checksum() {
        return checksum;
    }

    /** Where the partial checksum's sum starts, from the frame's first byte (its Ethernet header). @since 1.1 */
    public int csumStart() {
        return csumStart;
    }

    /** Where the partial checksum goes, from {@link #csumStart()}. @since 1.1 */
    public int csumOffset() {
        return csumOffset;
    }

    /**
     * Marks the transport checksum partial ({@link #CSUM_PARTIAL}). Offsets from
     * a peer must have been checked against the frame by the caller.
     *
     * @since 1.1
     */
    public void checksumPartial(int start, int offset) {
        this.checksum = CSUM_PARTIAL;
        this.csumStart = start;
        this.csumOffset = offset;
    }

    /** Sets {@link #CSUM_NONE} or {@link #CSUM_VALID}. @since 1.1 */
    public void checksum(int state) {
        if (state != CSUM_NONE && state != CSUM_VALID) {
            throw new IllegalArgumentException("checksum state " + state + " (a partial one has offsets)");
        }
        this.checksum = state;
        this.csumStart = 0;
        this.csumOffset = 0;
    }

    /** Gives this frame {@code from}'s checksum state, for a copy of its bytes. @since 1.1 */
    public void checksumFrom(Frame from) {
        this.checksum = from.checksum;
        this.csumStart = from.csumStart;
        this.csumOffset = from.csumOffset;
    }

    /** {@link #GSO_NONE}, {@link #GSO_TCPV4} or {@link #GSO_TCPV6}. @since 1.2 */
    public int gso() {
        return gso;
    }

    /** Payload bytes per segment of a segmentation-offload frame (its MSS); 0 for {@link #GSO_NONE}. @since 1.2 */
    public int gsoSize() {
        return gsoSize;
    }

    /**
     * Marks this frame a segmentation-offload one ({@link #GSO_TCPV4},
     * {@link #GSO_TCPV6}) of {@code size}-byte segments, or not one
     * ({@link #GSO_NONE}, size 0). Headers from a peer must have been checked
     * by the caller.
     *
     * @since 1.2
     */
    public void segmentation(int type, int size) {
        if (type == GSO_NONE ? size != 0 : (type != GSO_TCPV4 && type != GSO_TCPV6) || size <= 0) {
            throw new IllegalArgumentException("segmentation " + type + " of " + size + " bytes");
        }
        this.gso = type;
        this.gsoSize = size;
    }

    /**
     * Gives this frame {@code from}'s checksum and segmentation state, for a
     * copy of its bytes.
     *
     * @since 1.2
     */
    public void offloadsFrom(Frame from) {
        checksumFrom(from);
        this.gso = from.gso;
        this.gsoSize = from.gsoSize;
    }

    /** Returns the frame to its pool; the caller gives up ownership. */
    public void release() {
        pool.release(this);
    }

    void reset() {
        offset = FramePool.HEADROOM;
        length = 0;
        inputPort = -1;
        checksum = CSUM_NONE;
        csumStart = 0;
        csumOffset = 0;
        gso = GSO_NONE;
        gsoSize = 0;
    }

    @Override
    public String toString() {
        return "Frame[" + index + ", off=" + offset + ", len=" + length + "]";
    }
}
