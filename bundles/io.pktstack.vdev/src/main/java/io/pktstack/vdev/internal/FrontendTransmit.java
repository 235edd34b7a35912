package io.pktstack.vdev.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.TcpSegmenter;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.Poller;
import io.pktstack.vdev.DriverQueue;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtioNetHeader;
import java.lang.foreign.MemorySegment;

/**
 * A pktstack front-end's transmit queue (VIRTIO 1.2 §5.1.6.2): a frame of a
 * pool the back-end shares is posted where it lies, its virtio_net_hdr in its
 * headroom, and held until the back-end returns its descriptor (as many as
 * {@link RingLoans} allows); any other frame is copied into a transmit buffer
 * of the front-end's region (a large segment into one of its large buffers).
 * When the ring is full a sender waits for room (back-pressure), except the
 * link's worker, which never waits. Called under the session's transmit lock.
 */
final class FrontendTransmit {

    /**
     * Large transmit buffers, for TCP segments sent whole (HOST_TSO4/6): the
     * back-end passes them on as one frame and they are cut only where a link
     * needs it. 16 of 68 KiB: a megabyte in flight. A large segment sent in
     * place takes one too: they bound the large frames in flight, so the
     * stack's large pool keeps frames for what arrives.
     */
    static final int LARGE_TX_BUFFERS = 16;
    /**
     * How far through the buffers in flight a sender waiting for room asks to be woken, in 256ths: at three
     * quarters, as Linux's virtio-net, the back-end notifies once per refill of most of the ring, not once per
     * batch it returns: a flood of 64-byte frames made a quarter of the waits and host notifications (each an
     * eventfd write that wakes the sender, 7 % of the host's forwarding thread in a profile at 3 Mpps).
     */
    static final int TX_ROOM_WAKE = 192;

    private final DriverQueue txq;
    private final DriverRegion region;
    private final FramePool pool;
    private final FramePool largePool;
    /** The large pool is in the memory table: its frames go on the ring as they are. */
    private final boolean largeShared;
    /** The pool's loans to rings, or null when its frames do not go on rings (it is not in the memory table). */
    private final RingLoans loans;
    private final EventFd txKick;
    /** The back-end's used-buffer notification: waited for only when the ring is full. */
    private final EventFd txCall;
    private final Poller txWait = new Poller(1);
    private final LinkCounters counters;
    private final int hdrLen;
    private final int mtu;
    /** The back-end takes partial checksums (CSUM negotiated). */
    private final boolean csum;
    /** The back-end takes large TCP segments (HOST_TSO4, HOST_TSO6, with CSUM). */
    private final boolean tso4;
    private final boolean tso6;

    private final int[] freeTx;
    private int freeTxCount;
    /** The large buffer (or large slot) a transmit descriptor holds, or -1. */
    private final int[] largeOf;
    private final int[] freeLarge;
    private int freeLargeCount;
    /** The stack's frame posted as transmit buffer {@code id} until the back-end returns it, or null for a copy. */
    private final Frame[] txFrames;
    /** Frames done with (returned by the back-end, copied, dropped), given back to their pools once per transmit. */
    private final FrameBatch txReturned = new FrameBatch();
    /** Frames of the pool held on the ring; beyond the loans' limit frames are copied. */
    private int txFramesOnRing;
    /** {@link #txFramesOnRing} as last told to the loans (once per transmit, not per frame). */
    private int txFramesLent;
    /** The back-end let a whole wait pass without returning buffers (see {@link #awaitTxRoom}). */
    private boolean txStalled;
    /** Cuts a large segment to send when no large buffer is free. */
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final TcpSegmenter.Contiguous whole = new TcpSegmenter.Contiguous();
    private final DriverQueue.UsedHandler txDone = this::transmitted;

