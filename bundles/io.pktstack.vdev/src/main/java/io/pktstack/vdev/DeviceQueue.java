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
 * double fetch); every buffer returned lies inside the guest's memory
 * ({@link GuestMemory}). A broken rule throws {@link RingViolation}. The
 * device's own accesses stay within the three ring parts, which the
 * constructor checked, so a hostile driver can at worst make us see garbage,
 * never reach outside its memory.
 *
 * <p>The three parts (descriptor table, available ring, used ring) may lie
 * anywhere in the guest's memory (vhost-user.rst "SET_VRING_ADDR"); buffers may
 * overlap the rings: that only lets a driver corrupt its own rings, since this
 * side never reads back what it wrote. Not thread-safe: one thread drives a
 * queue.
 */
public final class DeviceQueue {

    // Offsets inside the parts (§2.7.5, §2.7.6, §2.7.8).
    private static final long AVAIL_FLAGS = 0;
    private static final long AVAIL_IDX = 2;
    private static final long AVAIL_RING = 4;
    private static final long USED_FLAGS = 0;
    private static final long USED_IDX = 2;
    private static final long USED_RING = 4;

    private final GuestMemory memory;
    private final MemorySegment desc;
    private final MemorySegment avail;
    private final MemorySegment used;
    private final boolean eventIdx;
    private final int size;
    private final int mask;
    private final long usedEventOffset;  // avail.used_event
    private final long availEventOffset; // used.avail_event

    private int availIdx;      // avail.idx as last validated by available() (u16)
    private int lastAvailIdx;  // avail entries consumed by pop() (u16)
    private int usedIdx;       // used entries written by pushUsed() (u16); never read from memory
    private int notifiedIdx;   // usedIdx at the last needsKick(), for vring_need_event's old
    private boolean notify;    // whether we ask the driver for available-buffer notifications

    /**
     * A device queue whose rings lie at {@code desc}, {@code avail} and {@code used}
     * (each exactly its part's size, §2.7) and whose descriptors point into
     * {@code memory}.
     *
     * @param size N, a power of two up to 32768
     * @param eventIdx whether VIRTIO_F_EVENT_IDX was negotiated
     * @throws IllegalArgumentException if a part is too small or not aligned for the accesses made to
     *         it: 8 for the table (§2.7 asks 16; a descriptor is read as two 8-byte loads), 2 for the
     *         available ring, 4 for the used ring
     */
    public DeviceQueue(GuestMemory memory, MemorySegment desc, MemorySegment avail, MemorySegment used, int size,
            boolean eventIdx) {
        VirtqueueLayout.sizeOf(size); // checks N
        check("descriptor table", desc, (long) VirtqueueLayout.DESC_SIZE * size, 8);
        check("available ring", avail, 6 + 2L * size, 2);
        check("used ring", used, 6 + 8L * size, 4);
        this.memory = memory;
        this.desc = desc;
        this.avail = avail;
        this.used = used;
        this.eventIdx = eventIdx;
        this.size = size;
        this.mask = size - 1;
        this.usedEventOffset = AVAIL_RING + 2L * size;
        this.availEventOffset = USED_RING + 8L * size;
        reset();
    }

    private static void check(String what, MemorySegment part, long need, int align) {
        if (part.byteSize() < need) {
            throw new IllegalArgumentException(what + " of " + part.byteSize() + " bytes, needs " + need);
        }
        if (part.maxByteAlignment() < align) {
            throw new IllegalArgumentException(what + " is " + part.maxByteAlignment() + "-byte aligned, needs "
                    + align + " (§2.7)");
        }
    }

    /**
     * A device queue over one region laid out by {@code layout}, whose
     * descriptors must point into {@code [bufferAreaStart, bufferAreaEnd)}; a
     * descriptor's address is a byte offset into the region.
     *
     * @param region at least {@code layout.end()} bytes, 8-aligned
     */
    public DeviceQueue(MemorySegment region, VirtqueueLayout layout, long bufferAreaStart, long bufferAreaEnd,
            boolean eventIdx) {
        this(bufferArea(region, layout, bufferAreaStart, bufferAreaEnd),
                region.asSlice(layout.descTable(), (long) VirtqueueLayout.DESC_SIZE * layout.queueSize()),
                region.asSlice(layout.availRing(), 6 + 2L * layout.queueSize()),
                region.asSlice(layout.usedRing(), 6 + 8L * layout.queueSize()), layout.queueSize(), eventIdx);
    }

    private static GuestMemory bufferArea(MemorySegment region, VirtqueueLayout layout, long start, long end) {
        layout.checkFits(region);
        if (start < 0 || start >= end || end > region.byteSize()) {
            throw new IllegalArgumentException("buffer area [" + start + ", " + end
                    + ") not inside region of " + region.byteSize() + " bytes");
        }
        return GuestMemory.of(region.asSlice(start, end - start), start);
    }

    /** Back to index 0 with notifications enabled, as for a freshly reset ring. Writes no memory. */
    public void reset() {
        reset(0);
    }

