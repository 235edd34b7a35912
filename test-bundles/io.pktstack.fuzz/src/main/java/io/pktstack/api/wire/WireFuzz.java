package io.pktstack.api.wire;

import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.MemorySegment;

/**
 * What every wire target checks of a view over untrusted bytes: a checked
 * wrap accepts only a range inside the segment (offsets and lengths from the
 * fuzzer, not only the honest ones); an accepted view is then exercised on a
 * slice of exactly the accepted range, so any accessor that reads before or
 * after it throws and is a finding; and accessors read twice must agree.
 */
final class WireFuzz {

    /**
     * The bytes and the range a wrap is asked to view.
     *
     * @param seg exactly the fuzzer's bytes (a slice, at an offset the fuzzer chose in a larger array)
     * @param off the range's start, usually 0
     * @param len the range's length, usually all of {@code seg}
     */
    record Input(MemorySegment seg, long off, int len) {
        boolean honest() {
            return off == 0 && len == seg.byteSize();
        }
    }

    private WireFuzz() {
    }

    static Input take(FuzzInput in) {
        int mode = in.u8();
        long off = 0;
        int len = -1;
        if ((mode & 0xf0) == 0xf0) { // one input in 16: a range that may lie partly or wholly outside
            off = (short) in.u16();
            len = (short) in.u16();
        }
        int pad = mode & 7;
        byte[] b = in.rest();
        byte[] buf = new byte[b.length + pad];
        System.arraycopy(b, 0, buf, pad, b.length);
        MemorySegment seg = MemorySegment.ofArray(buf).asSlice(pad, b.length);
        return new Input(seg, off, len < 0 && (mode & 0xf0) != 0xf0 ? b.length : len);
    }

    /** After an accepted wrap: the range must lie inside; returns exactly it. */
    static MemorySegment accepted(Input in, int minimum, String view) {
        boolean inside = in.off() >= 0 && in.len() >= minimum && in.off() <= in.seg().byteSize() - in.len();
        if (!inside) {
            throw new AssertionError(view + " accepted [" + in.off() + ", +" + in.len() + ") of " + in.seg().byteSize()
                    + " bytes");
        }
        return in.seg().asSlice(in.off(), in.len());
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void same(long a, long b, String field) {
        if (a != b) {
            throw new AssertionError(field + " read twice gave " + a + " and " + b);
        }
    }

    /** Keeps reads alive without a field the JIT could drop. */
    static void use(long sum) {
        if (sum == 0x5eed_5eed_5eedL) {
            Thread.onSpinWait();
        }
    }
}
