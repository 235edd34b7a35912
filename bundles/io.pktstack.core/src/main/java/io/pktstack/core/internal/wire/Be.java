package io.pktstack.core.internal.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian (network order) field access at absolute segment offsets, for
 * code that reads a header it has already bounds-checked (the api's views do
 * the same for their own fields). Unaligned: headers sit at any offset.
 */
public final class Be {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Be() {
    }

    public static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    public static int u16(MemorySegment s, long at) {
        return s.get(U16, at) & 0xFFFF;
    }

    public static int i32(MemorySegment s, long at) {
        return s.get(U32, at);
    }

    public static long i64(MemorySegment s, long at) {
        return s.get(U64, at);
    }

    public static void u8(MemorySegment s, long at, int v) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) v);
    }

    public static void u16(MemorySegment s, long at, int v) {
        s.set(U16, at, (short) v);
    }

    public static void i32(MemorySegment s, long at, int v) {
        s.set(U32, at, v);
    }

    public static void i64(MemorySegment s, long at, long v) {
        s.set(U64, at, v);
    }

    /** Six octets as the low 48 bits of a long (as {@code MacAddress.bits()}). */
    public static long mac(MemorySegment s, long at) {
        return ((long) u16(s, at) << 32) | (i32(s, at + 2) & 0xFFFF_FFFFL);
    }

    public static void mac(MemorySegment s, long at, long mac) {
        u16(s, at, (int) (mac >>> 32));
        i32(s, at + 2, (int) mac);
    }
}
