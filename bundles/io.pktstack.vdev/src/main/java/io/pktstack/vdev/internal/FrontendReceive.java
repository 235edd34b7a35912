package io.pktstack.vdev.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.wire.TcpSegmenter;
import io.pktstack.hostio.EventFd;
import io.pktstack.vdev.DriverQueue;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtioNetHeader;
import java.lang.foreign.MemorySegment;

/**
 * A pktstack front-end's receive queue (VIRTIO 1.2 §5.1.6.3, §5.1.6.4): the
 * buffers it posts, the packets the back-end fills them with, checked and
 * handed to the stack. With the stack's pool shared with the back-end the
 * buffers are frames of the pool, handed over as they are and replaced on the
 * ring by fresh ones (as many as {@link RingLoans} allows); otherwise, and
 * beyond that share, buffers of the front-end's region, copied out. A packet
 * spread over several buffers (MRG_RXBUF) is copied into one frame (a large
 * frame for a large segment). Every field of a used entry and of a header is
 * checked before use, so a faulty back-end resets the link (what it may write
 * into shared frames is the session's trust note). Runs on the link's worker
 * thread only.
 */
final class FrontendReceive {

    /** Receive buffers one packet may span: what the back-end merges a large segment into ({@link GuestQueues}). */
    static final int MAX_MERGED = GuestQueues.MAX_MERGED;

    private final DriverQueue rxq;
    private final DriverRegion region;
    private final FramePool pool;
    private final EventFd rxKick;
    private final LinkListener listener;
    private final LinkCounters counters;
    private final int hdrLen;
    private final int mtu;
    /** We take NEEDS_CSUM and DATA_VALID (GUEST_CSUM negotiated). */
    private final boolean guestCsum;
    /** Packets may span receive buffers (MRG_RXBUF): a large segment arrives whole (GUEST_TSO4/6, GUEST_CSUM). */
    private final boolean mergeable;
    private final boolean guestTso4;
    private final boolean guestTso6;
    /**
     * The pool's loans to rings, or null when receive buffers are the region's own (the pool is not
     * shared, or its slots cannot hold a header and an MTU-sized packet).
     */
    private final RingLoans loans;
    /** Frames of the pool on the ring, and at most how many (reserved from the loans). */
    private int rxFramesOnRing;
    private int rxFrameLimit;
    /** The pool's frame posted as buffer {@code id}, or null for the region's own buffer. */
    private final Frame[] rxFrames;

    private final FrameBatch rxBatch = new FrameBatch();
    private final Frame[] spare = new Frame[FrameBatch.MAX];
    private int spareCount;
    private Frame filling;
    /** A packet being put together from merged receive buffers, or null; see {@link #receivedMerged}. */
    private Frame merging;
    private int mergeRemaining;
    /** Buffers of a refused merged packet still to come, passed over. */
    private int mergeSkipping;
    private int mergeGso;
    private int mergeGsoSize;
    private int mergeCsumStart;
    private int mergeCsumOffset;
    /** Checks a large segment received. */
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final TcpSegmenter.Contiguous whole = new TcpSegmenter.Contiguous();
    private final DriverQueue.UsedHandler rxDone = this::received;

    /**
     * @param features the features negotiated
     * @param loans the pool's loans to rings when the pool is in the memory table, else null
     */
    FrontendReceive(DriverQueue rxq, DriverRegion region, long features, int mtu, FramePool pool, RingLoans loans,
            EventFd kick, LinkListener listener, LinkCounters counters) {
        this.rxq = rxq;
        this.region = region;
        this.pool = pool;
        this.rxKick = kick;
        this.listener = listener;
        this.counters = counters;
        this.hdrLen = VirtioNetFeatures.headerLength(features);
        this.mtu = mtu;
        this.guestCsum = VirtioNetFeatures.has(features, VirtioNetFeatures.GUEST_CSUM);
        this.mergeable = VirtioNetFeatures.has(features, VirtioNetFeatures.MRG_RXBUF);
        this.guestTso4 = guestCsum && mergeable && VirtioNetFeatures.has(features, VirtioNetFeatures.GUEST_TSO4);
        this.guestTso6 = guestCsum && mergeable && VirtioNetFeatures.has(features, VirtioNetFeatures.GUEST_TSO6);
        // The pool's frames go on the ring when the pool is shared and a header and a full frame fit in a slot.
        boolean inPlace = hdrLen <= FramePool.HEADROOM && pool.slotSize() - FramePool.HEADROOM >= mtu;
        this.loans = inPlace ? loans : null;
        this.rxFrames = new Frame[rxq.size()];
    }

    /** Posts a buffer on every entry of the ring (not yet published); frames of the pool as far as the loans go. */
    void fill() {
        rxFrameLimit = loans != null ? loans.reserve(rxq.size()) : 0;
        for (int i = 0; i < rxq.size(); i++) {
            postRx(i, poolFrameForRing());
        }
    }

