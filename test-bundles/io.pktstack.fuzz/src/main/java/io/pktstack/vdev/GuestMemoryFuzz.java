package io.pktstack.vdev;

import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target {@code guest-memory}: memory tables as a front-end sends them
 * (up to eight regions, any guest and user addresses and sizes: overlapping,
 * wrapping, adjacent) and translations through them of any range. A layout
 * is accepted only if no region is empty, wraps or overlaps another; a
 * translated range is cut into pieces that each lie inside one region's
 * memory, follow each other in guest space and add up to the range; a
 * range outside every region is refused; a user range is a slice of one
 * region or nothing.
 */
public final class GuestMemoryFuzz {

    private static final MemorySegment BACKING = Arena.global().allocate(1 << 16, 4096);
    private static final DescriptorChain CHAIN = new DescriptorChain(64);

    private GuestMemoryFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        int n = in.intIn(0, GuestMemory.MAX_REGIONS + 1);
        long[] gpa = new long[n];
        long[] uva = new long[n];
        long[] size = new long[n];
        for (int i = 0; i < n; i++) {
            size[i] = switch (in.u8() & 3) {
                case 0 -> in.u64();
                case 1 -> 0;
                default -> in.intIn(1, 8192);
            };
            gpa[i] = (in.u8() & 3) == 0 ? in.u64() : (i > 0 && in.bool() ? gpa[i - 1] + size[i - 1] : 0x1000L * in.u16());
            uva[i] = (in.u8() & 3) == 0 ? in.u64() : 0x7f00_0000_0000L + 0x10000L * i;
        }
        try {
            GuestMemory.checkLayout(gpa, uva, size);
        } catch (IllegalArgumentException e) {
            return; // refused before anything is mapped
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (Long.compareUnsigned(gpa[i], gpa[j] + size[j]) < 0 && Long.compareUnsigned(gpa[j], gpa[i] + size[i]) < 0) {
                    throw new AssertionError("accepted overlapping regions " + j + " and " + i);
                }
            }
        }
        // Map what fits: each region a slice of the backing (sizes the fuzzer chose beyond it are cut).
        List<GuestMemory.Region> regions = new ArrayList<>();
        long used = 0;
        for (int i = 0; i < n; i++) {
            long s = Math.min(size[i], 4096);
            if (used + s > BACKING.byteSize()) {
                break;
            }
            regions.add(new GuestMemory.Region(gpa[i], uva[i], BACKING.asSlice(used, s)));
            used += s;
        }
        if (regions.isEmpty()) {
            return;
        }
        GuestMemory mem;
        try {
            mem = new GuestMemory(regions);
        } catch (IllegalArgumentException e) {
            return; // cut sizes can make regions that are now fine refuse only by overlap: never the case, but fine
        }
        int tries = 0;
        while (in.hasMore() && tries++ < 16) {
            long addr = in.bool() ? regions.get(in.intIn(0, regions.size() - 1)).guestAddress() + (short) in.u16()
                    : in.u64();
            long len = in.bool() ? in.intIn(0, 9000) : in.u32() & 0xffff_ffffL;
            translate(mem, regions, addr, len);
            long user = in.bool() ? regions.get(in.intIn(0, regions.size() - 1)).userAddress() + (short) in.u16() : in.u64();
            long ulen = in.intIn(0, 5000);
            MemorySegment slice = mem.userRange(user, ulen);
            if (slice != null) {
                boolean inside = false;
                for (GuestMemory.Region r : regions) {
                    long off = user - r.userAddress();
                    inside |= Long.compareUnsigned(off, r.segment().byteSize()) < 0 && ulen <= r.segment().byteSize() - off;
                }
                if (!inside || slice.byteSize() != ulen) {
                    throw new AssertionError("user range [" + Long.toHexString(user) + ", +" + ulen + ") given though in no region");
                }
            }
        }
    }

    private static void translate(GuestMemory mem, List<GuestMemory.Region> regions, long addr, long len) {
        CHAIN.clear();
        try {
            mem.translate(addr, len, CHAIN);
        } catch (RingViolation e) {
            return;
        }
        long total = 0;
        long next = addr;
        for (int i = 0; i < CHAIN.count(); i++) {
            MemorySegment s = CHAIN.segment(i);
            long off = CHAIN.offset(i);
            int l = CHAIN.length(i);
            if (off < 0 || l < 0 || off + l > s.byteSize()) {
                throw new AssertionError("piece " + i + " [" + off + ", +" + l + ") outside its region of " + s.byteSize());
            }
            if (CHAIN.address(i) != next) {
                throw new AssertionError("piece " + i + " at 0x" + Long.toHexString(CHAIN.address(i)) + ", expected 0x"
                        + Long.toHexString(next));
            }
            s.asSlice(off, l); // the piece is really there
            next += l;
            total += l;
        }
        if (total != len) {
            throw new AssertionError("translated " + total + " of " + len + " bytes at 0x" + Long.toHexString(addr));
        }
    }
}
