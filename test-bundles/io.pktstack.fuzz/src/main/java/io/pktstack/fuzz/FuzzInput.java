package io.pktstack.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A fuzzer's bytes read as the choices a target makes: numbers, flags,
 * lengths, strings, picks from a list. Reading past the end gives zeros and
 * empty strings, so every input, however short, is a complete run; the same
 * bytes always make the same choices, so a reproducer replays exactly.
 */
public final class FuzzInput {

    private final byte[] data;
    private int pos;

    public FuzzInput(byte[] data) {
        this.data = data;
    }

    /** Bytes not read yet. */
    public int remaining() {
        return data.length - pos;
    }

    public boolean hasMore() {
        return pos < data.length;
    }

    public int u8() {
        return pos < data.length ? data[pos++] & 0xff : 0;
    }

    public int u16() {
        return (u8() << 8) | u8();
    }

    public int u32() {
        return (u16() << 16) | u16();
    }

    public long u64() {
        return ((long) u32() << 32) | (u32() & 0xffff_ffffL);
    }

    public boolean bool() {
        return (u8() & 1) != 0;
    }

    /** A number in {@code [min, max]}: small ranges from one byte, larger ones from more. */
    public int intIn(int min, int max) {
        long span = (long) max - min + 1;
        long v = span <= 256 ? u8() : span <= 65536 ? u16() : u32() & 0xffff_ffffL;
        return (int) (min + Math.floorMod(v, span));
    }

    /** Up to {@code max} bytes, their count read first. */
    public byte[] bytes(int max) {
        int n = Math.min(intIn(0, max), remaining());
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    /** Everything not read yet. */
    public byte[] rest() {
        byte[] b = Arrays.copyOfRange(data, Math.min(pos, data.length), data.length);
        pos = data.length;
        return b;
    }

    /** A string of up to {@code max} bytes as UTF-8 (malformed sequences become U+FFFD, as a decoder makes them). */
    public String utf8(int max) {
        return new String(bytes(max), StandardCharsets.UTF_8);
    }

    /** One of {@code options}. */
    @SafeVarargs
    public final <T> T pick(T... options) {
        return options[intIn(0, options.length - 1)];
    }

    /** One of {@code options}, unboxed. */
    public int pickInt(int... options) {
        return options[intIn(0, options.length - 1)];
    }

    public <T> T pick(List<T> options) {
        return options.get(intIn(0, options.size() - 1));
    }
}