    /** Whether the buffers are frames of the pool. */
    boolean zeroCopy() {
        return loans != null;
    }

    /** Frames of the pool on the ring now; plain fields, read racily: a figure for netstat -m. */
    int framesOnRing() {
        return rxFramesOnRing;
    }

    /**
     * Takes filled receive buffers and delivers their frames: a frame of the
     * pool as it is, replaced on the ring by a fresh one; a buffer of the
     * region's own copied out and offered again.
     */
    int receive() throws RingViolation {
        int pending = rxq.usedPending();
        if (pending == 0) {
            return 0;
        }
        int want = Math.min(pending, FrameBatch.MAX);
        spareCount = pool.take(spare, want);
        // Reap only what frames were reserved for: more used buffers wait for the next round.
        int n = rxq.reap(rxDone, want);
        if (spareCount > 0) {
            pool.release(spare, spareCount);
            spareCount = 0;
        }
        if (n == 0) {
            return 0;
        }
        rxq.publish();
        if (rxq.needsKick()) {
            rxKick.signal();
            counters.kicksSent.increment();
        }
        if (!rxBatch.isEmpty()) {
            listener.received(rxBatch);
        }
        return n;
    }

    /**
     * Posts receive buffer {@code id}: frame {@code f} of the pool, its
     * virtio_net_hdr landing in its headroom so that the packet starts where a
     * fresh frame's does, or with {@code f} null the region's own buffer.
     */
    private void postRx(int id, Frame f) {
        rxFrames[id] = f;
        if (f == null) {
            rxq.post(id, region.rxBuffer(id), region.bufferSize(), true);
        } else {
            rxFramesOnRing++;
            rxq.post(id, f.segment().address() + FramePool.HEADROOM - hdrLen, f.capacity() - FramePool.HEADROOM + hdrLen,
                    true);
        }
    }

    /** A frame of the pool for the receive ring while it holds fewer than its share, else null (a region buffer). */
    private Frame poolFrameForRing() {
        return rxFramesOnRing < rxFrameLimit ? pool.take() : null; // the limit is 0 without loans
    }

