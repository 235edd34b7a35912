package io.pktstack.vdev;

import static io.pktstack.vdev.VirtqueueLayout.U16;
import static io.pktstack.vdev.VirtqueueLayout.U16_VH;
import static io.pktstack.vdev.VirtqueueLayout.U32;
import static io.pktstack.vdev.VirtqueueLayout.U64;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_AVAIL_F_NO_INTERRUPT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_WRITE;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_USED_F_NO_NOTIFY;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The driver (owner) side of one split virtqueue (VIRTIO 1.2 §2.7).
 *
 * <p>Buffers are single descriptors: descriptor {@code id} describes buffer
 * {@code id}, and {@code id} is also the chain head put in the available ring,
 * so at most N buffers are in flight and the available ring cannot overflow
 * (§2.7.13).
 *
 * <p>The device is not trusted either. The queue keeps a shadow of every
 * descriptor it posted and never reads its descriptors back; each used entry
 * is checked against the shadow before the caller sees it.
 *
 * <p>Not thread-safe: one thread drives a queue.
 */
public final class DriverQueue {

    /**
     * Receives buffers the device has finished with. Callers keep one instance per
     * queue, so reaping does not allocate.
     */
    @FunctionalInterface
    public interface UsedHandler {
        /**
         * Buffer {@code id} is back; ownership returns to the driver.
         *
         * @param id the descriptor posted with {@link #post}
         * @param len bytes the device wrote into it (0 for device-readable buffers),
         *        at most the posted length
         */
        void used(int id, int len);
    }

    private final MemorySegment region;
    private final VirtqueueLayout layout;
    private final boolean eventIdx;
    private final int size;
    private final int mask;

    // Shadow of our own descriptors (§2.7.5): what we posted, and whether the device owns it.
    private final long[] postedAddr;
    private final int[] postedLen;
    private final boolean[] inFlight;
    private final int[] postedAt; // avail index the buffer was posted at (u16)
    private int inFlightCount;

    private int availIdx;      // next avail.idx to publish (u16)
    private int publishedIdx;  // avail.idx as last published (u16)
    private int kickedIdx;     // avail.idx at the last needsKick(), for vring_need_event's old
    private int lastUsedIdx;   // used entries consumed so far (u16)
    private boolean notify;    // whether we ask the device for used-buffer notifications

    /**
     * A driver queue over {@code region}; {@link #reset()}s the ring memory.
     *
     * @param region the shared region: at least {@code layout.end()} bytes, 8-aligned
     * @param eventIdx whether VIRTIO_F_EVENT_IDX was negotiated
     */
    public DriverQueue(MemorySegment region, VirtqueueLayout layout, boolean eventIdx) {
        layout.checkFits(region);
        this.region = region;
        this.layout = layout;
        this.eventIdx = eventIdx;
        this.size = layout.queueSize();
        this.mask = size - 1;
        this.postedAddr = new long[size];
        this.postedLen = new int[size];
        this.inFlight = new boolean[size];
        this.postedAt = new int[size];
        reset();
    }

    /**
     * Zeroes the ring memory and forgets all buffers: nothing is in flight,
     * indices start at 0, notifications are enabled. Only while the device is not
     * using the queue (before handing it over, or after the link went down).
     */
    public void reset() {
        // §2.7.10: the driver initializes used.flags to 0; zero used_event asks for a
        // notification on the first used buffer (§2.7.7).
        region.asSlice(layout.base(), layout.totalSize()).fill((byte) 0);
        Arrays.fill(postedAddr, 0L);
        Arrays.fill(postedLen, 0);
        Arrays.fill(inFlight, false);
        Arrays.fill(postedAt, 0);
        inFlightCount = 0;
        availIdx = 0;
        publishedIdx = 0;
        kickedIdx = 0;
        lastUsedIdx = 0;
        notify = true;
        VarHandle.fullFence();
    }

