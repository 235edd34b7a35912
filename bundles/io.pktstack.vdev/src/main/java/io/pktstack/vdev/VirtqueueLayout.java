package io.pktstack.vdev;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Where the three parts of one split virtqueue (VIRTIO 1.2 §2.7) lie in a
 * shared-memory region.
 *
 * <p>Offsets are byte offsets into the region, which is also how descriptor
 * {@code addr} fields name memory (our "guest physical address"). The parts
 * are packed back to back from {@link #base()}: the descriptor table
 * (16-aligned), the available ring (2-aligned) and the used ring (padded to
 * 4), as in the alignment table of §2.7. All fields are little-endian.
 *
 * <pre>
 * desc[N]   { le64 addr; le32 len; le16 flags; le16 next; }        16*N
 * avail     { le16 flags; le16 idx; le16 ring[N]; le16 used_event; } 6+2*N
 * used      { le16 flags; le16 idx; {le32 id; le32 len} ring[N]; le16 avail_event; } 6+8*N
 * </pre>
 *
 * <p>Immutable. The static constants and {@link #needEvent} are the
 * definitions of §2.7.5–§2.7.10 and the helper of §2.7.11.
 */
public final class VirtqueueLayout {

    /** Largest queue size: the highest power of two that fits the 16-bit indices (§2.7). */
    public static final int MAX_QUEUE_SIZE = 32768;
    /** Bytes per descriptor (§2.7.5). */
    public static final int DESC_SIZE = 16;

    /** Descriptor continues via {@code next} (§2.7.5). */
    public static final int VIRTQ_DESC_F_NEXT = 1;
    /** Descriptor buffer is device write-only (§2.7.5). */
    public static final int VIRTQ_DESC_F_WRITE = 2;
    /** Descriptor refers to an indirect table (§2.7.5.3); we never negotiate it. */
    public static final int VIRTQ_DESC_F_INDIRECT = 4;
    /** avail.flags: the driver asks for no used-buffer notifications (§2.7.7). */
    public static final int VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
    /** used.flags: the device asks for no available-buffer notifications (§2.7.10). */
    public static final int VIRTQ_USED_F_NO_NOTIFY = 1;

    // Aligned little-endian accessors. Queue constructors check that the region is
    // 8-aligned and the layout base 16-aligned, so every field is naturally aligned.
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** For the acquire/release accesses of avail.idx and used.idx; coordinates (segment, offset). */
    static final VarHandle U16_VH = U16.varHandle();

    private final int queueSize;
    private final long base;
    private final long availRing;
    private final long usedRing;
    private final long end;

    private VirtqueueLayout(int queueSize, long base) {
        this.queueSize = queueSize;
        this.base = base;
        this.availRing = base + (long) DESC_SIZE * queueSize;
        this.usedRing = align4(availRing + 6 + 2L * queueSize);
        this.end = usedRing + 6 + 8L * queueSize;
    }

    /**
     * Layout of a queue of {@code queueSize} entries starting at {@code base}.
     *
     * @param queueSize a power of two, 2..32768
     * @param base offset of the descriptor table in the region; a multiple of 16
     * @throws IllegalArgumentException if either is out of range
     */
    public static VirtqueueLayout of(int queueSize, long base) {
        checkQueueSize(queueSize);
        if (base < 0 || (base & 15) != 0) {
            throw new IllegalArgumentException("base " + base + " must be a non-negative multiple of 16 (§2.7 descriptor table alignment)");
        }
        if (base > Long.MAX_VALUE - sizeOf(queueSize)) {
            throw new IllegalArgumentException("base " + base + " too large");
        }
        return new VirtqueueLayout(queueSize, base);
    }

    /** Bytes needed for a queue of {@code queueSize} entries, padding included. */
    public static long sizeOf(int queueSize) {
        checkQueueSize(queueSize);
        return align4((long) DESC_SIZE * queueSize + 6 + 2L * queueSize) + 6 + 8L * queueSize;
    }

    /**
     * {@code vring_need_event} (§2.7.11, {@code virtio_ring.h}): whether moving an
     * index from {@code oldIdx} to {@code newIdx} passed the peer's event index,
     * i.e. {@code eventIdx} lies in {@code [oldIdx, newIdx)} modulo 2^16.
     */
    public static boolean needEvent(int eventIdx, int newIdx, int oldIdx) {
        return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    }

    private static void checkQueueSize(int n) {
        if (n < 2 || n > MAX_QUEUE_SIZE || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("queue size " + n + " must be a power of two in 2.." + MAX_QUEUE_SIZE);
        }
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }

    /**
     * Checks that {@code region} can hold this queue with every field naturally
     * aligned, so the acquire/release var-handle accesses are legal.
     */
    void checkFits(MemorySegment region) {
        if (region.byteSize() < end) {
            throw new IllegalArgumentException("region of " + region.byteSize() + " bytes cannot hold queue ending at " + end);
        }
        if (region.maxByteAlignment() < 8) {
            throw new IllegalArgumentException("region must be 8-byte aligned, is " + region.maxByteAlignment());
        }
    }

    /** Number of entries N. */
    public int queueSize() { return queueSize; }

    /** Offset of the descriptor table (== the base). */
    public long base() { return base; }

    /** Offset of the descriptor table. */
    public long descTable() { return base; }

    /** Offset of descriptor {@code i} (not range-checked). */
    public long descriptor(int i) { return base + (long) DESC_SIZE * i; }

    /** Offset of the available ring (its {@code flags} field). */
    public long availRing() { return availRing; }

    /** Offset of avail.flags. */
    public long availFlags() { return availRing; }

    /** Offset of avail.idx. */
    public long availIdx() { return availRing + 2; }

    /** Offset of avail.ring[slot] (not range-checked). */
    public long availEntry(int slot) { return availRing + 4 + 2L * slot; }

    /** Offset of avail.used_event (written by the driver, §2.7.7). */
    public long usedEvent() { return availRing + 4 + 2L * queueSize; }

    /** Offset of the used ring (its {@code flags} field). */
    public long usedRing() { return usedRing; }

    /** Offset of used.flags. */
    public long usedFlags() { return usedRing; }

    /** Offset of used.idx. */
    public long usedIdx() { return usedRing + 2; }

    /** Offset of used.ring[slot] ({@code id}; {@code len} follows at +4; not range-checked). */
    public long usedEntry(int slot) { return usedRing + 4 + 8L * slot; }

    /** Offset of used.avail_event (written by the device, §2.7.10). */
    public long availEvent() { return usedRing + 4 + 8L * queueSize; }

    /** First offset after the used ring. */
    public long end() { return end; }

    /** Bytes from {@link #base()} to {@link #end()}; equals {@link #sizeOf(int)}. */
    public long totalSize() { return end - base; }

    @Override
    public boolean equals(Object o) {
        return o instanceof VirtqueueLayout l && l.queueSize == queueSize && l.base == base;
    }

    @Override
    public int hashCode() {
        return 31 * queueSize + Long.hashCode(base);
    }

    @Override
    public String toString() {
        return "VirtqueueLayout[N=" + queueSize + ", desc=" + base + ", avail=" + availRing
                + ", used=" + usedRing + ", end=" + end + "]";
    }
}
