package io.pktstack.vdev.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.TcpSegmenter;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.Poller;
import io.pktstack.vdev.DescriptorChain;
import io.pktstack.vdev.DeviceQueue;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtioNetHeader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A back-end's data path over a guest's two queues (VIRTIO 1.2 §5.1.2: queue 0
 * receive, queue 1 transmit; vhost-user numbers them as rings 0 and 1): the
 * stack's frames are copied into the guest's receive buffers, and packets
 * the guest transmits are copied out into the stack's frames. A large TCP
 * segment (TSO) crosses whole, in one of the stack's large frames, to be cut
 * only where it leaves for a link that cannot take it; a guest that took
 * GUEST_TSO receives it whole. Without a large frame it is cut to the MTU
 * here ({@link TcpSegmenter}).
 * A plain packet's partial checksum stays partial (Frame.CSUM_PARTIAL) and
 * goes on as NEEDS_CSUM to a guest that takes it: between guests of this
 * host nobody sums the data.
 *
 * <p>Every frame crosses by one copy, which is also what makes the untrusted
 * guest safe: a packet is checked after it was copied, so the guest cannot
 * change it under the stack. Nothing is allocated per frame. {@link #transmit}
 * runs on the stack's threads under the session's lock, {@link #receive} on
 * the session's thread.
 */
final class GuestQueues {

    /**
     * Receive buffers one packet may span with MRG_RXBUF: a 64 KiB segment in
     * Linux's smallest mergeable buffers (1536 bytes), or a 1526-byte packet in
     * 96-byte ones.
     */
    static final int MAX_MERGED = 48;
    /** Buffers in one receive chain: Linux's "big packets" without MRG_RXBUF are MAX_SKB_FRAGS + 2 pages. */
    static final int MAX_RX_BUFFERS = 24;
    /** Buffers in one transmit chain: a 64 KiB segment in 4 KiB pages and a header, split at region edges. */
    static final int MAX_TX_BUFFERS = 64;
    /** Largest packet a guest may transmit: a 64 KiB GSO segment with its Ethernet and VLAN headers. */
    static final int MAX_TX_PACKET = 65535 + 18;

    /**
     * Longest a transmit waits at a time for the guest to post receive buffers
     * (back-pressure); a guest that posts none for so long is taken as stalled
     * and its frames are dropped, counted, until it posts buffers again. Long
     * enough for a guest whose thread waits for a loaded CPU, and paid once
     * for a guest that hangs.
     */
    static final int FULL_WAIT_MILLIS = 50;

    private final DeviceQueue rx;
    private final DeviceQueue tx;
    private final EventFd rxKick;
    private final EventFd rxCall;
    private final EventFd txCall;
    private final int hdrLen;
    private final boolean mergeable;
    private final boolean tso4;
    private final boolean tso6;
    /** The guest takes large TCP segments whole on its receive queue (GUEST_TSO4, GUEST_TSO6 with GUEST_CSUM). */
    private final boolean guestTso4;
    private final boolean guestTso6;
    private final boolean csum;
    /** The guest takes partial checksums and DATA_VALID on its receive queue (GUEST_CSUM). */
    private final boolean guestCsum;
    private final int mtu;
    /** How long a transmit waits for receive buffers ({@link #FULL_WAIT_MILLIS}; 0 in harnesses that never post). */
    private final int fullWaitMillis;
    private final FramePool pool;
    private final LinkListener listener;
    private final LinkCounters counters;

    // 32 bytes left to the collector: closing a shared arena is a handshake with every thread, paid at each
    // link reset (and at each input of the guest-rings fuzz target).
    private final MemorySegment txHdr = Arena.ofAuto().allocate(16, 8);
    private final MemorySegment rxHdr = Arena.ofAuto().allocate(16, 8);
    private final DescriptorChain txChain = new DescriptorChain(MAX_TX_BUFFERS);
    private final DescriptorChain[] rxChains = new DescriptorChain[MAX_MERGED];
    private final int[] rxHeads = new int[MAX_MERGED];
    private final ChainPacket packet = new ChainPacket();
    private final TcpSegmenter offload = new TcpSegmenter();
    private final TcpSegmenter.Contiguous whole = new TcpSegmenter.Contiguous();
    private final FrameBatch batch = new FrameBatch();
    private final Frame[] spare = new Frame[FrameBatch.MAX];
    private int spareCount;
    /** A frame being filled from guest memory: a copy that faults (region truncated) throws mid-way. */
    private Frame filling;
    /** Waits for the guest's receive-ring kick when the ring is full (the transmitting thread, under the session's lock). */
    private final Poller fullWait;
    /** The guest let a whole wait pass without posting receive buffers: drop, do not wait, until it posts again. */
    private boolean stalled;
    /** Chains {@link #fill} left available (a packet that needed more merged buffers than there were). */
    private int leftAvailable;

    GuestQueues(DeviceQueue rx, DeviceQueue tx, EventFd rxKick, EventFd rxCall, EventFd txCall, long features,
            int mtu, FramePool pool, LinkListener listener, LinkCounters counters) {
        this(rx, tx, rxKick, rxCall, txCall, features, mtu, FULL_WAIT_MILLIS, pool, listener, counters);
    }

    /**
     * With the transmit's wait for receive buffers bounded by {@code fullWaitMillis}: a fuzz harness's guest
     * never posts while a transmit waits, so there each wait would only cost its whole bound.
     */
    GuestQueues(DeviceQueue rx, DeviceQueue tx, EventFd rxKick, EventFd rxCall, EventFd txCall, long features,
            int mtu, int fullWaitMillis, FramePool pool, LinkListener listener, LinkCounters counters) {
        this.rx = rx;
        this.tx = tx;
        this.rxKick = rxKick;
        this.rxCall = rxCall;
        this.txCall = txCall;
        this.hdrLen = VirtioNetFeatures.headerLength(features);
        this.mergeable = VirtioNetFeatures.has(features, VirtioNetFeatures.MRG_RXBUF);
        this.tso4 = VirtioNetFeatures.has(features, VirtioNetFeatures.HOST_TSO4);
        this.tso6 = VirtioNetFeatures.has(features, VirtioNetFeatures.HOST_TSO6);
        this.csum = VirtioNetFeatures.has(features, VirtioNetFeatures.CSUM);
        this.guestCsum = VirtioNetFeatures.has(features, VirtioNetFeatures.GUEST_CSUM);
        // §5.1.3.1: GUEST_TSO4/6 require GUEST_CSUM; without it the stack cuts segments before they come here.
        this.guestTso4 = guestCsum && VirtioNetFeatures.has(features, VirtioNetFeatures.GUEST_TSO4);
        this.guestTso6 = guestCsum && VirtioNetFeatures.has(features, VirtioNetFeatures.GUEST_TSO6);
        this.mtu = mtu;
        this.fullWaitMillis = fullWaitMillis;
        this.pool = pool;
        this.listener = listener;
        this.counters = counters;
        for (int i = 0; i < MAX_MERGED; i++) {
            rxChains[i] = new DescriptorChain(MAX_RX_BUFFERS);
        }
        // Receive: kicks only while a transmit waits for buffers (awaitBuffers).
        rx.enableNotifications(false);
        fullWait = rxKick == null ? null : new Poller(1); // without a kick the ring is polled
        if (fullWait != null) {
            fullWait.set(0, rxKick.fd());
        }
    }

    /** What the stack may hand this guest as it is ({@code Link.offloads}). */
    int offloads() {
        return (guestCsum ? Link.OFFLOAD_CSUM : 0) | (guestTso4 ? Link.OFFLOAD_TSO4 : 0)
                | (guestTso6 ? Link.OFFLOAD_TSO6 : 0);
    }

    /** Whether the guest takes {@code f} as it is: not a large segment, or one of a type it took GUEST_TSO for. */
    private boolean takesWhole(Frame f) {
        return switch (f.gso()) {
            case Frame.GSO_NONE -> true;
            case Frame.GSO_TCPV4 -> guestTso4 && f.checksum() == Frame.CSUM_PARTIAL;
            case Frame.GSO_TCPV6 -> guestTso6 && f.checksum() == Frame.CSUM_PARTIAL;
            default -> false;
        };
    }

    // ---- stack -> guest: the guest's receive queue ------------------------------

    /**
     * The virtio_net_hdr for {@code f} at {@code off}: a partial checksum passed
     * on as NEEDS_CSUM and a checked one as DATA_VALID to a guest that took
     * GUEST_CSUM (as vhost-net passes CHECKSUM_PARTIAL); to one that did not, a
     * partial checksum is completed here (the stack does that before, but the
     * guest may have renegotiated since).
     */
    private void header(MemorySegment seg, long off, int numBuffers, Frame f) {
        int state = f.checksum();
        if (f.gso() != Frame.GSO_NONE) { // takesWhole: partial, and the guest took TSO of that type
            VirtioNetHeader.writeGso(seg, off, hdrLen, numBuffers, f);
            return;
        }
        if (state == Frame.CSUM_PARTIAL && guestCsum) {
            VirtioNetHeader.write(seg, off, hdrLen, numBuffers, VirtioNetHeader.F_NEEDS_CSUM, f.csumStart(),
                    f.csumOffset());
            return;
        }
        if (state == Frame.CSUM_PARTIAL) {
            Checksum.completePartial(f.segment(), f.offset(), f.length(), f.csumStart(), f.csumOffset());
            f.checksum(Frame.CSUM_VALID);
        }
        VirtioNetHeader.write(seg, off, hdrLen, numBuffers, guestCsum && state != Frame.CSUM_NONE
                ? VirtioNetHeader.F_DATA_VALID : 0, 0, 0);
    }

    /**
     * Copies frames from the front of the batch into the guest's receive buffers
     * (the {@code Link.transmit} contract): frames sent or too big are removed and
     * released; frames that found no buffer stay. Signals the guest's call
     * eventfd once per batch filled if it asked (§2.7.7).
     *
     * <p>Back-pressure: when the ring is full this waits, {@link #FULL_WAIT_MILLIS}
     * at a time and as long as the guest keeps posting buffers, instead of
     * leaving the frames to be dropped. The waiting thread is the one that took
     * them from another guest's transmit ring, so that ring fills in turn and its
     * sender (pktgen, a socket) waits, as vhost-net makes a guest wait for a
     * full tap queue. A guest that posts nothing for a whole wait is stalled:
     * its frames stay in the batch (the stack drops and counts them) and
     * nothing waits for it until it posts buffers again. No cycle of waits can
     * form: a front-end's worker, the thread that posts the buffers waited for
     * here, never waits in a transmit of its own.
     *
     * @return frames sent
     */
    int transmit(FrameBatch frames) throws RingViolation {
        int sent = fill(frames);
        while (!frames.isEmpty() && awaitBuffers()) {
            sent += fill(frames);
        }
        if (!frames.isEmpty()) {
            counters.txRingFull.add(frames.size());
        }
        return sent;
    }

    /**
     * Waits until the guest posts receive buffers beyond what {@link #fill} left,
     * asking it for a kick (§2.7.10) and sleeping on the kick eventfd; returns
     * whether it did. Returns false at once for a stalled guest.
     */
    private boolean awaitBuffers() throws RingViolation {
        if (stalled) {
            return false;
        }
        rx.enableNotifications(true);
        try {
            long deadline = System.nanoTime() + fullWaitMillis * 1_000_000L;
            while (true) {
                if (rx.available() > leftAvailable) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    stalled = true;
                    counters.txStalls.increment();
                    return false;
                }
                if (rxKick == null) {
                    java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, 50_000)); // a polled ring
                } else {
                    fullWait.poll(1, (int) Math.max(1, left / 1_000_000));
                    if (fullWait.readable(0)) {
                        rxKick.drain();
                        counters.kicksReceived.increment();
                    }
                }
                counters.txWaits.increment();
            }
        } finally {
            rx.enableNotifications(false);
        }
    }

    /** One pass of {@link #transmit} over the buffers available now. */
    private int fill(FrameBatch frames) throws RingViolation {
        int avail = rx.available();
        if (avail > 0) {
            stalled = false;
        }
        int sent = 0;
        int i = 0;
        for (; i < frames.size(); i++) {
            Frame f = frames.get(i);
            int need = hdrLen + f.length();
            if (f.gso() == Frame.GSO_NONE ? f.length() > mtu : !takesWhole(f)) {
                counters.txTooBig.increment();
                continue;
            }
            if (avail == 0) {
                break;
            }
            int heads = 0;
            long room = 0;
            while (room < need && avail > 0 && heads < MAX_MERGED && (heads == 0 || mergeable)) {
                int head = rx.pop();
                avail--;
                DescriptorChain c = rxChains[heads];
                rxHeads[heads++] = head;
                rx.readChain(head, c);
                if (!c.writable()) {
                    throw new RingViolation("receive descriptor " + head + " is not device-writable (§2.7.5)");
                }
                room += c.totalLength();
            }
            if (room < need) {
                if (mergeable && heads < MAX_MERGED) { // out of buffers mid-packet: they wait for the next frame
                    rx.unpop(heads);
                    avail += heads;
                    break;
                }
                counters.txTooBig.increment(); // buffers too small: give them back unused
                for (int h = 0; h < heads; h++) {
                    rx.pushUsed(rxHeads[h], 0);
                }
                continue;
            }
            DescriptorChain first = rxChains[0];
            if (heads == 1 && first.length(0) >= need) {
                // The common case: one buffer holds header and frame; no staging, no walk.
                header(first.segment(0), first.offset(0), 1, f);
                MemorySegment.copy(f.segment(), f.offset(), first.segment(0), first.offset(0) + hdrLen, f.length());
                rx.pushUsed(rxHeads[0], need);
                if (f.gso() != Frame.GSO_NONE) {
                    counters.txLarge.increment();
                }
                sent++;
                continue;
            }
            header(rxHdr, 0, heads, f);
            long pos = 0; // position in header-then-frame
            for (int h = 0; h < heads; h++) {
                DescriptorChain c = rxChains[h];
                int n = (int) Math.min(c.totalLength(), need - pos);
                int hdrPart = (int) Math.max(0, Math.min(n, hdrLen - pos));
                if (hdrPart > 0) {
                    ChainPacket.copyIn(rxHdr, pos, c, 0, hdrPart);
                }
                if (n > hdrPart) {
                    ChainPacket.copyIn(f.segment(), f.offset() + (pos + hdrPart - hdrLen), c, hdrPart, n - hdrPart);
                }
                rx.pushUsed(rxHeads[h], n);
                pos += n;
            }
            if (f.gso() != Frame.GSO_NONE) {
                counters.txLarge.increment();
            }
            sent++;
        }
        rx.publishUsed();
        leftAvailable = avail;
        frames.releaseFirst(i);
        if (sent > 0 && rx.needsKick() && rxCall != null) {
            rxCall.signal();
            counters.kicksSent.increment();
        }
        return sent;
    }

    // ---- guest -> stack: the guest's transmit queue ------------------------------

    /**
     * Takes up to a batch of packets the guest made available, copies them into
     * frames and delivers them; returns the buffers to the guest.
     *
     * @return packets taken (0 when the queue was empty)
     */
    int receive() throws RingViolation {
        int avail = tx.available();
        if (avail == 0) {
            return 0;
        }
        int n = Math.min(avail, FrameBatch.MAX);
        try {
            reserve(n); // a frame per packet; a large segment takes more as it goes
            for (int k = 0; k < n; k++) {
                int head = tx.pop();
                tx.readChain(head, txChain);
                if (txChain.writable()) {
                    throw new RingViolation("transmit descriptor " + head + " is device-writable (§2.7.5)");
                }
                if (txChain.totalLength() > hdrLen + MAX_TX_PACKET) {
                    throw new RingViolation("transmit chain from " + head + " holds " + txChain.totalLength()
                            + " bytes, more than a packet may (" + (hdrLen + MAX_TX_PACKET) + ")");
                }
                takePacket();
                tx.pushUsed(head, 0);
            }
            tx.publishUsed();
            if (tx.needsKick() && txCall != null) {
                txCall.signal();
                counters.kicksSent.increment();
            }
            deliver();
        } finally {
            returnSpare();
        }
        return n;
    }

    /** The transmit chain in {@link #txChain} into frames of the batch (or dropped and counted). */
    private void takePacket() {
        long total = txChain.totalLength();
        if (total < hdrLen + 14) {
            counters.rxBadHeader.increment();
            return;
        }
        ChainPacket.copy(txChain, 0, txHdr, 0, hdrLen);
        int flags = VirtioNetHeader.flags(txHdr, 0);
        int gso = VirtioNetHeader.gsoType(txHdr, 0);
        packet.over(txChain, hdrLen);
        int len = (int) packet.length();
        if (gso == VirtioNetHeader.GSO_NONE) {
            if (len > mtu) {
                counters.rxTooBig.increment();
                return;
            }
            Frame f = take();
            if (f == null) {
                counters.rxNoFrame.increment();
                return;
            }
            filling = f;
            packet.copyTo(0, f.segment(), f.offset(), len);
            filling = null;
            f.length(len);
            if ((flags & VirtioNetHeader.F_NEEDS_CSUM) != 0) {
                // Kept partial (the header was copied out of guest memory, so these are read once): whatever
                // takes the frame to a wire completes it; a guest of this host or the host's TCP need not.
                int start = VirtioNetHeader.csumStart(txHdr, 0);
                int at = VirtioNetHeader.csumOffset(txHdr, 0);
                if (!csum || !VirtioNetHeader.csumFits(start, at, len)) {
                    counters.rxBadHeader.increment();
                    f.release();
                    return;
                }
                f.checksumPartial(start, at);
                counters.rxChecksummed.increment();
            }
            add(f);
            return;
        }
        int type = gso & ~VirtioNetHeader.GSO_ECN;
        boolean allowed = (type == VirtioNetHeader.GSO_TCPV4 && tso4) || (type == VirtioNetHeader.GSO_TCPV6 && tso6);
        int gsoSize = VirtioNetHeader.gsoSize(txHdr, 0);
        if (!allowed || (gso & VirtioNetHeader.GSO_ECN) != 0) {
            counters.rxBadHeader.increment();
            return;
        }
        int taken = takeLarge(len, type, gsoSize);
        if (taken != 0) {
            return; // delivered whole, or refused
        }
        if (!offload.prepare(packet, type, gsoSize, mtu)) {
            counters.rxBadHeader.increment();
            return;
        }
        counters.rxSegmented.increment();
        for (int k = 0; k < offload.segments(); k++) {
            Frame f = take();
            if (f == null) {
                counters.rxNoFrame.add(offload.segments() - k);
                return;
            }
            filling = f;
            int l = offload.build(k, packet, f.segment(), f.offset(), false);
            filling = null;
            f.length(l);
            add(f);
            counters.rxSegments.increment();
        }
    }

    /**
     * A large segment copied whole into one of the stack's large frames, then
     * {@link TcpSegmenter#prepare checked} there, where the guest can no longer
     * change it; its checksum made partial at the TCP header whatever the
     * guest's NEEDS_CSUM said (the stack completes or cuts it where it
     * leaves). Returns 1 when delivered, -1 when refused (counted), 0 when
     * the stack has no large frames or none is free: the caller cuts it.
     */
    private int takeLarge(int len, int type, int gsoSize) {
        FramePool large = listener.largePool();
        if (large == null || len > large.slotSize() - FramePool.HEADROOM || len <= mtu) {
            return 0;
        }
        Frame f = large.take();
        if (f == null) {
            counters.rxNoLargeFrame.increment();
            return 0;
        }
        filling = f;
        packet.copyTo(0, f.segment(), f.offset(), len);
        filling = null;
        f.length(len);
        if (!offload.prepare(whole.over(f.segment(), f.offset(), len), type, gsoSize, mtu)) {
            f.release();
            counters.rxBadHeader.increment();
            return -1;
        }
        if (offload.segments() > FrameBatch.MAX) {
            // More pieces than a batch holds (a tiny gso_size): the stack could not cut it where it leaves, so it
            // is cut here, from the chain, batch after batch.
            f.release();
            return 0;
        }
        f.checksumPartial(offload.transportOffset(), 16);
        f.segmentation(type == VirtioNetHeader.GSO_TCPV4 ? Frame.GSO_TCPV4 : Frame.GSO_TCPV6,
                Math.min(gsoSize, mtu - offload.headerLength()));
        add(f);
        counters.rxLarge.increment();
        return 1;
    }

    private void add(Frame f) {
        batch.add(f);
        if (batch.isFull()) {
            deliver();
        }
    }

    private Frame take() {
        if (spareCount == 0) {
            reserve(FrameBatch.MAX);
            if (spareCount == 0) {
                return null;
            }
        }
        Frame f = spare[--spareCount];
        spare[spareCount] = null;
        return f;
    }

    /** Up to {@code n} frames for what comes, taken from the pool under one lock acquisition. */
    private void reserve(int n) {
        if (spareCount == 0) {
            spareCount = pool.take(spare, n);
        }
    }

    private void returnSpare() {
        if (spareCount > 0) {
            pool.release(spare, spareCount);
            spareCount = 0;
        }
    }

    private void deliver() {
        if (!batch.isEmpty()) {
            listener.received(batch); // takes ownership and empties it
        }
    }

    /** Asks the guest for a kick when it transmits (before sleeping) or not (while polling), §2.7.10. */
    void notifyOnTransmit(boolean on) {
        tx.enableNotifications(on);
    }

    /** Whether the guest made packets available since the last {@link #receive}. */
    boolean transmitPending() {
        return tx.hasAvailable();
    }

    /** The next entries to read, for GET_VRING_BASE. */
    int nextAvail(int ring) {
        return ring == 0 ? rx.nextAvail() : tx.nextAvail();
    }

    /** Returns every frame this data path holds to the pool; the session's thread calls it when it stops. */
    void releaseFrames() {
        if (filling != null) {
            filling.release();
            filling = null;
        }
        batch.releaseAll();
        returnSpare();
    }

    void close() {
        releaseFrames();
        if (fullWait != null) {
            fullWait.close();
        }
    }
}
