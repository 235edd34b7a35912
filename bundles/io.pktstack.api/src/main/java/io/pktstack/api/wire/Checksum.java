package io.pktstack.api.wire;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's
 * complement sum of the data taken as big-endian 16-bit words, an odd final
 * byte padded with zero on the right.
 *
 * <p>The running sum is kept in a {@code long} accumulator as a 64-bit one's
 * complement sum (end-around carry). Because 2^16 - 1 divides 2^64 - 1, folding
 * that sum down to 16 bits gives the same result as summing 16-bit words
 * (RFC 1071 §2(C)), while the loop reads eight bytes at a time.
 *
 * <p>Usage: start from {@code 0}, combine ranges with {@link #add(long, MemorySegment, long, long)}
 * and pseudo-headers with {@link #addPseudoHeaderV4} / {@link #addPseudoHeaderV6},
 * then {@link #finish(long)} for the value to store, or {@link #fold(long)}
 * {@code == 0xFFFF} to verify data that includes its checksum. Every range but
 * the last must have an even length, or the words of the next range shift by a
 * byte.
 */
public final class Checksum {

    private Checksum() {
    }

    /** One's complement sum of {@code [offset, offset + length)} of {@code seg}, unfolded. */
    public static long sum(MemorySegment seg, long offset, long length) {
        return add(0, seg, offset, length);
    }

    /** Adds {@code [offset, offset + length)} of {@code seg} to the accumulator {@code acc}. */
    public static long add(long acc, MemorySegment seg, long offset, long length) {
        long s = acc;
        long i = offset;
        long end = offset + length;
        for (; end - i >= 8; i += 8) {
            s = add(s, NetOrder.i64(seg, i));
        }
        // Tail: a 32-bit value v = w1 * 2^16 + w2 adds w1 + w2 mod 2^16 - 1.
        if (end - i >= 4) {
            s = add(s, NetOrder.i32(seg, i) & 0xFFFF_FFFFL);
            i += 4;
        }
        if (end - i >= 2) {
            s = add(s, NetOrder.u16(seg, i));
            i += 2;
        }
        if (end - i == 1) {
            s = add(s, NetOrder.u8(seg, i) << 8);
        }
        return s;
    }

    /** One's complement 64-bit addition: the carry out of bit 63 wraps around. */
    public static long add(long acc, long value) {
        long s = acc + value;
        return Long.compareUnsigned(s, value) < 0 ? s + 1 : s;
    }

    /**
     * Adds the IPv4 pseudo-header of RFC 768 / RFC 793 §3.1: source, destination,
     * a zero byte, the protocol and the upper-layer length.
     */
    public static long addPseudoHeaderV4(long acc, int srcAddr, int dstAddr, int protocol, int length) {
        long s = add(acc, srcAddr & 0xFFFF_FFFFL);
        s = add(s, dstAddr & 0xFFFF_FFFFL);
        return add(s, ((long) (protocol & 0xFF) << 16) | (length & 0xFFFF));
    }

    /**
     * Adds the IPv6 pseudo-header of RFC 8200 §8.1: source, destination, the
     * 32-bit upper-layer packet length, three zero bytes and the next header.
     */
    public static long addPseudoHeaderV6(long acc, long srcHi, long srcLo, long dstHi, long dstLo,
            int nextHeader, long length) {
        long s = add(acc, srcHi);
        s = add(s, srcLo);
        s = add(s, dstHi);
        s = add(s, dstLo);
        s = add(s, length & 0xFFFF_FFFFL);
        return add(s, nextHeader & 0xFF);
    }

    /** Folds the accumulator to the 16-bit one's complement sum, in {@code [0, 0xFFFF]}. */
    public static int fold(long acc) {
        long s = (acc >>> 32) + (acc & 0xFFFF_FFFFL);
        s = (s >>> 32) + (s & 0xFFFF_FFFFL);
        s = (s >>> 16) + (s & 0xFFFF);
        s = (s >>> 16) + (s & 0xFFFF);
        return (int) s;
    }

    /** The checksum to store: the complement of the folded sum. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xFFFF;
    }

    /** The Internet checksum of {@code [offset, offset + length)} of {@code seg}. */
    public static int compute(MemorySegment seg, long offset, long length) {
        return finish(sum(seg, offset, length));
    }

    /**
     * Completes a partial checksum (VIRTIO's NEEDS_CSUM, Linux's
     * CHECKSUM_PARTIAL) in the packet of {@code length} bytes at {@code packet}:
     * the 16-bit field at {@code csumStart + csumOffset} holds the folded
     * pseudo-header sum; the checksum of everything from {@code csumStart} to
     * the end goes there. A result of 0 is stored as 0xFFFF, which means the
     * same (RFC 768: a UDP checksum of 0 would mean "none").
     *
     * @return false, changing nothing, if the offsets do not fit the packet
     *         (they may come from a peer) or are odd
     * @since 1.2
     */
    public static boolean completePartial(MemorySegment seg, long packet, int length, int csumStart, int csumOffset) {
        if (csumStart < 14 || csumStart >= length || csumOffset < 0 || csumOffset > length - csumStart - 2
                || (csumOffset & 1) != 0) {
            return false;
        }
        int c = finish(sum(seg, packet + csumStart, length - csumStart));
        long at = packet + csumStart + csumOffset;
        seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, (byte) ((c == 0 ? 0xFFFF : c) >>> 8));
        seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 1, (byte) (c == 0 ? 0xFF : c));
        return true;
    }
}