    /**
     * @param features the features negotiated
     * @param loans the pool's loans to rings when the pools are in the memory table, else null
     * @param largePool the stack's large frames, or null
     */
    FrontendTransmit(DriverQueue txq, DriverRegion region, long features, int mtu, FramePool pool,
            FramePool largePool, RingLoans loans, boolean largeShared, EventFd kick, EventFd call,
            LinkCounters counters) {
        this.txq = txq;
        this.region = region;
        this.pool = pool;
        this.largePool = largePool;
        this.loans = loans;
        this.largeShared = largeShared;
        this.txKick = kick;
        this.txCall = call;
        this.counters = counters;
        this.hdrLen = VirtioNetFeatures.headerLength(features);
        this.mtu = mtu;
        this.csum = VirtioNetFeatures.has(features, VirtioNetFeatures.CSUM);
        this.tso4 = VirtioNetFeatures.hostTso4(features);
        this.tso6 = VirtioNetFeatures.hostTso6(features);
        int n = txq.size();
        this.freeTx = new int[n];
        for (int i = 0; i < n; i++) {
            freeTx[i] = n - 1 - i;
        }
        this.freeTxCount = n;
        this.largeOf = new int[n];
        java.util.Arrays.fill(largeOf, -1);
        this.freeLarge = new int[region.largeCount()];
        for (int i = 0; i < freeLarge.length; i++) {
            freeLarge[i] = i;
        }
        this.freeLargeCount = freeLarge.length;
        this.txFrames = new Frame[n];
        txWait.set(0, call.fd());
    }

    /** What the stack may hand this queue as it is: the offloads the back-end took ({@code Link.offloads}). */
    int offloads() {
        return !csum ? 0 : Link.OFFLOAD_CSUM | (tso4 ? Link.OFFLOAD_TSO4 : 0)
                | (tso6 ? Link.OFFLOAD_TSO6 : 0);
    }

    /** Whether frames of the pool are sent where they lie. */
    boolean sendsInPlace() {
        return loans != null;
    }

    /** Frames of the pool held on the ring now; read racily, a figure for netstat -m. */
    int framesOnRing() {
        return txFramesOnRing;
    }

    /**
     * Reaps what the back-end returned, then posts frames from the front of
     * the batch ({@code Link.transmit}); frames taken are removed from the
     * batch, those that found no room stay.
     *
     * @throws RingViolation if the back-end broke the ring's rules (the frames not taken stay in the batch)
     */
    int transmit(FrameBatch batch) throws RingViolation {
        try {
            if (txq.reap(txDone, txq.size()) > 0) {
                txStalled = false;
            }
            return send(batch);
        } finally {
            txReturned.releaseAll();
            if (loans != null) {
                loans.lend(txFramesOnRing - txFramesLent);
                txFramesLent = txFramesOnRing;
            }
        }
    }

    /** Transmit descriptor {@code id} is back: it, the frame or large buffer it carried, are free again. */
    private void transmitted(int id, int len) {
        freeTx[freeTxCount++] = id;
        Frame f = txFrames[id];
        if (f != null) {
            txFrames[id] = null;
            if (f.pool() == pool) {
                txFramesOnRing--;
            }
            giveBack(f);
        }
        int large = largeOf[id];
        if (large >= 0) {
            largeOf[id] = -1;
            freeLarge[freeLargeCount++] = large;
        }
    }

    /** Whether the back-end takes {@code f}, a large segment, as it is: of a type it took TSO for, partial. */
    private boolean takesLarge(Frame f) {
        return f.checksum() == Frame.CSUM_PARTIAL
                && (f.gso() == Frame.GSO_TCPV4 ? tso4 : f.gso() == Frame.GSO_TCPV6 && tso6)
                && hdrLen + f.length() <= DriverRegion.LARGE_BUFFER;
    }

    /** Whether {@code f} can go on the ring where it lies: a frame of a shared pool with headroom for the header. */
    private boolean inPlace(Frame f) {
        FramePool p = f.pool();
        return f.offset() >= hdrLen
                && ((p == pool && loans != null && loans.mayLend()) || (p == largePool && largeShared));
    }

