package io.pktstack.vdev;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data path of one connected link, from handshake to disconnect.
 *
 * <p>Who moves which bytes (VIRTIO 1.2 §5.1.6): a virtio-net side ("driver")
 * owns a region with its receive and transmit queues. Towards a vdevpeer-net
 * peer ("device") it transmits on its own transmit queue and receives on its
 * own receive queue, and the peer acts as the device for both. Towards another
 * virtio-net peer, each side acts as the device for the other's receive queue:
 * it transmits by filling the peer's receive buffers, and receives on its own.
 *
 * <p>Every frame crosses the boundary by one copy into or out of shared memory.
 * The copy out of a peer's memory is also what makes an untrusted peer safe: a
 * frame is validated after it was copied, so the peer cannot change it under
 * the stack's feet.
 */
final class LinkSession {

    private final SocketChannel channel;
    private final SharedRegion own;       // null for a device-role endpoint
    private final SharedRegion peer;      // null when the peer is a device
    private final boolean legacy;
    private final int hdrLen;
    private final int mtu;
    private final FramePool pool;
    private final VdevEndpoint.Listener listener;
    private final Counters counters;

    // Queues we drive (own region) and queues we serve as device (peer region).
    private final DriverQueue ownRx;
    private final DriverQueue ownTx;
    private final DeviceQueue peerRx;
    private final DeviceQueue peerTx;

    private final ReentrantLock txLock = new ReentrantLock();
    private final int[] freeTx;
    private int freeTxCount;
    private final long[] segAddr = new long[8];
    private final int[] segLen = new int[8];
    private final ByteBuffer kickOut = ByteBuffer.allocateDirect(1);
    private final UsedToFrames rxHandler = new UsedToFrames();
    private final UsedToFree txHandler = new UsedToFree();
    private final FrameBatch rxBatch = new FrameBatch();
    /**
     * The frame being filled from shared memory, if any: a copy from a region the peer truncated
     * throws mid-way, and the worker's cleanup returns this frame to the pool with the batch.
     */
    private Frame filling;
    /**
     * Frames for the batch being received, taken from the pool in one lock
     * acquisition; what a batch did not use goes back at its end, so nothing is
     * held between batches.
     */
    private final Frame[] spare = new Frame[FrameBatch.MAX];
    private int spareCount;
    /** Frames sent by the transmit call in progress (guarded by txLock). */
    private int sent;

    /**
     * Why an access to mapped shared memory can fail with {@link InternalError}:
     * the peer shrank the file behind the mapping (it owns the file and may
     * ftruncate it at any time), and the JVM turns the resulting SIGBUS into
     * "a fault occurred in an unsafe memory access operation". That is a rule
     * broken like any other: the link is reset, the thread keeps serving.
     */
    private static final String TRUNCATED = "the region file was truncated";

    volatile boolean alive = true;
    private final ByteBuffer kickIn = ByteBuffer.allocateDirect(64);

    /** Drop and traffic counters of the endpoint, shared across sessions. */
    static final class Counters {
        /** Times a frame found the peer's ring full (the caller may retry it). */
        final LongAdder txRingFull = new LongAdder();
        final LongAdder txTooBig = new LongAdder();
        final LongAdder txNoCarrier = new LongAdder();
        final LongAdder rxNoFrame = new LongAdder();
        final LongAdder rxBadHeader = new LongAdder();
        final LongAdder kicksSent = new LongAdder();
        final LongAdder kicksReceived = new LongAdder();
        final LongAdder resets = new LongAdder();
    }

    LinkSession(SocketChannel channel, SharedRegion own, SharedRegion peer, boolean legacy, int mtu, FramePool pool,
            VdevEndpoint.Listener listener, Counters counters) {
        this.channel = channel;
        this.own = own;
        this.peer = peer;
        this.legacy = legacy;
        this.hdrLen = VirtioNetHeader.size(legacy);
        this.mtu = mtu;
        this.pool = pool;
        this.listener = listener;
        this.counters = counters;
        if (own != null) {
            ownRx = new DriverQueue(own.segment(), own.rxQueue(), true);
            ownTx = new DriverQueue(own.segment(), own.txQueue(), true);
            freeTx = new int[own.queueSize()];
            for (int i = 0; i < freeTx.length; i++) {
                freeTx[i] = freeTx.length - 1 - i;
            }
            freeTxCount = freeTx.length;
        } else {
            ownRx = null;
            ownTx = null;
            freeTx = new int[0];
        }
        if (peer != null) {
            peerRx = new DeviceQueue(peer.segment(), peer.rxQueue(), peer.bufferAreaStart(), peer.bufferAreaEnd(), true);
            peerTx = own == null
                    ? new DeviceQueue(peer.segment(), peer.txQueue(), peer.bufferAreaStart(), peer.bufferAreaEnd(), true)
                    : null;
        } else {
            peerRx = null;
            peerTx = null;
        }
    }

