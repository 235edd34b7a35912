package io.pktstack.vdev;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Helpers shared by the ring tests: regions, raw (hostile) ring writes, hex dumps. */
final class RingTestSupport {

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RingTestSupport() {
    }

    private static final ThreadLocal<Boolean> LAST_WRITABLE = ThreadLocal.withInitial(() -> false);

    /**
     * Reads a chain into plain arrays (guest addresses, which for a one-region
     * queue are offsets into the region, and lengths) with room for {@code max}
     * buffers; returns the count. {@link #lastWritable()} tells its direction.
     */
    static int readChain(DeviceQueue d, int head, long[] addrs, int[] lens, int max) throws RingViolation {
        DescriptorChain c = new DescriptorChain(max);
        d.readChain(head, c);
        for (int i = 0; i < c.count(); i++) {
            addrs[i] = c.address(i);
            lens[i] = c.length(i);
        }
        LAST_WRITABLE.set(c.writable());
        return c.count();
    }

    /** Whether the chain of this thread's last {@link #readChain} was device-writable. */
    static boolean lastWritable() {
        return LAST_WRITABLE.get();
    }

    /** An 8-aligned zeroed heap region of exactly {@code bytes} bytes: any access past it throws. */
    static MemorySegment region(long bytes) {
        MemorySegment s = MemorySegment.ofArray(new long[(int) ((bytes + 7) / 8)]);
        return s.asSlice(0, bytes);
    }

    /** Writes descriptor {@code i} the way a (possibly hostile) driver would. */
    static void writeDesc(MemorySegment r, VirtqueueLayout l, int i, long addr, int len, int flags, int next) {
        long d = l.descriptor(i);
        r.set(U64, d, addr);
        r.set(U32, d + 8, len);
        r.set(U16, d + 12, (short) flags);
        r.set(U16, d + 14, (short) next);
    }

    static void writeAvail(MemorySegment r, VirtqueueLayout l, int slot, int head) {
        r.set(U16, l.availEntry(slot), (short) head);
    }

    static void setAvailIdx(MemorySegment r, VirtqueueLayout l, int idx) {
        r.set(U16, l.availIdx(), (short) idx);
    }

    static int u16(MemorySegment r, long off) {
        return r.get(U16, off) & 0xffff;
    }

    /** Writes a used entry the way a (possibly hostile) device would. */
    static void writeUsed(MemorySegment r, VirtqueueLayout l, int slot, int id, int len) {
        long e = l.usedEntry(slot);
        r.set(U32, e, id);
        r.set(U32, e + 4, len);
    }

    static void setUsedIdx(MemorySegment r, VirtqueueLayout l, int idx) {
        r.set(U16, l.usedIdx(), (short) idx);
    }

    /** "oooo: xx xx ..." lines of 16 bytes, offsets relative to {@code off}. */
    static String hexDump(MemorySegment r, long off, long len) {
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < len; i++) {
            if (i % 16 == 0) {
                if (i > 0) {
                    sb.append('\n');
                }
                sb.append(String.format("%04x:", i));
            }
            sb.append(String.format(" %02x", r.get(ValueLayout.JAVA_BYTE, off + i) & 0xff));
        }
        return sb.append('\n').toString();
    }
}
