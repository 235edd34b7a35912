package io.pktstack.api.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of off-heap frame slots, like BSD's mbuf clusters. All memory is
 * allocated when the pool is made ({@link #lazy} pools: when the first frame is
 * taken); taking and returning frames allocates nothing after that.
 *
 * <p>Thread safety: any thread may take or return frames. A lock guards the
 * free stack, and batch methods take it once per batch so its cost is shared by
 * up to {@value FrameBatch#MAX} frames. When the pool is empty, {@code take}
 * returns fewer frames (never blocks): the caller drops and counts.
 */
public final class FramePool implements AutoCloseable {

    /** Bytes kept free in front of a fresh frame for headers to be prepended. */
    public static final int HEADROOM = 64;
    /** Default slot size: headroom plus a 1514-byte frame plus a VLAN tag and checksum room, rounded. */
    public static final int DEFAULT_SLOT_SIZE = 2048;

    private final Arena arena;
    private final int slots;
    private final int slotSize;
    private final ReentrantLock lock = new ReentrantLock();
    /** Null until the memory is allocated (at once, or at the first take of a lazy pool). */
    private volatile Frame[] frames;
    private Frame[] free;
    private int freeCount;

    /**
     * @param slots number of frames
     * @param slotSize bytes per slot, at least {@link #HEADROOM} + 64
     */
    public FramePool(int slots, int slotSize) {
        this(slots, slotSize, false);
    }

    private FramePool(int slots, int slotSize, boolean lazy) {
        if (slots <= 0) {
            throw new IllegalArgumentException("slots must be positive: " + slots);
        }
        if (slotSize < HEADROOM + 64) {
            throw new IllegalArgumentException("slot size too small: " + slotSize);
        }
        this.slots = slots;
        this.slotSize = slotSize;
        this.arena = Arena.ofShared();
        this.freeCount = slots;
        if (!lazy) {
            allocate();
        }
    }

    /**
     * A pool whose memory is allocated, and zeroed, when its first frame is
     * taken: for pools an instance may never use (large frames for reassembly
     * and segmentation offload), which then cost neither the time to clear
     * them nor resident memory.
     */
    public static FramePool lazy(int slots, int slotSize) {
        return new FramePool(slots, slotSize, true);
    }

    /** Under the lock, or from the constructor. */
    private void allocate() {
        MemorySegment all = arena.allocate((long) slots * slotSize, 64);
        Frame[] fs = new Frame[slots];
        Frame[] fr = new Frame[slots];
        for (int i = 0; i < slots; i++) {
            Frame f = new Frame(this, i, all.asSlice((long) i * slotSize, slotSize));
            fs[i] = f;
            fr[i] = f;
        }
        free = fr;
        frames = fs;
    }

    /** Takes one frame, reset to empty with full headroom, or {@code null} if the pool is empty. */
    public Frame take() {
        lock.lock();
        try {
            if (freeCount == 0) {
                return null;
            }
            if (frames == null) {
                allocate();
            }
            Frame f = free[--freeCount];
            free[freeCount] = null;
            f.free = false;
            f.reset();
            return f;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code n} frames into {@code into[0..)}; returns how many it took
     * (fewer when the pool runs short). The caller owns them.
     */
    public int take(Frame[] into, int n) {
        lock.lock();
        try {
            int k = Math.min(n, freeCount);
            if (frames == null && k > 0) {
                allocate();
            }
            for (int i = 0; i < k; i++) {
                Frame f = free[--freeCount];
                free[freeCount] = null;
                f.free = false;
                f.reset();
                into[i] = f;
            }
            return k;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns a frame.
     *
     * @throws IllegalStateException if the frame is already free or not from this pool
     */
    public void release(Frame f) {
        lock.lock();
        try {
            push(f);
        } finally {
            lock.unlock();
        }
    }

    /** Returns {@code frames[0..n)} under one lock acquisition and nulls the slots. */
    public void release(Frame[] batch, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                push(batch[i]);
                batch[i] = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private void push(Frame f) {
        if (f.pool() != this) {
            throw new IllegalStateException(f + " does not belong to this pool");
        }
        if (f.free) {
            throw new IllegalStateException(f + " released twice");
        }
        f.free = true;
        free[freeCount++] = f;
    }

    /** Frame by slot index (for drivers that keep slot numbers in rings); allocates a lazy pool's memory. */
    public Frame frame(int index) {
        Objects.checkIndex(index, slots);
        Frame[] fs = frames;
        if (fs == null) {
            lock.lock();
            try {
                if (frames == null) {
                    allocate();
                }
                fs = frames;
            } finally {
                lock.unlock();
            }
        }
        return fs[index];
    }

    public int capacity() {
        return slots;
    }

    /** Frames currently free; equals {@link #capacity()} when nothing is in flight. */
    public int available() {
        lock.lock();
        try {
            return freeCount;
        } finally {
            lock.unlock();
        }
    }

    public int slotSize() {
        return slotSize;
    }

    /** Frees the off-heap memory; every frame must have been returned. */
    @Override
    public void close() {
        arena.close();
    }
}