    /** Driver side, before the peer maps the region: zero the rings and offer every receive buffer. */
    void initializeOwnRings() {
        ownRx.reset();
        ownTx.reset();
        for (int i = 0; i < own.queueSize(); i++) {
            ownRx.post(i, own.rxBuffer(i), own.bufferSize(), true);
        }
        ownRx.publish();
    }

    // ---- transmit -----------------------------------------------------------

    /**
     * Sends frames from the front of the batch ({@link io.pktstack.api.link.Link#transmit}):
     * removes and releases what it copied into shared memory or dropped; what
     * found the peer's ring full stays in the batch.
     *
     * @return frames sent
     */
    int transmit(FrameBatch batch) {
        txLock.lock();
        try {
            if (!alive) {
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            }
            sent = 0;
            int consumed;
            boolean kick;
            try {
                consumed = peer != null ? fillPeerRx(batch) : postOwnTx(batch);
                kick = sent > 0 && (peer != null ? peerRx.needsKick() : ownTx.needsKick());
            } catch (RingViolation e) {
                reset("peer broke the ring rules on transmit: " + e.getMessage());
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            } catch (InternalError e) {
                reset("peer's shared memory became inaccessible on transmit: " + TRUNCATED);
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            }
            batch.releaseFirst(consumed); // copied (or dropped): the frames go back to the pool
            if (kick) {
                kick();
            }
            return sent;
        } finally {
            txLock.unlock();
        }
    }

    /**
     * Acts as the device for the peer's receive queue: copies each frame into a
     * buffer the peer offered. Returns how many frames from the front it is done
     * with; {@link #sent} says how many of those went out.
     */
    private int fillPeerRx(FrameBatch batch) throws RingViolation {
        int avail = peerRx.available();
        int i = 0;
        for (; i < batch.size(); i++) {
            Frame f = batch.get(i);
            if (f.length() > mtu) {
                counters.txTooBig.increment();
                continue;
            }
            if (avail == 0) {
                break;
            }
            int head = peerRx.pop();
            avail--;
            int segs = peerRx.readChain(head, segAddr, segLen, segAddr.length);
            if (!peerRx.chainWritable()) {
                throw new RingViolation("receive descriptor " + head + " is not device-writable");
            }
            int written = scatter(peer.segment(), segs, f);
            if (written < 0) {
                counters.txTooBig.increment();
                peerRx.pushUsed(head, 0); // give the buffer back unused
            } else {
                peerRx.pushUsed(head, written);
                sent++;
            }
        }
        peerRx.publishUsed();
        if (i < batch.size()) {
            counters.txRingFull.add(batch.size() - i);
        }
        return i;
    }

    /** Writes header and frame across the chain's segments; returns bytes written or -1 if they do not fit. */
    private int scatter(MemorySegment mem, int segs, Frame f) {
        long total = 0;
        for (int s = 0; s < segs; s++) {
            total += segLen[s];
        }
        int need = hdrLen + f.length();
        if (total < need) {
            return -1;
        }
        if (segLen[0] >= need) { // the common case: one buffer holds it all
            VirtioNetHeader.writeSimple(mem, segAddr[0], legacy);
            MemorySegment.copy(f.segment(), f.offset(), mem, segAddr[0] + hdrLen, f.length());
            return need;
        }
        // Header and frame spread over several buffers: copy piecewise.
        byte[] hdr = new byte[hdrLen];
        MemorySegment hdrSeg = MemorySegment.ofArray(hdr);
        VirtioNetHeader.writeSimple(hdrSeg, 0, legacy);
        int srcPos = 0;
        for (int s = 0; s < segs && srcPos < need; s++) {
            int room = segLen[s];
            int dstPos = 0;
            while (room > 0 && srcPos < need) {
                int n;
                if (srcPos < hdrLen) {
                    n = Math.min(room, hdrLen - srcPos);
                    MemorySegment.copy(hdrSeg, srcPos, mem, segAddr[s] + dstPos, n);
                } else {
                    n = Math.min(room, need - srcPos);
                    MemorySegment.copy(f.segment(), f.offset() + (srcPos - hdrLen), mem, segAddr[s] + dstPos, n);
                }
                srcPos += n;
                dstPos += n;
                room -= n;
            }
        }
        return need;
    }

