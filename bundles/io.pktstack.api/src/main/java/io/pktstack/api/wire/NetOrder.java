package io.pktstack.api.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian (network order, RFC 1700 "Data Notations") accessors shared by the
 * views. Unaligned layouts: headers sit at any offset behind a 14-byte Ethernet
 * header, so 4-byte fields are routinely 2-byte aligned.
 */
final class NetOrder {

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    private NetOrder() {
    }

    static int u8(MemorySegment seg, long at) {
        return seg.get(U8, at) & 0xFF;
    }

    static int u16(MemorySegment seg, long at) {
        return seg.get(U16, at) & 0xFFFF;
    }

    static int i32(MemorySegment seg, long at) {
        return seg.get(U32, at);
    }

    static long i64(MemorySegment seg, long at) {
        return seg.get(U64, at);
    }

    static void setU8(MemorySegment seg, long at, int value) {
        seg.set(U8, at, (byte) value);
    }

    static void setU16(MemorySegment seg, long at, int value) {
        seg.set(U16, at, (short) value);
    }

    static void setI32(MemorySegment seg, long at, int value) {
        seg.set(U32, at, value);
    }

    static void setI64(MemorySegment seg, long at, long value) {
        seg.set(U64, at, value);
    }

    /** Six octets as the low 48 bits of a long, as {@code MacAddress.bits()}. */
    static long mac(MemorySegment seg, long at) {
        return ((long) u16(seg, at) << 32) | (i32(seg, at + 2) & 0xFFFF_FFFFL);
    }

    static void setMac(MemorySegment seg, long at, long mac) {
        setU16(seg, at, (int) (mac >>> 32));
        setI32(seg, at + 2, (int) mac);
    }

    /** True when {@code [off, off + len)} lies inside {@code seg}; never throws on bad numbers. */
    static boolean inBounds(MemorySegment seg, long off, int len) {
        return off >= 0 && len >= 0 && off <= seg.byteSize() - len;
    }

    static long bytesToLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    static void longToBytes(long v, byte[] b, int at) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
