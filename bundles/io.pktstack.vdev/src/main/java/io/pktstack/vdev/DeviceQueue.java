package io.pktstack.vdev;

import static io.pktstack.vdev.VirtqueueLayout.U16;
import static io.pktstack.vdev.VirtqueueLayout.U16_VH;
import static io.pktstack.vdev.VirtqueueLayout.U32;
import static io.pktstack.vdev.VirtqueueLayout.U64;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_AVAIL_F_NO_INTERRUPT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_INDIRECT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_NEXT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_WRITE;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_USED_F_NO_NOTIFY;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * The device side of one split virtqueue (VIRTIO 1.2 §2.7) whose memory belongs
 * to an untrusted driver.
 *
 * <p>The driver may write anything at any time. So: the device keeps its own
 * indices and never reads used.idx back; every index read from the rings is
 * checked against N before use; each descriptor is read once into locals (no
 * double fetch); every buffer returned lies inside the buffer area given at
 * construction. A broken rule throws {@link RingViolation}. The device's own
 * accesses stay within the layout, which the constructor checked against the
 * region, so a hostile driver can at worst make us see garbage, never reach
 * outside the region.
 *
 * <p>The buffer area may overlap the rings: that only lets a driver corrupt its
 * own rings, since this side never reads back what it wrote. The driver resets
 * the ring before handing it over; this side starts at index 0. Not
 * thread-safe: one thread drives a queue.
 */
public final class DeviceQueue {

    private final MemorySegment region;
    private final VirtqueueLayout layout;
    private final long bufferAreaStart;
    private final long bufferAreaEnd;
    private final boolean eventIdx;
    private final int size;
    private final int mask;

    private int availIdx;      // avail.idx as last validated by available() (u16)
    private int lastAvailIdx;  // avail entries consumed by pop() (u16)
    private int usedIdx;       // used entries written by pushUsed() (u16); never read from memory
    private int notifiedIdx;   // usedIdx at the last needsKick(), for vring_need_event's old
    private boolean notify;    // whether we ask the driver for available-buffer notifications
    private boolean chainWritable;

    /**
     * A device queue over a driver's region.
     *
     * @param region the shared region: at least {@code layout.end()} bytes, 8-aligned
     * @param bufferAreaStart first offset a descriptor may point at
     * @param bufferAreaEnd offset just past the last byte a descriptor may cover;
     *        {@code 0 <= start <= end <= region.byteSize()}
     * @param eventIdx whether VIRTIO_F_EVENT_IDX was negotiated
     */
    public DeviceQueue(MemorySegment region, VirtqueueLayout layout, long bufferAreaStart, long bufferAreaEnd,
            boolean eventIdx) {
        layout.checkFits(region);
        if (bufferAreaStart < 0 || bufferAreaStart > bufferAreaEnd || bufferAreaEnd > region.byteSize()) {
            throw new IllegalArgumentException("buffer area [" + bufferAreaStart + ", " + bufferAreaEnd
                    + ") not inside region of " + region.byteSize() + " bytes");
        }
        this.region = region;
        this.layout = layout;
        this.bufferAreaStart = bufferAreaStart;
        this.bufferAreaEnd = bufferAreaEnd;
        this.eventIdx = eventIdx;
        this.size = layout.queueSize();
        this.mask = size - 1;
        reset();
    }

    /** Back to index 0 with notifications enabled, as for a freshly reset ring. Writes no memory. */
    public void reset() {
        availIdx = 0;
        lastAvailIdx = 0;
        usedIdx = 0;
        notifiedIdx = 0;
        notify = true;
        chainWritable = false;
    }