    /**
     * Posts the batch's frames on the transmit ring, each where it lies or
     * copied into a transmit buffer, waiting for room when the ring is full;
     * removes from the batch what it took (posted, or dropped as too big).
     */
    private int send(FrameBatch batch) throws RingViolation {
        int sent = 0;
        int i = 0;
        try {
            for (; i < batch.size(); i++) {
                Frame f = batch.get(i);
                int posted = post(f);
                if (posted < 0) {
                    break;
                }
                sent += posted;
            }
        } finally {
            kickTx();
            if (i < batch.size()) {
                counters.txRingFull.add(batch.size() - i);
            }
            // Taken: held in txFrames until the back-end returns them, or given back (copied, too big).
            batch.removeFirst(i);
        }
        return sent;
    }

    /**
     * Posts one frame: where it lies (held until the back-end returns it) or
     * copied into a transmit buffer (given back at once); returns 1 when
     * posted, 0 when dropped as too big, -1 when there is no room (it stays
     * the caller's).
     */
    private int post(Frame f) throws RingViolation {
        boolean large = f.gso() != Frame.GSO_NONE;
        if (large ? !takesLarge(f) : f.length() > mtu || hdrLen + f.length() > region.bufferSize()) {
            counters.txTooBig.increment(); // a large one only if TSO was renegotiated away since the stack looked
            giveBack(f);
            return 0;
        }
        if (large && freeLargeCount == 0 && Endpoint.onWorker()) {
            // The worker cannot wait for a large buffer (below): the segment goes in MTU-sized pieces through
            // ordinary buffers, or, with too few of those, stays with the caller.
            int pieces = sendInPieces(f);
            if (pieces < 0) {
                return -1;
            }
            giveBack(f);
            return 1;
        }
        if (freeTxCount == 0 || (large && freeLargeCount == 0)) {
            kickTx(); // the back-end must see what is posted before it can make room
            // A worker never waits: it is what empties this process's receive rings, and the
            // back-end may itself be waiting for it to make room (a TCP ACK sent from the receive
            // thread); waiting would close a cycle. The frames stay with the caller (TCP keeps them).
            if (Endpoint.onWorker() || !awaitTxRoom(large)) {
                return -1;
            }
        }
        int id = freeTx[--freeTxCount];
        boolean inPlace = inPlace(f);
        MemorySegment mem;
        long addr;
        if (inPlace) {
            mem = f.segment();
            addr = f.offset() - hdrLen;
        } else {
            mem = region.segment();
            addr = region.txBuffer(id);
        }
        if (large) {
            // A large slot is taken in place too: it bounds the large frames in flight, so the stack's large pool
            // keeps frames for what arrives.
            int b = freeLarge[--freeLargeCount];
            largeOf[id] = b;
            if (!inPlace) {
                addr = region.largeBuffer(b);
            }
            VirtioNetHeader.writeGso(mem, addr, hdrLen, 0, f);
            counters.txLarge.increment();
        } else if (f.checksum() == Frame.CSUM_PARTIAL && csum) {
            VirtioNetHeader.write(mem, addr, hdrLen, 0, VirtioNetHeader.F_NEEDS_CSUM, f.csumStart(), f.csumOffset());
        } else {
            if (f.checksum() == Frame.CSUM_PARTIAL) { // the back-end renegotiated since the stack looked
                Checksum.completePartial(f.segment(), f.offset(), f.length(), f.csumStart(), f.csumOffset());
            }
            VirtioNetHeader.write(mem, addr, hdrLen, 0);
        }
        if (inPlace) {
            txFrames[id] = f;
            if (f.pool() == pool) {
                txFramesOnRing++;
            }
            txq.post(id, mem.address() + addr, hdrLen + f.length(), false);
        } else {
            MemorySegment.copy(f.segment(), f.offset(), mem, addr + hdrLen, f.length());
            txq.post(id, addr, hdrLen + f.length(), false);
            giveBack(f);
        }
        return 1;
    }

