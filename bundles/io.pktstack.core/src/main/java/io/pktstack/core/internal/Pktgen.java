package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.PacketGenerator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

/**
 * The generator's send loop: take a batch of frames from the pool, write the
 * 14-byte header into each (the rest of a recycled slot is left as it is:
 * content does not matter) or a whole frame the caller built (IP traffic for
 * a router to forward), and hand the batch to the interface's driver.
 */
final class Pktgen {

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** About a quarter of the time a 256-entry ring takes to drain at 4 Mpps. */
    static final long RING_FULL_BACKOFF_NANOS = 15_000;

    private Pktgen() {
    }

    static PacketGenerator.Result run(FramePool pool, NetInterface nif, MacAddress dst, int frameBytes, long frames,
            int batchSize) {
        if (frameBytes < Forwarder.ETHER_HEADER || frameBytes > Math.min(nif.mtu, pool.slotSize() - FramePool.HEADROOM)) {
            throw new IllegalArgumentException("frame size " + frameBytes + " out of range 14.." + nif.mtu + " for " + nif.name);
        }
        MemorySegment head = MemorySegment.ofArray(new byte[Forwarder.ETHER_HEADER]);
        long d = dst.bits();
        long s = nif.mac.bits();
        head.set(INT_BE, 0, (int) (d >>> 16));
        head.set(SHORT_BE, 4, (short) d);
        head.set(INT_BE, 6, (int) (s >>> 16));
        head.set(SHORT_BE, 10, (short) s);
        head.set(SHORT_BE, 12, (short) PacketGenerator.ETHER_TYPE);
        return send(pool, nif, head, frameBytes, frames, batchSize);
    }

    /** Copies of a whole frame the caller built (IP traffic for a router). */
    static PacketGenerator.Result run(FramePool pool, NetInterface nif, byte[] frame, long frames, int batchSize) {
        if (frame.length < Forwarder.ETHER_HEADER || frame.length > Math.min(nif.mtu, pool.slotSize() - FramePool.HEADROOM)) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes out of range 14.." + nif.mtu + " for "
                    + nif.name);
        }
        return send(pool, nif, MemorySegment.ofArray(frame.clone()), frame.length, frames, batchSize);
    }

    /**
     * The send loop: {@code head}'s bytes at the start of each frame of
     * {@code frameBytes} (the rest of a recycled slot is left as it is).
     */
    private static PacketGenerator.Result send(FramePool pool, NetInterface nif, MemorySegment head, int frameBytes,
            long frames, int batchSize) {
        if (batchSize < 1 || batchSize > FrameBatch.MAX) {
            throw new IllegalArgumentException("batch " + batchSize + " out of range 1.." + FrameBatch.MAX);
        }
        FrameBatch batch = new FrameBatch(batchSize);
        long offered = 0;
        long noBuffer = 0;
        long start = System.nanoTime();
        while (offered + noBuffer < frames) {
            int want = (int) Math.min(batchSize, frames - offered - noBuffer);
            int got = sendBatch(pool, nif, batch, head, frameBytes, want);
            if (got == 0) {
                noBuffer += want;
                Thread.onSpinWait();
                continue;
            }
            offered += got;
        }
        return new PacketGenerator.Result(offered, noBuffer, System.nanoTime() - start);
    }

    /**
     * One batch: takes up to {@code want} frames, puts {@code head} in each and
     * offers them until the link took all (or stopped); returns how many it took.
     * A method of its own so that the JIT compiles it on its calls and keeps that
     * code from one pktgen to the next: the loop in {@link #send} is entered once
     * per pktgen and runs compiled only through on-stack replacement, which
     * -XX:+PrintCompilation showed invalidated and rebuilt at the start of each
     * run (tens of ms of a run in slower code).
     */
    private static int sendBatch(FramePool pool, NetInterface nif, FrameBatch batch, MemorySegment head, int frameBytes,
            int want) {
        Frame[] slots = batch.array();
        int got = pool.take(slots, want);
        if (got == 0) {
            return 0;
        }
        long headLen = head.byteSize();
        for (int i = 0; i < got; i++) {
            Frame f = slots[i];
            MemorySegment.copy(head, 0, f.segment(), f.offset(), headLen);
            f.length(frameBytes);
        }
        batch.size(got);
        // Pace to what the link takes: retry the rest until the ring has room.
        while (!batch.isEmpty()) {
            if (nif.offer(batch) == 0 && !batch.isEmpty()) {
                if (!nif.running()) {
                    batch.releaseAll();
                    break;
                }
                // The ring is full: give the CPU to whoever drains it (on a small machine that
                // is another process competing for the same cores) rather than spin.
                LockSupport.parkNanos(RING_FULL_BACKOFF_NANOS);
            }
        }
        return got;
    }
}