    /**
     * Reads avail.idx and returns how many chains the driver made available that
     * {@link #pop()} has not taken yet. The acquire load pairs with the driver's
     * release store (§2.7.13.3), so the ring entries and descriptors are visible.
     *
     * @return 0..N
     * @throws RingViolation if avail.idx moved by more than N, or more than N chains
     *         would be outstanding (a driver cannot have more buffers than descriptors)
     */
    public int available() throws RingViolation {
        int idx = ((short) U16_VH.getAcquire(region, layout.availIdx())) & 0xffff;
        int jump = (idx - lastAvailIdx) & 0xffff;
        if (jump > size) {
            throw new RingViolation("avail index jumped by " + jump + " > queue size " + size + " (§2.7.6)");
        }
        int outstanding = (idx - usedIdx) & 0xffff;
        if (outstanding > size) {
            throw new RingViolation("avail index " + idx + " leaves " + outstanding
                    + " chains outstanding > queue size " + size + " (§2.7.13)");
        }
        availIdx = idx;
        return jump;
    }

    /**
     * Whether avail.idx moved since the last {@link #pop()}. A hint, not validated:
     * {@link #available()} checks. After {@link #enableNotifications
     * enableNotifications(true)}, call this before sleeping so a chain made
     * available in between is not missed.
     */
    public boolean hasAvailable() {
        return (((short) U16_VH.getAcquire(region, layout.availIdx())) & 0xffff) != lastAvailIdx;
    }

    /**
     * Takes the next chain head from the available ring.
     *
     * @return the head descriptor index, 0..N-1, or -1 if the chains counted by the
     *         last {@link #available()} are all taken
     * @throws RingViolation if the ring entry is not a descriptor index
     */
    public int pop() throws RingViolation {
        if (lastAvailIdx == availIdx) {
            return -1;
        }
        int head = region.get(U16, layout.availEntry(lastAvailIdx & mask)) & 0xffff;
        lastAvailIdx = (lastAvailIdx + 1) & 0xffff;
        if (eventIdx) {
            writeAvailEvent();
        }
        if (head >= size) {
            throw new RingViolation("avail ring head " + head + " >= queue size " + size + " (§2.7.6)");
        }
        return head;
    }

