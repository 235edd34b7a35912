package io.pktstack.api.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of off-heap frame slots, like BSD's mbuf clusters. All memory is
 * allocated when the pool is made (and becomes resident only as its frames
 * are first used: see PoolMemory); taking and returning frames allocates
 * nothing.
 *
 * <p>Thread safety: any thread may take or return frames. A lock guards the
 * free stack, and batch methods take it once per batch so its cost is shared by
 * up to {@value FrameBatch#MAX} frames. When the pool is empty, {@code take}
 * returns fewer frames (never blocks): the caller drops and counts.
 *
 * <p>A {@linkplain #shared shared} pool lives in a memfd that a guest link
 * passes to its vhost-user back-end, so the pool's frames go on the link's
 * rings as they are (one copy per hop, made by the host).
 *
 * <p>A burst makes many frames resident that a quiet link does not need:
 * {@link #trim()}, called now and then, gives the pages of frames that stayed
 * free since the last call back to the kernel.
 */
public final class FramePool implements AutoCloseable {

    /** Bytes kept free in front of a fresh frame for headers to be prepended. */
    public static final int HEADROOM = 64;
    /** Default slot size: headroom plus a 1514-byte frame plus a VLAN tag and checksum room, rounded. */
    public static final int DEFAULT_SLOT_SIZE = 2048;

    private final Arena arena;
    private final Frame[] frames;
    private final Frame[] free;
    private final int slotSize;
    private final MemorySegment memory;
    private final int fd;
    private final ReentrantLock lock = new ReentrantLock();
    private int freeCount;
    private final boolean canGiveBack;
    // trim(): the free stack is last in, first out, so the frames below the lowest point it reached
    // since the last trim were not taken in that time. Both guarded by the lock.
    private int lowWater;
    /** free[0..givenBack) had their pages given back and have not been taken since. */
    private int givenBack;
    private boolean closed;

    /**
     * @param slots number of frames
     * @param slotSize bytes per slot, at least {@link #HEADROOM} + 64
     */
    public FramePool(int slots, int slotSize) {
        this(slots, slotSize, false);
    }

    /**
     * A pool whose memory can be shared with another process ({@link #sharedFd()}),
     * where the system allows a memfd; otherwise an ordinary pool.
     *
     * @since 1.3
     */
    public static FramePool shared(int slots, int slotSize) {
        return new FramePool(slots, slotSize, true);
    }

    private FramePool(int slots, int slotSize, boolean shared) {
        if (slots <= 0) {
            throw new IllegalArgumentException("slots must be positive: " + slots);
        }
        if (slotSize < HEADROOM + 64) {
            throw new IllegalArgumentException("slot size too small: " + slotSize);
        }
        this.slotSize = slotSize;
        this.arena = Arena.ofShared();
        PoolMemory.Block block = PoolMemory.allocate(arena, (long) slots * slotSize, 64, shared);
        this.memory = block.segment();
        this.fd = block.fd();
        this.canGiveBack = block.canGiveBack();
        this.frames = new Frame[slots];
        this.free = new Frame[slots];
        for (int i = 0; i < slots; i++) {
            Frame f = new Frame(this, i, memory.asSlice((long) i * slotSize, slotSize));
            frames[i] = f;
            free[i] = f;
        }
        this.freeCount = slots;
        this.lowWater = slots;
        this.givenBack = slots; // never touched: nothing resident to give back until a take reaches them
    }

    /** Takes one frame, reset to empty with full headroom, or {@code null} if the pool is empty. */
    public Frame take() {
        lock.lock();
        try {
            if (freeCount == 0) {
                return null;
            }
            Frame f = free[--freeCount];
            free[freeCount] = null;
            f.free = false;
            f.reset();
            sank();
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
            for (int i = 0; i < k; i++) {
                Frame f = free[--freeCount];
                free[freeCount] = null;
                f.free = false;
                f.reset();
                into[i] = f;
            }
            sank();
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

    /** Returns, under one lock, the frames of {@code batch[0..n)} that are this pool's and nulls their slots. */
    void releaseOwn(Frame[] batch, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                Frame f = batch[i];
                if (f != null && f.pool() == this) {
                    push(f);
                    batch[i] = null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a take: the free stack's lowest point since the last trim (a compare when not lower). */
    private void sank() {
        if (freeCount < lowWater) {
            lowWater = freeCount;
            givenBack = Math.min(givenBack, freeCount);
        }
    }

    /**
     * Gives back to the kernel the pages of the frames used once and free since the last call: they
     * no longer count as resident, and read as zero when next used. A page
     * that a frame in use or a recently used one shares is kept. Meant for a timer, every second or
     * so. Takes and returns wait meanwhile: the lock is held for one {@code madvise} per run of
     * adjacent pages, and only when frames became idle since the last call.
     * Does nothing for a pool whose memory the JVM allocated.
     *
     * @return bytes given back by this call
     * @since 1.4
     */
    public long trim() {
        if (canGiveBack) {
            PoolMemory.prepareGiveBack(); // the first time: not while takes and returns wait on the lock
        }
        lock.lock();
        try {
            long bytes = canGiveBack && !closed && lowWater > givenBack ? giveBack(givenBack, lowWater) : 0;
            givenBack = Math.max(givenBack, lowWater);
            lowWater = freeCount;
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back whole pages of free[from..to)'s slots whose every slot lies in free[0..to). Under the lock. */
    private long giveBack(int from, int to) {
        BitSet idle = new BitSet(frames.length);
        for (int k = 0; k < to; k++) {
            idle.set(free[k].index());
        }
        int[] slots = new int[to - from];
        for (int k = from; k < to; k++) {
            slots[k - from] = free[k].index();
        }
        Arrays.sort(slots);
        long page = PoolMemory.PAGE;
        long base = memory.address();
        long runStart = -1;
        long runEnd = -1;
        long bytes = 0;
        for (int slot : slots) {
            long lo = base + (long) slot * slotSize;
            long start = lo & -page; // the slot's pages, widened to whole pages
            long end = (lo + slotSize + page - 1) & -page;
            if (start < base || !idle(idle, start, lo, base)) {
                start += page; // the first page holds part of a slot in use (or lies before the pool)
            }
            if (end > base + memory.byteSize() || !idle(idle, lo + slotSize, end, base)) {
                end -= page;
            }
            if (start >= end) {
                continue;
            }
            if (start <= runEnd) {
                runEnd = Math.max(runEnd, end);
                continue;
            }
            bytes += flush(runStart, runEnd);
            runStart = start;
            runEnd = end;
        }
        return bytes + flush(runStart, runEnd);
    }

    /** Whether every slot overlapping {@code [from, to)} is idle. */
    private boolean idle(BitSet idle, long from, long to, long base) {
        if (from >= to) {
            return true;
        }
        int first = (int) ((from - base) / slotSize);
        int last = (int) Math.min(frames.length - 1, (to - 1 - base) / slotSize);
        return idle.nextClearBit(first) > last;
    }

    private long flush(long start, long end) {
        return start >= 0 && end > start && PoolMemory.giveBack(start, end - start, fd >= 0) ? end - start : 0;
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

    /** Frame by slot index (for drivers that keep slot numbers in rings). */
    public Frame frame(int index) {
        return frames[index];
    }

    public int capacity() {
        return frames.length;
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

    /**
     * Every slot's bytes, in slot order: what a link shares with its peer
     * when it hands over {@link #sharedFd()}.
     *
     * @since 1.3
     */
    public MemorySegment memory() {
        return memory;
    }

    /**
     * The memfd holding {@link #memory()} (mapped from its offset 0, sealed
     * against resizing; owned by the pool, closed with it), or -1 when the
     * pool's memory is private to this process.
     *
     * @since 1.3
     */
    public int sharedFd() {
        return fd;
    }

    /**
     * Frees the off-heap memory (and closes its memfd); every frame must have been returned. A
     * {@link #trim()} on another thread finishes first, and later ones do nothing: madvise on
     * memory unmapped meanwhile could reach whatever the process maps there next.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            arena.close();
        } finally {
            lock.unlock();
        }
    }
}
