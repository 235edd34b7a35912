package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.stack.Impairment;
import io.pktstack.core.internal.time.StackTimer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fault injection on one interface ({@code impair}), wrapped around its two
 * directions as smoltcp's FaultInjector wraps a device: loss, duplication,
 * reordering, delay and corruption, each counted. This machine's kernel has no
 * netem, so the stack brings its own.
 *
 * <p>Delayed and reordered frames wait in two time-ordered queues per
 * direction (a reordered frame waits longer than the delay, so later frames
 * overtake it) and go on from the stack timer, past the impairment. The queues
 * are bounded; a frame that finds them full is dropped and counted.
 */
final class Impairer {

    /** Frames a direction holds at most (delayed or reordered). */
    static final int QUEUE = 4096;
    /** How much longer than the delay a reordered frame waits. */
    static final long REORDER_EXTRA_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Where a direction's frames go once released: the rest of receive, or the link. */
    interface Sink {
        void pass(FrameBatch batch);
    }

    final Impairment settings;
    private final StackTimer timer;
    final LongAdder dropped = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder reordered = new LongAdder();
    final LongAdder delayed = new LongAdder();
    final LongAdder corrupted = new LongAdder();
    final LongAdder overflow = new LongAdder();
    final Direction inbound;
    final Direction outbound;
    private volatile boolean closed;

    Impairer(Impairment settings, StackTimer timer, Sink in, Sink out) {
        this.settings = settings;
        this.timer = timer;
        this.inbound = new Direction(in);
        this.outbound = new Direction(out);
    }

    /** One direction: its two waiting queues and the timer task that releases them. */
    final class Direction extends StackTimer.Task {
        private final Sink sink;
        private final ReentrantLock lock = new ReentrantLock();
        private final Queue delayQueue = new Queue();
        private final Queue reorderQueue = new Queue();
        private final FrameBatch due = new FrameBatch();

        Direction(Sink sink) {
            this.sink = sink;
        }

        /**
         * Applies the impairment to {@code batch} in place: what is left in it
         * goes on now; dropped frames are released, held ones queued.
         */
        void apply(FrameBatch batch) {
            if (closed) {
                return;
            }
            Impairment s = settings;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            Frame[] frames = batch.array();
            int n = batch.size();
            int keep = 0; // frames that go on now are compacted to the front: keep <= i always
            long now = timer.now();
            long delay = TimeUnit.MILLISECONDS.toNanos(s.delayMillis());
            boolean armed = false;
            lock.lock();
            try {
                if (closed) {
                    return; // replaced or removed meanwhile: the frames go on untouched
                }
                for (int i = 0; i < n; i++) {
                    Frame f = frames[i];
                    frames[i] = null;
                    if (chance(rnd, s.lossPercent())) {
                        dropped.increment();
                        f.release();
                        continue;
                    }
                    if (chance(rnd, s.corruptPercent()) && f.length() > 14) {
                        ChecksumOffload.toWire(f); // a corrupted frame must be found out by its checksum
                        int bit = rnd.nextInt((f.length() - 14) * 8);
                        MemorySegment seg = f.segment();
                        long at = f.offset() + 14 + bit / 8;
                        seg.set(ValueLayout.JAVA_BYTE, at, (byte) (seg.get(ValueLayout.JAVA_BYTE, at) ^ (1 << (bit % 8))));
                        corrupted.increment();
                    }
                    if (chance(rnd, s.duplicatePercent())) {
                        Frame copy = f.pool().take();
                        if (copy != null) {
                            MemorySegment.copy(f.segment(), f.offset(), copy.segment(), copy.offset(), f.length());
                            copy.length(f.length());
                            copy.offloadsFrom(f);
                            hold(delayQueue, copy, now + delay); // the copy follows from the timer
                            duplicated.increment();
                            armed = true;
                        }
                    }
                    if (chance(rnd, s.reorderPercent())) {
                        reordered.increment();
                        hold(reorderQueue, f, now + delay + REORDER_EXTRA_NANOS);
                        armed = true;
                    } else if (delay > 0) {
                        delayed.increment();
                        hold(delayQueue, f, now + delay);
                        armed = true;
                    } else {
                        frames[keep++] = f;
                    }
                }
            } finally {
                lock.unlock();
            }
            batch.size(keep);
            if (armed) {
                lock.lock();
                try {
                    arm();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void hold(Queue q, Frame f, long time) {
            if (!q.add(f, time)) {
                overflow.increment();
                f.release();
            }
        }

        private void arm() {
            long next = Math.min(delayQueue.headTime(), reorderQueue.headTime());
            if (next != Long.MAX_VALUE) {
                timer.scheduleAt(this, next);
            }
        }

        @Override
        protected void run(long now) {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                delayQueue.takeDue(now, due);
                reorderQueue.takeDue(now, due);
            } finally {
                lock.unlock();
            }
            if (!due.isEmpty()) {
                sink.pass(due); // takes the frames; whatever it leaves is dropped
                due.releaseAll();
            }
            lock.lock();
            try {
                arm();
            } finally {
                lock.unlock();
            }
        }

        /** Called once {@code closed} is set: nothing is queued from now on. */
        void close() {
            timer.cancel(this);
            lock.lock();
            try {
                delayQueue.releaseAll();
                reorderQueue.releaseAll();
            } finally {
                lock.unlock();
            }
        }

        int held() {
            lock.lock();
            try {
                return delayQueue.size + reorderQueue.size;
            } finally {
                lock.unlock();
            }
        }
    }

    private static boolean chance(ThreadLocalRandom rnd, double percent) {
        return percent > 0 && rnd.nextDouble() * 100 < percent;
    }

    /** A bounded FIFO of frames with their release times, which are non-decreasing. */
    private static final class Queue {
        private final Frame[] frames = new Frame[QUEUE];
        private final long[] times = new long[QUEUE];
        private int head;
        private int size;

        boolean add(Frame f, long time) {
            if (size == QUEUE) {
                return false;
            }
            int i = (head + size) % QUEUE;
            frames[i] = f;
            times[i] = time;
            size++;
            return true;
        }

        long headTime() {
            return size == 0 ? Long.MAX_VALUE : times[head];
        }

        void takeDue(long now, FrameBatch into) {
            while (size > 0 && times[head] - now <= 0 && !into.isFull()) {
                into.add(frames[head]);
                frames[head] = null;
                head = (head + 1) % QUEUE;
                size--;
            }
        }

        void releaseAll() {
            while (size > 0) {
                frames[head].release();
                frames[head] = null;
                head = (head + 1) % QUEUE;
                size--;
            }
        }
    }

    /** Releases every frame held; the impairment does nothing more. */
    void close() {
        closed = true;
        inbound.close();
        outbound.close();
    }

    /** The settings with what was done so far. */
    Impairment report() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("dropped", dropped.sum());
        c.put("duplicated", duplicated.sum());
        c.put("reordered", reordered.sum());
        c.put("delayed", delayed.sum());
        c.put("corrupted", corrupted.sum());
        c.put("queue full", overflow.sum());
        c.put("held now", (long) (inbound.held() + outbound.held()));
        return new Impairment(settings.lossPercent(), settings.duplicatePercent(), settings.reorderPercent(),
                settings.delayMillis(), settings.corruptPercent(), c);
    }
}
