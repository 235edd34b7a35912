package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.stack.PacketCapture;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A capture on one interface, both directions: the data path copies each
 * frame it sees into a bounded queue and a reader (the tcpdump command) drains
 * it. An interface without a capture pays one null check per batch; while
 * capturing, a full queue drops the copy and counts it, and the data path
 * never waits.
 */
final class Capture {

    private final ArrayBlockingQueue<PacketCapture.Frame> queue;
    private final long limit;
    private final AtomicLong taken = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();

    /** @param limit frames to capture before the capture stops taking more */
    Capture(int queueLength, long limit) {
        this.queue = new ArrayBlockingQueue<>(queueLength);
        this.limit = limit;
    }

    /** Copies the batch's frames (called by the data path before the batch moves on). */
    void tap(FrameBatch batch, boolean outbound) {
        long now = epochMicros();
        for (int i = 0; i < batch.size(); i++) {
            tap(batch.get(i), outbound, now);
        }
    }

    void tap(Frame f, boolean outbound, long now) {
        if (taken.get() >= limit || taken.incrementAndGet() > limit) {
            return; // the limit is reserved before the copy: no copy made only to be thrown away
        }
        byte[] copy = new byte[f.length()];
        MemorySegment.copy(f.segment(), ValueLayout.JAVA_BYTE, f.offset(), copy, 0, copy.length);
        if (!queue.offer(new PacketCapture.Frame(now, outbound, copy))) {
            dropped.incrementAndGet();
            taken.decrementAndGet(); // a dropped copy is not one of the COUNT captured
        }
    }

    static long epochMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    /** The next captured packet, or null after {@code timeoutNanos}. */
    PacketCapture.Frame next(long timeoutNanos) throws InterruptedException {
        return queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    }
}
