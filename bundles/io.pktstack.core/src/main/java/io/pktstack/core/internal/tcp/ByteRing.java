package io.pktstack.core.internal.tcp;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A socket buffer: a fixed ring of bytes. Offsets are logical, counted from
 * the oldest byte held. The send buffer holds what was written and not yet
 * acknowledged; the receive buffer holds what arrived in order and was not
 * yet read, and out-of-order data written beyond it (not yet committed).
 * Frames are copied in and out, so a socket never keeps a pool frame and a
 * slow reader cannot drain the pool.
 */
final class ByteRing {

    private final byte[] buf;
    private final MemorySegment seg;
    private int head;
    private int size;

    ByteRing(int capacity) {
        this.buf = new byte[capacity];
        this.seg = MemorySegment.ofArray(buf);
    }

    int capacity() {
        return buf.length;
    }

    /** Bytes held (committed). */
    int size() {
        return size;
    }

    int free() {
        return buf.length - size;
    }

    /** Copies {@code n} bytes to logical offset {@code at} (at + n <= capacity) without committing them. */
    void writeAt(int at, MemorySegment src, long srcOff, int n) {
        int pos = wrap(head + at);
        int first = Math.min(n, buf.length - pos);
        MemorySegment.copy(src, srcOff, seg, pos, first);
        if (first < n) {
            MemorySegment.copy(src, srcOff + first, seg, 0, n - first);
        }
    }

    /** Makes {@code n} more bytes after the committed ones part of the buffer (written with {@link #writeAt}). */
    void commit(int n) {
        size += n;
    }

    /** Appends and commits {@code n} bytes. */
    void append(MemorySegment src, long srcOff, int n) {
        writeAt(size, src, srcOff, n);
        size += n;
    }

    /** Copies {@code n} bytes from logical offset {@code at} into {@code dst} without consuming them. */
    void copyOut(int at, MemorySegment dst, long dstOff, int n) {
        int pos = wrap(head + at);
        int first = Math.min(n, buf.length - pos);
        MemorySegment.copy(seg, pos, dst, dstOff, first);
        if (first < n) {
            MemorySegment.copy(seg, 0, dst, dstOff + first, n - first);
        }
    }

    /** Drops the {@code n} oldest bytes. */
    void consume(int n) {
        head = wrap(head + n);
        size -= n; // head stays where it is even when empty: out-of-order bytes may lie beyond
    }

    /** Moves up to {@code dst.remaining()} held bytes into {@code dst}; returns how many. */
    int read(ByteBuffer dst) {
        int n = Math.min(size, dst.remaining());
        int first = Math.min(n, buf.length - head);
        dst.put(buf, head, first);
        if (first < n) {
            dst.put(buf, 0, n - first);
        }
        consume(n);
        return n;
    }

    /** Appends up to {@link #free()} bytes of {@code src}; returns how many. */
    int write(ByteBuffer src) {
        int n = Math.min(free(), src.remaining());
        int pos = wrap(head + size);
        int first = Math.min(n, buf.length - pos);
        src.get(buf, pos, first);
        if (first < n) {
            src.get(buf, 0, n - first);
        }
        size += n;
        return n;
    }

    private int wrap(int i) {
        return i >= buf.length ? i - buf.length : i;
    }
}
