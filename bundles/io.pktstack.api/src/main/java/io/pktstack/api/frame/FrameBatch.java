package io.pktstack.api.frame;

/**
 * An ordered group of up to {@value #MAX} frames that moves through the stack
 * as one unit: receive a batch, classify it, forward it, transmit a batch. A
 * batch is a reusable container owned by one thread; it never owns frames on
 * its own behalf. Methods that "take ownership of the batch's frames" empty it.
 */
public final class FrameBatch {

    /** The largest batch anywhere in the stack. */
    public static final int MAX = 256;

    private final Frame[] frames;
    private int size;

    public FrameBatch() {
        this(MAX);
    }

    public FrameBatch(int capacity) {
        if (capacity <= 0 || capacity > MAX) {
            throw new IllegalArgumentException("batch capacity must be 1.." + MAX + ": " + capacity);
        }
        frames = new Frame[capacity];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return frames.length;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean isFull() {
        return size == frames.length;
    }

    public Frame get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return frames[i];
    }

    /** Appends a frame; returns false (and keeps nothing) when full. */
    public boolean add(Frame f) {
        if (size == frames.length) {
            return false;
        }
        frames[size++] = f;
        return true;
    }

    /** The backing array, for bulk pool operations; valid entries are {@code [0, size())}. */
    public Frame[] array() {
        return frames;
    }

    /** Sets the size after filling {@link #array()} directly. */
    public void size(int n) {
        if (n < 0 || n > frames.length) {
            throw new IllegalArgumentException("size " + n);
        }
        size = n;
    }

    /**
     * Removes the first {@code n} frames without releasing them (their ownership
     * moved elsewhere) and moves the rest to the front, in order.
     */
    public void removeFirst(int n) {
        if (n < 0 || n > size) {
            throw new IndexOutOfBoundsException("remove " + n + " of " + size);
        }
        System.arraycopy(frames, n, frames, 0, size - n);
        java.util.Arrays.fill(frames, size - n, size, null);
        size -= n;
    }

    /**
     * Releases the first {@code n} frames to their pools, one lock acquisition
     * per pool among them (a TCP stream's large segments and small ACKs come
     * from two), and moves the rest to the front.
     */
    public void releaseFirst(int n) {
        if (n < 0 || n > size) {
            throw new IndexOutOfBoundsException("release " + n + " of " + size);
        }
        for (int i = 0; i < n; i++) {
            if (frames[i] != null) { // not yet released with an earlier frame's pool
                frames[i].pool().releaseOwn(frames, n);
            }
        }
        removeFirst(n);
    }

    /** Forgets the frames without releasing them (their ownership moved elsewhere). */
    public void clear() {
        java.util.Arrays.fill(frames, 0, size, null);
        size = 0;
    }

    /** Releases every frame to its pool and empties the batch. */
    public void releaseAll() {
        releaseFirst(size);
    }
}
