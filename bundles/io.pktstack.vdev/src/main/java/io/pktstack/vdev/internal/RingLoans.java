package io.pktstack.vdev.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The frames of one pool that this process's guest links have lent to their
 * rings (a front-end that posts the pool's frames as they are), against a
 * limit of half the pool: however many links share a pool, the stack keeps
 * the other half. A receive ring reserves its frames when its session starts,
 * at most half of what is left then (a first link takes up to a quarter of the
 * pool, a second up to an eighth, ...); frames sent in place are counted as
 * they go and come back, by batch. Past the limit a link copies through
 * buffers of its own. Frames left with a back-end that did not stop its rings
 * stay lent for good: they are gone from the pool.
 */
final class RingLoans {

    private static final Map<FramePool, RingLoans> BY_POOL = new WeakHashMap<>();

    private final int limit;
    private final AtomicInteger lent = new AtomicInteger();

    private RingLoans(int limit) {
        this.limit = limit;
    }

    /** The loans of {@code pool}, shared by every link of this process that uses it. */
    static RingLoans of(FramePool pool) {
        synchronized (BY_POOL) {
            return BY_POOL.computeIfAbsent(pool, p -> new RingLoans(p.capacity() / 2));
        }
    }

    /** Reserves up to {@code wanted} frames for a receive ring, at most half of what is left; returns how many. */
    int reserve(int wanted) {
        while (true) {
            int now = lent.get();
            int k = Math.min(wanted, Math.max(0, (limit - now) / 2));
            if (lent.compareAndSet(now, now + k)) {
                return k;
            }
        }
    }

    /** Whether one more frame may be lent (read without a lock: a batch may go a little past the limit). */
    boolean mayLend() {
        return lent.get() < limit;
    }

    void lend(int n) {
        if (n != 0) {
            lent.addAndGet(n);
        }
    }

    /** Frames back from a ring, or a receive ring's reservation at its session's end. */
    void giveBack(int n) {
        if (n != 0) {
            lent.addAndGet(-n);
        }
    }

    /**
     * At a session's end, the frames a ring held ({@code onRing[id]}, null where
     * none): back to their pools if the back-end stopped the ring, else left
     * with it (it maps them and may still write them); the array is emptied.
     * Returns the frames left.
     */
    static int takeBack(Frame[] onRing, boolean ringStopped) {
        int left = 0;
        for (int id = 0; id < onRing.length; id++) {
            if (onRing[id] != null) {
                if (ringStopped) {
                    onRing[id].release();
                } else {
                    left++;
                }
                onRing[id] = null;
            }
        }
        return left;
    }

    /** Frames of {@code pool} in {@code onRing} (null where none). */
    static int count(Frame[] onRing, FramePool pool) {
        int n = 0;
        for (Frame f : onRing) {
            if (f != null && f.pool() == pool) {
                n++;
            }
        }
        return n;
    }

    /** Frames lent now, for tests. */
    int lent() {
        return lent.get();
    }
}