    /**
     * Writes descriptor {@code id} and appends it to the available ring; the
     * device sees it only after {@link #publish()}.
     *
     * @param id buffer and descriptor index, 0..N-1
     * @param addr the buffer's guest address (an offset into the front-end's region, or a shared pool's address)
     * @param len buffer length in bytes
     * @param deviceWritable true for a receive buffer the device fills (VIRTQ_DESC_F_WRITE),
     *        false for a buffer the device only reads
     * @return false, and nothing written, if {@code id} is already in flight
     * @throws IllegalArgumentException if {@code id}, {@code addr} or {@code len} is out of range
     */
    public boolean post(int id, long addr, int len, boolean deviceWritable) {
        if (id < 0 || id >= size) {
            throw new IllegalArgumentException("descriptor id " + id + " not in 0.." + (size - 1));
        }
        if (addr < 0 || len < 0) {
            throw new IllegalArgumentException("negative addr " + addr + " or len " + len);
        }
        if (inFlight[id]) {
            return false;
        }
        long d = layout.descriptor(id);
        region.set(U64, d, addr);
        region.set(U32, d + 8, len);
        region.set(U16, d + 12, (short) (deviceWritable ? VIRTQ_DESC_F_WRITE : 0));
        region.set(U16, d + 14, (short) 0);
        region.set(U16, layout.availEntry(availIdx & mask), (short) id);
        postedAt[id] = availIdx;
        availIdx = (availIdx + 1) & 0xffff;
        postedAddr[id] = addr;
        postedLen[id] = len;
        inFlight[id] = true;
        inFlightCount++;
        return true;
    }

    /**
     * Makes everything posted so far visible to the device: a release store of
     * avail.idx orders the descriptor and ring writes before it (§2.7.13.3).
     */
    public void publish() {
        U16_VH.setRelease(region, layout.availIdx(), (short) availIdx);
        publishedIdx = availIdx;
    }

    /** Whether buffers were posted since the last {@link #publish()}. */
    public boolean publishPending() {
        return availIdx != publishedIdx;
    }

    /**
     * Whether the device wants an available-buffer notification for what was
     * published since the last call (§2.7.10, §2.7.13.4). Call after
     * {@link #publish()}; the full fence orders the avail.idx store before the
     * read of avail_event/used.flags, so a device going to sleep is not missed.
     */
    public boolean needsKick() {
        VarHandle.fullFence();
        int newIdx = availIdx;
        int oldIdx = kickedIdx;
        kickedIdx = newIdx;
        if (newIdx == oldIdx) {
            return false;
        }
        if (eventIdx) {
            int event = region.get(U16, layout.availEvent()) & 0xffff;
            return VirtqueueLayout.needEvent(event, newIdx, oldIdx);
        }
        return (region.get(U16, layout.usedFlags()) & VIRTQ_USED_F_NO_NOTIFY) == 0;
    }

    /**
     * Hands up to {@code max} used buffers to {@code h}, oldest first. Each entry
     * is checked before the handler runs: {@code id < N}, {@code id} in flight
     * and published, {@code len} at most the posted length. The buffer is no
     * longer in flight when the handler runs, so the handler may re-post it.
     *
     * <p>With VIRTIO_F_EVENT_IDX, updates used_event so the device notifies on the
     * next used buffer (§2.7.7), or never while notifications are disabled.
     *
     * @return the number of buffers handed to {@code h}
     * @throws RingViolation if the device broke a rule; the queue must then be reset
     */
    public int reap(UsedHandler h, int max) throws RingViolation {
        // Acquire pairs with the device's release of used.idx: the entries are written.
        int usedIdx = ((short) U16_VH.getAcquire(region, layout.usedIdx())) & 0xffff;
        int pending = (usedIdx - lastUsedIdx) & 0xffff;
        if (pending > inFlightCount) {
            throw new RingViolation("used index advanced by " + pending + " but only "
                    + inFlightCount + " buffers are in flight (§2.7.8)");
        }
        int n = Math.min(pending, max);
        for (int i = 0; i < n; i++) {
            long e = layout.usedEntry(lastUsedIdx & mask);
            int id = region.get(U32, e);
            int len = region.get(U32, e + 4);
            if (id < 0 || id >= size) {
                throw new RingViolation("used id " + Integer.toUnsignedString(id)
                        + " >= queue size " + size + " (§2.7.8)");
            }
            if (!inFlight[id]) {
                throw new RingViolation("used id " + id + " was not in flight (§2.7.8)");
            }
            // Posted after the last publish (e.g. re-posted by the handler): the device cannot have seen it.
            if (((postedAt[id] - publishedIdx) & 0xffff) < ((availIdx - publishedIdx) & 0xffff)) {
                throw new RingViolation("used id " + id + " was posted but not yet published (§2.7.13)");
            }
            if (Integer.compareUnsigned(len, postedLen[id]) > 0) {
                throw new RingViolation("used len " + Integer.toUnsignedString(len) + " for id " + id
                        + " exceeds the posted length " + postedLen[id] + " (§2.7.8)");
            }
            inFlight[id] = false;
            inFlightCount--;
            lastUsedIdx = (lastUsedIdx + 1) & 0xffff;
            h.used(id, len);
        }
        if (eventIdx && n > 0) {
            writeUsedEvent();
        }
        return n;
    }