    /** A frame done with on the transmit side, given back to its pool with others after this transmit or reap. */
    private void giveBack(Frame f) {
        if (txReturned.isFull()) {
            txReturned.releaseAll();
        }
        txReturned.add(f);
    }

    /**
     * A large segment cut into MTU-sized pieces, each in an ordinary transmit
     * buffer with its checksum partial; returns the pieces, or -1 (nothing
     * posted) when fewer buffers are free than it needs.
     */
    private int sendInPieces(Frame f) {
        MemorySegment mem = region.segment();
        int type = f.gso() == Frame.GSO_TCPV4 ? TcpSegmenter.GSO_TCPV4 : TcpSegmenter.GSO_TCPV6;
        TcpSegmenter.Source src = whole.over(f.segment(), f.offset(), f.length());
        if (!segmenter.prepare(src, type, f.gsoSize(), mtu)) {
            counters.txTooBig.increment(); // the stack's own headers: not expected
            return 0;
        }
        int n = segmenter.segments();
        if (n > freeTxCount) {
            return -1;
        }
        for (int k = 0; k < n; k++) {
            int id = freeTx[--freeTxCount];
            long addr = region.txBuffer(id);
            VirtioNetHeader.write(mem, addr, hdrLen, 0, VirtioNetHeader.F_NEEDS_CSUM, segmenter.transportOffset(), 16);
            int len = segmenter.build(k, src, mem, addr + hdrLen, true);
            txq.post(id, addr, hdrLen + len, false);
        }
        counters.txCutForWantOfLarge.increment();
        return n;
    }

    /** Publishes what was posted since the last call and kicks the back-end if it asked (§2.7.13.4). */
    private void kickTx() {
        if (txq.publishPending()) {
            txq.publish();
            if (txq.needsKick()) {
                txKick.signal();
                counters.kicksSent.increment();
            }
        }
    }

    /**
     * Back-pressure: the transmit ring is full. Waits, up to
     * {@link GuestQueues#FULL_WAIT_MILLIS}, for the back-end to return buffers,
     * asking it for a used-buffer notification (§2.7.7) and sleeping on the call
     * eventfd; returns whether buffers came back. A back-end that returns none
     * for so long is stalled, and its frames are left to the caller at once
     * until it returns buffers again.
     */
    private boolean awaitTxRoom(boolean large) throws RingViolation {
        if (txStalled) {
            return false;
        }
        try {
            long deadline = System.nanoTime() + GuestQueues.FULL_WAIT_MILLIS * 1_000_000L;
            while (true) {
                txq.reap(txDone, txq.size());
                if (freeTxCount > 0 && (!large || freeLargeCount > 0)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    txStalled = true;
                    counters.txStalls.increment();
                    return false;
                }
                // Waiting for one of the few large buffers, any returned buffer may be it: woken on the next.
                if (!txq.enableNotificationsDelayed(large ? 0 : TX_ROOM_WAKE)) {
                    continue; // buffers came back while we asked
                }
                txWait.poll(1, (int) Math.max(1, left / 1_000_000));
                if (txWait.readable(0)) {
                    txCall.drain();
                    counters.kicksReceived.increment();
                }
                counters.txWaits.increment();
            }
        } finally {
            txq.enableNotifications(false);
        }
    }

    /**
     * At the session's end: frames back to their pools, those on the ring only
     * if the back-end stopped it ({@code ringsStopped}); returns the frames left
     * with the back-end.
     */
    int release(boolean ringsStopped) {
        int stillLent = ringsStopped ? 0 : RingLoans.count(txFrames, pool);
        int withheld = RingLoans.takeBack(txFrames, ringsStopped);
        if (loans != null) {
            loans.giveBack(txFramesLent - stillLent); // withheld frames stay lent: they will not come back
            txFramesLent = 0;
        }
        txFramesOnRing = 0;
        txReturned.releaseAll();
        txWait.close();
        return withheld;
    }
}