    /**
     * Starts at {@code base}: the next available entry read and the next used
     * entry written are both {@code base} (vhost-user.rst "SET_VRING_BASE"; after
     * a reconnect, the front-end gives the used index, so chains it had made
     * available and we had not returned are read again). Writes no memory.
     */
    public void reset(int base) {
        availIdx = base & 0xffff;
        lastAvailIdx = availIdx;
        usedIdx = availIdx;
        notifiedIdx = availIdx;
        notify = true;
    }

    /** The next available entry to read (vhost-user.rst "GET_VRING_BASE"). */
    public int nextAvail() {
        return lastAvailIdx;
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
        int idx = ((short) U16_VH.getAcquire(avail, AVAIL_IDX)) & 0xffff;
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
        return (((short) U16_VH.getAcquire(avail, AVAIL_IDX)) & 0xffff) != lastAvailIdx;
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
        int head = avail.get(U16, AVAIL_RING + 2L * (lastAvailIdx & mask)) & 0xffff;
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
     * Gives back the last {@code n} chains taken by {@link #pop()} and not yet
     * returned: they will be popped again (a receive packet that needed more
     * buffers than were available, VIRTIO 1.2 §5.1.6.4.1).
     */
    public void unpop(int n) {
        if (n < 0 || n > outstanding()) {
            throw new IllegalArgumentException("unpop " + n + " of " + outstanding() + " outstanding");
        }
        lastAvailIdx = (lastAvailIdx - n) & 0xffff;
        if (eventIdx) {
            writeAvailEvent();
        }
    }

    /**
     * Walks the descriptor chain starting at {@code head} and stores its buffers
     * in {@code chain}, translated into guest memory. All buffers must be of one
     * direction, given afterwards by {@link DescriptorChain#writable()}.
     *
     * <p>Checks (§2.7.5): every index is below N; the chain is at most N long (so a
     * loop ends); no VIRTQ_DESC_F_INDIRECT (not negotiated, §2.7.5.3); each
     * {@code [addr, addr+len)} lies inside guest memory, computed without
     * overflow; at most {@code chain.capacity()} buffers.
     *
     * @throws RingViolation if the chain breaks a rule; {@code chain} may then hold partial data
     */
    public void readChain(int head, DescriptorChain chain) throws RingViolation {
        chain.clear();
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
            long d = (long) VirtqueueLayout.DESC_SIZE * i;
            long addr = desc.get(U64, d);
            long w = desc.get(U64, d + 8);
            long len = w & 0xffff_ffffL;
            int flags = (int) (w >>> 32) & 0xffff;
            int next = (int) (w >>> 48);
            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0) {
                throw new RingViolation("descriptor " + i + " has VIRTQ_DESC_F_INDIRECT, not negotiated (§2.7.5.3)");
            }
            if (len > Integer.MAX_VALUE) {
                throw new RingViolation("descriptor " + i + ": buffer [0x" + Long.toHexString(addr) + ", +" + len
                        + ") is not inside guest memory: longer than any buffer may be");
            }
            boolean w1 = (flags & VIRTQ_DESC_F_WRITE) != 0;
            if (count == 0) {
                writable = w1;
            } else if (w1 != writable) {
                throw new RingViolation("descriptor " + i + " in chain from head " + head
                        + " mixes device-readable and device-writable segments");
            }
            try {
                memory.translate(addr, len, chain);
            } catch (RingViolation e) {
                throw new RingViolation("descriptor " + i + ": " + e.getMessage());
            }
            count++;
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                break;
            }
            if (next >= size) {
                throw new RingViolation("descriptor " + i + " next " + next + " >= queue size " + size + " (§2.7.5)");
            }
            i = next;
        }
        chain.writable(writable);
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
        long e = USED_RING + 8L * (usedIdx & mask);
        used.set(U32, e, id);
        used.set(U32, e + 4, len);
        usedIdx = (usedIdx + 1) & 0xffff;
    }

    /**
     * Makes the pushed entries visible: a release store of used.idx orders the
     * entries and the data written into the buffers before it (§2.7.8).
     */
    public void publishUsed() {
        U16_VH.setRelease(used, USED_IDX, (short) usedIdx);
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
            int event = avail.get(U16, usedEventOffset) & 0xffff;
            return VirtqueueLayout.needEvent(event, newIdx, oldIdx);
        }
        return (avail.get(U16, AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
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
            used.set(U16, USED_FLAGS, (short) (enable ? 0 : VIRTQ_USED_F_NO_NOTIFY));
        }
        VarHandle.fullFence();
    }

    // avail_event = next entry we will read: notify when it is written. Disabled: one
    // behind, which a driver with at most N chains outstanding cannot reach (§2.7.10).
    private void writeAvailEvent() {
        used.set(U16, availEventOffset, (short) (notify ? lastAvailIdx : lastAvailIdx - 1));
    }

    /** Queue size N. */
    public int size() { return size; }

    /** Chains popped and not yet returned with {@link #pushUsed}. */
    public int outstanding() { return (lastAvailIdx - usedIdx) & 0xffff; }
}