    /**
     * How many used buffers wait to be reaped (not yet validated: {@link #reap}
     * checks each entry). For sizing a batch before reaping it.
     */
    public int usedPending() {
        return ((((short) U16_VH.getAcquire(region, layout.usedIdx())) & 0xffff) - lastUsedIdx) & 0xffff;
    }

    /**
     * Whether the device has returned buffers not yet reaped. After
     * {@link #enableNotifications enableNotifications(true)}, call this before
     * sleeping: a buffer used in between would otherwise not be noticed.
     */
    public boolean hasUsed() {
        return (((short) U16_VH.getAcquire(region, layout.usedIdx())) & 0xffff) != lastUsedIdx;
    }

    /**
     * Asks the device for used-buffer notifications, or tells it they are not
     * needed while we poll (§2.7.7): used_event with VIRTIO_F_EVENT_IDX,
     * avail.flags NO_INTERRUPT otherwise. Ends with a full fence so that a
     * following {@link #hasUsed()} reads used.idx after the store.
     */
    public void enableNotifications(boolean enable) {
        notify = enable;
        if (eventIdx) {
            writeUsedEvent();
        } else {
            region.set(U16, layout.availFlags(), (short) (enable ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT));
        }
        VarHandle.fullFence();
    }

    /**
     * Asks for a notification once most of the buffers in flight are used, not
     * the next one (Linux's {@code virtqueue_enable_cb_delayed}): with
     * VIRTIO_F_EVENT_IDX, used_event is set {@code fraction} (per 256) of the way
     * through them. A transmitter waiting for room is then woken once per refill
     * of that much of its ring instead of once per batch the device returns, and
     * the device makes one notification where it made many. Without EVENT_IDX
     * this is {@link #enableNotifications enableNotifications(true)}. Ends with a
     * full fence; the next {@link #reap} (which re-arms for the next buffer while
     * notifications are on) or {@link #enableNotifications} overrides it.
     *
     * @param fraction how far through the buffers in flight to be notified, in 256ths (0..256; 0: on the
     *        next one, as {@code enableNotifications(true)})
     * @return false if that many are already used: reap them rather than wait
     */
    public boolean enableNotificationsDelayed(int fraction) {
        if (!eventIdx) {
            enableNotifications(true);
            return !hasUsed();
        }
        notify = true;
        // At most all but one: waiting for more than are in flight would wait for ever.
        int bufs = Math.min(inFlightCount * Math.clamp(fraction, 0, 256) / 256, Math.max(0, inFlightCount - 1));
        region.set(U16, layout.usedEvent(), (short) (lastUsedIdx + bufs));
        VarHandle.fullFence();
        return usedPending() <= bufs;
    }

    /**
     * Asks for a notification only once used.idx passes {@code usedIdx} (e.g. when
     * most in-flight transmit buffers are done). Needs VIRTIO_F_EVENT_IDX; the next
     * {@link #reap} or {@link #enableNotifications} overwrites it. Ends with a full fence.
     *
     * @throws IllegalStateException without VIRTIO_F_EVENT_IDX
     */
    public void setUsedEvent(int usedIdx) {
        if (!eventIdx) {
            throw new IllegalStateException("used_event needs VIRTIO_F_EVENT_IDX");
        }
        region.set(U16, layout.usedEvent(), (short) usedIdx);
        VarHandle.fullFence();
    }

    // used_event = last seen idx: notify on the next entry. Disabled: one behind, which
    // the device cannot reach again while at most N buffers are in flight (§2.7.7).
    private void writeUsedEvent() {
        region.set(U16, layout.usedEvent(), (short) (notify ? lastUsedIdx : lastUsedIdx - 1));
    }

    /** Buffers posted and not yet reaped. */
    public int inFlight() { return inFlightCount; }

    /** Whether buffer {@code id} is owned by the device (for returning buffers to a pool on reset). */
    public boolean isInFlight(int id) { return inFlight[id]; }

    /** Guest address of buffer {@code id} as last posted, from the shadow (never from shared memory). */
    public long postedAddr(int id) { return postedAddr[id]; }

    /** Length of buffer {@code id} as last posted, from the shadow. */
    public int postedLen(int id) { return postedLen[id]; }

    /** Used entries consumed so far, modulo 2^16 (for {@link #setUsedEvent}). */
    public int lastUsedIdx() { return lastUsedIdx; }

    /** Queue size N. */
    public int size() { return size; }

    /** The layout this queue uses. */
    public VirtqueueLayout layout() { return layout; }
}