    private void received(int id, int len) {
        Frame posted = rxFrames[id];
        if (posted != null) {
            rxFramesOnRing--; // back on the ring (postRx) or delivered and replaced
        }
        MemorySegment mem = posted != null ? posted.segment() : region.segment();
        long addr = posted != null ? FramePool.HEADROOM - hdrLen : region.rxBuffer(id);
        if (merging != null || mergeSkipping > 0
                || (mergeable && len >= hdrLen && (VirtioNetHeader.numBuffers(mem, addr) > 1
                        || VirtioNetHeader.gsoType(mem, addr) != VirtioNetHeader.GSO_NONE))) {
            receivedMerged(mem, addr, len); // copied out of the buffer, which goes back on the ring
            postRx(id, posted);
            return;
        }
        int frameLen = len - hdrLen;
        int flags = frameLen < 14 ? 0 : VirtioNetHeader.flags(mem, addr);
        int csumStart = VirtioNetHeader.csumStart(mem, addr);
        int csumOffset = VirtioNetHeader.csumOffset(mem, addr);
        if (frameLen < 14 || frameLen > mtu || !VirtioNetHeader.validate(mem, addr, hdrLen == 10, guestCsum)
                || ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0
                        && (!guestCsum || !VirtioNetHeader.csumFits(csumStart, csumOffset, frameLen)))) {
            counters.rxBadHeader.increment();
            postRx(id, posted);
            return;
        }
        if (spareCount == 0) { // a frame to deliver into, or to put on the ring in place of the one delivered
            counters.rxNoFrame.increment();
            postRx(id, posted);
            return;
        }
        Frame f = spare[--spareCount];
        spare[spareCount] = null;
        if (posted != null) {
            postRx(id, f);
            f = posted.set(FramePool.HEADROOM, frameLen);
        } else {
            filling = f;
            MemorySegment.copy(mem, addr + hdrLen, f.segment(), f.offset(), frameLen);
            filling = null;
            f.length(frameLen);
            // A region buffer stands in where the pool ran dry once: a frame of the pool takes its place again.
            postRx(id, poolFrameForRing());
        }
        // The flags read before the check, once: the back-end may write the buffer meanwhile.
        if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
            f.checksumPartial(csumStart, csumOffset);
        } else if (guestCsum && (flags & VirtioNetHeader.F_DATA_VALID) != 0) {
            f.checksum(Frame.CSUM_VALID);
        }
        rxBatch.add(f);
    }

    /**
     * One buffer of a packet the back-end spread over several (MRG_RXBUF,
     * §5.1.6.4.1): the first, whose header says how many follow, starts a
     * frame (a large frame for a large segment), the next ones are appended,
     * and the last delivers it. The header's fields are read once, from the
     * first buffer; a packet refused there (a segmentation type not
     * negotiated, offsets or sizes that do not fit) or finding no frame has
     * its remaining buffers passed over, counted once.
     */
    private void receivedMerged(MemorySegment mem, long addr, int len) {
        if (mergeSkipping > 0) {
            mergeSkipping--;
            return;
        }
        if (merging == null) {
            int buffers = VirtioNetHeader.numBuffers(mem, addr);
            int flags = VirtioNetHeader.flags(mem, addr);
            int gso = VirtioNetHeader.gsoType(mem, addr);
            mergeGsoSize = VirtioNetHeader.gsoSize(mem, addr);
            mergeCsumStart = VirtioNetHeader.csumStart(mem, addr);
            mergeCsumOffset = VirtioNetHeader.csumOffset(mem, addr);
            mergeGso = gso == VirtioNetHeader.GSO_TCPV4 && guestTso4 ? Frame.GSO_TCPV4
                    : gso == VirtioNetHeader.GSO_TCPV6 && guestTso6 ? Frame.GSO_TCPV6 : Frame.GSO_NONE;
            boolean large = gso != VirtioNetHeader.GSO_NONE;
            // What a refused packet's header says follows is passed over, never more than a packet may span: a
            // peer's num_buffers cannot make this side skip the packets that come after.
            mergeSkipping = Math.min(MAX_MERGED, Math.max(1, buffers)) - 1;
            if (buffers < 1 || buffers > MAX_MERGED || (large && (mergeGso == Frame.GSO_NONE
                    || (flags & VirtioNetHeader.F_NEEDS_CSUM) == 0 || mergeGsoSize < 32 || mergeGsoSize > mtu))
                    || ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0 && !guestCsum)) {
                counters.rxBadHeader.increment();
                return;
            }
            FramePool from = large ? listener.largePool() : pool;
            Frame f = from == null ? null : from.take();
            if (f == null) {
                counters.rxNoFrame.increment();
                return;
            }
            merging = f;
            mergeRemaining = buffers;
            mergeSkipping = 0; // taken: the buffers that follow are appended, not passed over
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) == 0) {
                mergeCsumStart = -1;
            }
            f.length(0);
            addr += hdrLen;
            len -= hdrLen;
        }
        Frame f = merging;
        int at = f.length();
        int most = Math.min(f.capacity() - f.offset(), GuestQueues.MAX_TX_PACKET);
        if (len > most - at || (mergeGso == Frame.GSO_NONE && at + len > mtu)) {
            dropMerged(); // more than a frame holds, or a plain packet beyond the MTU
            return;
        }
        MemorySegment.copy(mem, addr, f.segment(), f.offset() + at, len);
        f.length(at + len);
        if (--mergeRemaining > 0) {
            return;
        }
        merging = null;
        int total = f.length();
        if (total < 14 || (mergeCsumStart >= 0 && !VirtioNetHeader.csumFits(mergeCsumStart, mergeCsumOffset, total))) {
            counters.rxBadHeader.increment();
            f.release();
            return;
        }
        if (mergeGso != Frame.GSO_NONE) {
            // Checked as the back-end checks a guest's: TCP behind IPv4 or IPv6, headers within the packet, at
            // most a batch of pieces; read from this private copy, and the checksum made partial at the TCP
            // header whatever the peer's offsets said.
            int type = mergeGso == Frame.GSO_TCPV4 ? TcpSegmenter.GSO_TCPV4 : TcpSegmenter.GSO_TCPV6;
            if (!segmenter.prepare(whole.over(f.segment(), f.offset(), total), type, mergeGsoSize, mtu)
                    || segmenter.segments() > FrameBatch.MAX) {
                counters.rxBadHeader.increment();
                f.release();
                return;
            }
            f.checksumPartial(segmenter.transportOffset(), 16);
            f.segmentation(mergeGso, Math.min(mergeGsoSize, mtu - segmenter.headerLength()));
            counters.rxLarge.increment();
        } else if (mergeCsumStart >= 0) {
            f.checksumPartial(mergeCsumStart, mergeCsumOffset);
        }
        rxBatch.add(f);
    }

    private void dropMerged() {
        counters.rxBadHeader.increment();
        merging.release();
        merging = null;
        mergeSkipping = mergeRemaining - 1;
    }

    /**
     * At the session's end, after the worker stopped: every frame back to its
     * pool, those on the ring only if the back-end stopped it
     * ({@code ringsStopped}); returns the frames left with the back-end.
     */
    int release(boolean ringsStopped) {
        int withheld = RingLoans.takeBack(rxFrames, ringsStopped);
        if (loans != null) {
            loans.giveBack(rxFrameLimit - withheld); // withheld frames stay lent: they will not come back
            rxFrameLimit = 0;
        }
        rxFramesOnRing = 0;
        if (filling != null) {
            filling.release();
            filling = null;
        }
        if (merging != null) {
            merging.release();
            merging = null;
        }
        rxBatch.releaseAll();
        if (spareCount > 0) {
            pool.release(spare, spareCount);
            spareCount = 0;
        }
        return withheld;
    }
}