    /** Driver towards a device: copies each frame into a free transmit buffer of our own and offers it. */
    private int postOwnTx(FrameBatch batch) throws RingViolation {
        ownTx.reap(txHandler, own.queueSize());
        int i = 0;
        for (; i < batch.size(); i++) {
            Frame f = batch.get(i);
            if (f.length() > mtu || hdrLen + f.length() > own.bufferSize()) {
                counters.txTooBig.increment();
                continue;
            }
            if (freeTxCount == 0) {
                break;
            }
            int id = freeTx[--freeTxCount];
            long addr = own.txBuffer(id);
            VirtioNetHeader.writeSimple(own.segment(), addr, legacy);
            MemorySegment.copy(f.segment(), f.offset(), own.segment(), addr + hdrLen, f.length());
            ownTx.post(id, addr, hdrLen + f.length(), false);
            sent++;
        }
        if (sent > 0) {
            ownTx.publish();
        }
        if (i < batch.size()) {
            counters.txRingFull.add(batch.size() - i);
        }
        return i;
    }

    private final class UsedToFree implements DriverQueue.UsedHandler {
        @Override
        public void used(int id, int len) {
            freeTx[freeTxCount++] = id;
        }
    }

    // ---- receive --------------------------------------------------------------

    /**
     * How long the receive worker keeps polling after its last frame before it
     * asks for a kick and sleeps. Spinning is what keeps latency low under load;
     * sleeping is what keeps an idle stack off the CPU. No yield phase: on a
     * small machine, yielding hands whole time slices to other processes'
     * pollers and costs milliseconds.
     */
    static final long SPIN_NANOS = 50_000;
    /**
     * The receive worker, run by the session's thread until the link ends: polls,
     * delivers batches, and when idle sleeps in a read of the connection, so a
     * kick wakes it directly (one wake-up per hop) and the peer closing the
     * connection ends the session.
     */
    void runWorker() {
        long idleSince = 0;
        try {
            while (alive) {
                int n = own != null ? receiveOwnRx() : receivePeerTx();
                if (n > 0) {
                    idleSince = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (idleSince == 0) {
                    idleSince = now;
                }
                if (now - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                // Ask for a kick, then look once more so a frame that raced the request is not stranded.
                setNotify(true);
                if (!hasWork()) {
                    awaitKick();
                }
                setNotify(false);
                idleSince = 0;
            }
        } catch (IOException e) {
            alive = false; // the peer went away, or close() interrupted the read
        } catch (RingViolation e) {
            reset("peer broke the ring rules on receive: " + e.getMessage());
        } catch (InternalError e) {
            reset("peer's shared memory became inaccessible on receive: " + TRUNCATED);
        } catch (IllegalStateException e) {
            // the region was unmapped under us during shutdown
            alive = false;
        } finally {
            if (filling != null) {
                filling.release();
                filling = null;
            }
            rxBatch.releaseAll();
            returnSpareFrames();
        }
    }

    private void setNotify(boolean on) {
        if (own != null) {
            ownRx.enableNotifications(on);
        } else {
            peerTx.enableNotifications(on);
        }
    }

    private boolean hasWork() throws RingViolation {
        return own != null ? ownRx.hasUsed() : peerTx.hasAvailable();
    }

    /** Driver: takes filled receive buffers, copies frames out, and offers the buffers again. */
    private int receiveOwnRx() throws RingViolation {
        int pending = ownRx.usedPending();
        if (pending == 0) {
            return 0;
        }
        int want = Math.min(pending, FrameBatch.MAX);
        reserveFrames(want);
        // Reap only what frames were reserved for: the peer may have used more buffers since
        // usedPending(), and those would find no frame and be dropped. They wait for the next round.
        int n = ownRx.reap(rxHandler, want);
        returnSpareFrames();
        if (n == 0) {
            return 0;
        }
        ownRx.publish();
        if (ownRx.needsKick()) {
            kick();
        }
        deliver();
        return n;
    }

    private final class UsedToFrames implements DriverQueue.UsedHandler {
        @Override
        public void used(int id, int len) {
            long addr = own.rxBuffer(id);
            int frameLen = len - hdrLen;
            if (frameLen < 14 || frameLen > mtu || !VirtioNetHeader.validate(own.segment(), addr, legacy)) {
                counters.rxBadHeader.increment();
            } else {
                Frame f = takeFrame();
                if (f == null) {
                    counters.rxNoFrame.increment();
                } else {
                    filling = f;
                    MemorySegment.copy(own.segment(), addr + hdrLen, f.segment(), f.offset(), frameLen);
                    filling = null;
                    f.length(frameLen);
                    rxBatch.add(f);
                }
            }
            ownRx.post(id, addr, own.bufferSize(), true);
        }
    }

    /** Device: takes frames the peer offered on its transmit queue, copies them out, and returns the buffers. */
    private int receivePeerTx() throws RingViolation {
        int avail = peerTx.available();
        if (avail == 0) {
            return 0;
        }
        int n = Math.min(avail, FrameBatch.MAX);
        reserveFrames(n);
        for (int i = 0; i < n; i++) {
            int head = peerTx.pop();
            int segs = peerTx.readChain(head, segAddr, segLen, segAddr.length);
            if (peerTx.chainWritable()) {
                throw new RingViolation("transmit descriptor " + head + " is device-writable");
            }
            gather(segs);
            peerTx.pushUsed(head, 0);
        }
        returnSpareFrames();
        peerTx.publishUsed();
        if (peerTx.needsKick()) {
            kick();
        }
        deliver();
        return n;
    }

    /** Copies header-and-frame out of the peer's buffers into one pool frame, then checks the header. */
    private void gather(int segs) {
        long total = 0;
        for (int s = 0; s < segs; s++) {
            total += segLen[s];
        }
        long frameLen = total - hdrLen;
        if (frameLen < 14 || frameLen > mtu) {
            counters.rxBadHeader.increment();
            return;
        }
        Frame f = takeFrame();
        if (f == null) {
            counters.rxNoFrame.increment();
            return;
        }
        MemorySegment mem = peer.segment();
        // Copy everything (header included) first, then validate our private copy: no double fetch.
        int hdrStart = f.offset() - hdrLen;
        long pos = 0;
        filling = f;
        for (int s = 0; s < segs; s++) {
            MemorySegment.copy(mem, segAddr[s], f.segment(), hdrStart + pos, segLen[s]);
            pos += segLen[s];
        }
        filling = null;
        if (!VirtioNetHeader.validate(f.segment(), hdrStart, legacy)) {
            counters.rxBadHeader.increment();
            f.release();
            return;
        }
        f.length((int) frameLen);
        rxBatch.add(f);
    }

    /** Takes up to {@code n} frames for the coming batch (fewer if the pool runs short). */
    private void reserveFrames(int n) {
        returnSpareFrames(); // empty between batches; take() fills from index 0
        spareCount = pool.take(spare, n);
    }

    private void returnSpareFrames() {
        if (spareCount > 0) {
            pool.release(spare, spareCount);
            spareCount = 0;
        }
    }

    /** A frame for a received packet, or null when the pool ran short. */
    private Frame takeFrame() {
        if (spareCount == 0) {
            return null;
        }
        Frame f = spare[--spareCount];
        spare[spareCount] = null;
        return f;
    }

    private void deliver() {
        if (!rxBatch.isEmpty()) {
            listener.received(rxBatch); // takes ownership and empties it
        }
    }

    // ---- notifications and teardown --------------------------------------------

    /** Tells the peer that a queue it watches has news. One byte: which byte does not matter. */
    private void kick() {
        synchronized (kickOut) {
            kickOut.clear();
            try {
                channel.write(kickOut);
                counters.kicksSent.increment();
            } catch (IOException e) {
                alive = false;
            }
        }
    }

    /** Blocks until the peer kicks (reading every kick byte waiting) or closes the connection. */
    private void awaitKick() throws IOException {
        kickIn.clear();
        if (channel.read(kickIn) < 0) {
            alive = false;
            return;
        }
        counters.kicksReceived.increment();
    }

    /** Ends the session because the peer broke a rule: the link is reset and the peer must reconnect. */
    private void reset(String why) {
        counters.resets.increment();
        listener.event(why + "; link reset");
        alive = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops the data path after the worker returned; waits for any transmit in progress. */
    void stop() {
        alive = false;
        txLock.lock();
        txLock.unlock();
    }
}
