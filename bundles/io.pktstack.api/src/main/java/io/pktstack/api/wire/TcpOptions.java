package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * The TCP options the stack understands, parsed from a {@link TcpSegment}
 * into reusable fields, and written into a header being built: Maximum
 * Segment Size (RFC 9293 §3.2), Window Scale and Timestamps (RFC 7323),
 * SACK-Permitted and SACK (RFC 2018). Unknown options are skipped by their
 * length, as RFC 9293 §3.2 requires.
 *
 * <p>One instance per thread that parses; {@link #parse} resets every field,
 * so nothing of an earlier segment leaks into the next.
 *
 * @since 1.1
 */
public final class TcpOptions {

    public static final int KIND_END = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;

    /** Largest shift a Window Scale option may carry (RFC 7323 §2.3); larger values are taken as 14. */
    public static final int MAX_WINDOW_SCALE = 14;
    /** SACK blocks that fit a header (four without timestamps, RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** MSS option value, or -1 if absent. */
    public int mss;
    /** Window scale shift (clamped to 14), or -1 if absent. */
    public int windowScale;
    public boolean sackPermitted;
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;
    /** SACK blocks: left edges at even, right edges at odd indices; {@link #sackBlocks} of them. */
    public final int[] sack = new int[2 * MAX_SACK_BLOCKS];
    public int sackBlocks;

    /** Clears every field as if the segment had no options. */
    public void clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlocks = 0;
    }

    /**
     * Parses the options of {@code tcp}. Returns false for a malformed list: a
     * length below 2 or running past the header, or a known option with the
     * wrong length. Fields of options read before the fault are set.
     */
    public boolean parse(TcpSegment tcp) {
        clear();
        MemorySegment s = tcp.segment();
        long at = tcp.optionsOffset();
        long end = at + tcp.optionsLength();
        while (at < end) {
            int kind = u8(s, at);
            if (kind == KIND_END) {
                return true;
            }
            if (kind == KIND_NOP) {
                at++;
                continue;
            }
            if (at + 1 >= end) {
                return false;
            }
            int optLen = u8(s, at + 1);
            if (optLen < 2 || at + optLen > end) {
                return false;
            }
            switch (kind) {
                case KIND_MSS -> {
                    if (optLen != 4) {
                        return false;
                    }
                    mss = u16(s, at + 2);
                }
                case KIND_WINDOW_SCALE -> {
                    if (optLen != 3) {
                        return false;
                    }
                    windowScale = Math.min(u8(s, at + 2), MAX_WINDOW_SCALE);
                }
                case KIND_SACK_PERMITTED -> {
                    if (optLen != 2) {
                        return false;
                    }
                    sackPermitted = true;
                }
                case KIND_SACK -> {
                    if ((optLen - 2) % 8 != 0) {
                        return false;
                    }
                    int n = Math.min((optLen - 2) / 8, MAX_SACK_BLOCKS);
                    for (int i = 0; i < n; i++) {
                        sack[2 * i] = i32(s, at + 2 + 8L * i);
                        sack[2 * i + 1] = i32(s, at + 6 + 8L * i);
                    }
                    sackBlocks = n;
                }
                case KIND_TIMESTAMPS -> {
                    if (optLen != 10) {
                        return false;
                    }
                    timestamps = true;
                    tsVal = i32(s, at + 2);
                    tsEcr = i32(s, at + 6);
                }
                default -> {
                    // RFC 9293 §3.2: unknown options are skipped by their length.
                }
            }
            at += optLen;
        }
        return true;
    }

    // ---- writing: each returns the offset after what it wrote; callers pad to a multiple of 4 with NOPs.

    public static long writeMss(MemorySegment s, long at, int mss) {
        setU8(s, at, KIND_MSS);
        setU8(s, at + 1, 4);
        setU16(s, at + 2, mss);
        return at + 4;
    }

    /** NOP then Window Scale: four bytes, aligned as RFC 7323 appendix A suggests. */
    public static long writeWindowScale(MemorySegment s, long at, int shift) {
        setU8(s, at, KIND_NOP);
        setU8(s, at + 1, KIND_WINDOW_SCALE);
        setU8(s, at + 2, 3);
        setU8(s, at + 3, shift);
        return at + 4;
    }

    /** NOP NOP SACK-Permitted: four bytes. */
    public static long writeSackPermitted(MemorySegment s, long at) {
        setU8(s, at, KIND_NOP);
        setU8(s, at + 1, KIND_NOP);
        setU8(s, at + 2, KIND_SACK_PERMITTED);
        setU8(s, at + 3, 2);
        return at + 4;
    }

    /** NOP NOP Timestamps: twelve bytes (RFC 7323 appendix A layout). */
    public static long writeTimestamps(MemorySegment s, long at, int tsVal, int tsEcr) {
        setU8(s, at, KIND_NOP);
        setU8(s, at + 1, KIND_NOP);
        setU8(s, at + 2, KIND_TIMESTAMPS);
        setU8(s, at + 3, 10);
        setI32(s, at + 4, tsVal);
        setI32(s, at + 8, tsEcr);
        return at + 12;
    }

    /** NOP NOP SACK with {@code n} blocks from {@code edges} (left, right pairs): 4 + 8n bytes. */
    public static long writeSack(MemorySegment s, long at, int[] edges, int n) {
        setU8(s, at, KIND_NOP);
        setU8(s, at + 1, KIND_NOP);
        setU8(s, at + 2, KIND_SACK);
        setU8(s, at + 3, 2 + 8 * n);
        for (int i = 0; i < n; i++) {
            setI32(s, at + 4 + 8L * i, edges[2 * i]);
            setI32(s, at + 8 + 8L * i, edges[2 * i + 1]);
        }
        return at + 4 + 8L * n;
    }
}