    /**
     * Walks the descriptor chain starting at {@code head} and stores each
     * segment's offset and length. All segments must be of one direction, given
     * afterwards by {@link #chainWritable()}.
     *
     * <p>Checks (§2.7.5): every index is below N; the chain is at most N long (so a
     * loop ends); no VIRTQ_DESC_F_INDIRECT (not negotiated, §2.7.5.3); each
     * {@code [addr, addr+len)} is inside the buffer area, computed without
     * overflow; at most {@code maxSegments} segments.
     *
     * @param addrs receives segment offsets in the region
     * @param lens receives segment lengths, each 0..Integer.MAX_VALUE
     * @param maxSegments segments the caller can take, 1..min(addrs.length, lens.length)
     * @return the number of segments, 1..maxSegments
     * @throws RingViolation if the chain breaks a rule; the arrays may then hold partial data
     */
    public int readChain(int head, long[] addrs, int[] lens, int maxSegments) throws RingViolation {
        if (maxSegments < 1 || maxSegments > addrs.length || maxSegments > lens.length) {
            throw new IllegalArgumentException("maxSegments " + maxSegments + " not in 1..array length");
        }
        if (head < 0 || head >= size) {
            throw new RingViolation("chain head " + head + " >= queue size " + size + " (§2.7.5)");
        }
        int i = head;
        int count = 0;
        boolean writable = false;
        while (true) {
            if (count == size) {
                throw new RingViolation("descriptor chain from head " + head + " longer than queue size "
                        + size + ": a loop (§2.7.5)");
            }
            // One fetch per field: addr, then len|flags|next in one 8-byte load.
            long d = layout.descriptor(i);
            long addr = region.get(U64, d);
            long w = region.get(U64, d + 8);
            long len = w & 0xffff_ffffL;
            int flags = (int) (w >>> 32) & 0xffff;
            int next = (int) (w >>> 48);
            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0) {
                throw new RingViolation("descriptor " + i + " has VIRTQ_DESC_F_INDIRECT, not negotiated (§2.7.5.3)");
            }
            // addr is u64: a value >= 2^63 is negative here and fails the first test.
            if (addr < bufferAreaStart || addr > bufferAreaEnd || len > bufferAreaEnd - addr
                    || len > Integer.MAX_VALUE) {
                throw new RingViolation("descriptor " + i + " [" + Long.toUnsignedString(addr) + ", +" + len
                        + ") not inside buffer area [" + bufferAreaStart + ", " + bufferAreaEnd + ")");
            }
            boolean w1 = (flags & VIRTQ_DESC_F_WRITE) != 0;
            if (count == 0) {
                writable = w1;
            } else if (w1 != writable) {
                throw new RingViolation("descriptor " + i + " in chain from head " + head
                        + " mixes device-readable and device-writable segments");
            }
            if (count == maxSegments) {
                throw new RingViolation("descriptor chain from head " + head + " has more than "
                        + maxSegments + " segments");
            }
            addrs[count] = addr;
            lens[count] = (int) len;
            count++;
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                break;
            }
            if (next >= size) {
                throw new RingViolation("descriptor " + i + " next " + next + " >= queue size " + size + " (§2.7.5)");
            }
            i = next;
        }
        chainWritable = writable;
        return count;
    }

    /** Whether the segments of the last successful {@link #readChain} are device-writable (a receive buffer). */
    public boolean chainWritable() {
        return chainWritable;
    }

    /**
     * Writes a used entry; the driver sees it after {@link #publishUsed()}.
     *
     * @param id the chain head returned by {@link #pop()}
     * @param len bytes written into the chain (0 for a device-readable chain)
     * @throws IllegalArgumentException if {@code id} is not below N
     * @throws IllegalStateException if every popped chain was already returned
     */
    public void pushUsed(int id, int len) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException("used id " + id + " not in 0.." + (size - 1));
        }
        if (usedIdx == lastAvailIdx) {
            throw new IllegalStateException("pushUsed without an outstanding popped chain");
        }
        long e = layout.usedEntry(usedIdx & mask);
        region.set(U32, e, id);
        region.set(U32, e + 4, len);
        usedIdx = (usedIdx + 1) & 0xffff;
    }

    /**
     * Makes the pushed entries visible: a release store of used.idx orders the
     * entries and the data written into the buffers before it (§2.7.8).
     */
    public void publishUsed() {
        U16_VH.setRelease(region, layout.usedIdx(), (short) usedIdx);
    }

    /**
     * Whether the driver wants a used-buffer notification for what was published
     * since the last call (§2.7.7). The full fence orders the used.idx store before
     * the read of used_event/avail.flags. The values read only choose the result.
     */
    public boolean needsKick() {
        VarHandle.fullFence();
        int newIdx = usedIdx;
        int oldIdx = notifiedIdx;
        notifiedIdx = newIdx;
        if (newIdx == oldIdx) {
            return false;
        }
        if (eventIdx) {
            int event = region.get(U16, layout.usedEvent()) & 0xffff;
            return VirtqueueLayout.needEvent(event, newIdx, oldIdx);
        }
        return (region.get(U16, layout.availFlags()) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }

    /**
     * Asks the driver for available-buffer notifications, or tells it they are
     * not needed while we poll (§2.7.10): avail_event with VIRTIO_F_EVENT_IDX
     * (kept current by {@link #pop()}), used.flags NO_NOTIFY otherwise. Ends with
     * a full fence so that a following {@link #hasAvailable()} reads avail.idx
     * after the store.
     */
    public void enableNotifications(boolean enable) {
        notify = enable;
        if (eventIdx) {
            writeAvailEvent();
        } else {
            region.set(U16, layout.usedFlags(), (short) (enable ? 0 : VIRTQ_USED_F_NO_NOTIFY));
        }
        VarHandle.fullFence();
    }

    // avail_event = next entry we will read: notify when it is written. Disabled: one
    // behind, which a driver with at most N chains outstanding cannot reach (§2.7.10).
    private void writeAvailEvent() {
        region.set(U16, layout.availEvent(), (short) (notify ? lastAvailIdx : lastAvailIdx - 1));
    }

    /** Queue size N. */
    public int size() { return size; }

    /** The layout this queue uses. */
    public VirtqueueLayout layout() { return layout; }

    /** Chains popped and not yet returned with {@link #pushUsed}. */
    public int outstanding() { return (lastAvailIdx - usedIdx) & 0xffff; }
}
