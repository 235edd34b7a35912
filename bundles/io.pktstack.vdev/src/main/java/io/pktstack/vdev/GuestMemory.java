package io.pktstack.vdev;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A guest's memory as the device side sees it: up to {@value #MAX_REGIONS}
 * regions, each a range of guest-physical addresses (what descriptors carry,
 * VIRTIO 1.2 §2.7.5) and of the front-end's user addresses (what ring
 * addresses carry, vhost-user.rst "SET_VRING_ADDR"), mapped here as one
 * segment (vhost-user.rst "SET_MEM_TABLE").
 *
 * <p>Every translation checks the whole range, without overflow, against the
 * regions: an address a guest wrote can only ever reach that guest's own
 * mapped memory. A range that crosses from one region into an adjacent one is
 * split, as it is contiguous in guest-physical space. Translation allocates
 * nothing. Immutable once built.
 */
public final class GuestMemory {

    /** Regions a memory table may hold (vhost-user.rst: VHOST_MEMORY_BASELINE_NREGIONS). */
    public static final int MAX_REGIONS = 8;

    /**
     * One region.
     *
     * @param guestAddress first guest-physical address
     * @param userAddress the front-end's user address of the same byte
     * @param segment the mapped bytes; the region's size is its size
     */
    public record Region(long guestAddress, long userAddress, MemorySegment segment) {
    }

    private final int count;
    private final long[] gpa;
    private final long[] uva;
    private final long[] size;
    private final MemorySegment[] seg;
    private int last; // region of the last hit: consecutive descriptors usually share one

    /**
     * @throws IllegalArgumentException if there are no regions or more than
     *         {@value #MAX_REGIONS}, a region is empty or wraps around 2^64, or two
     *         regions overlap in guest-physical or user address space
     */
    public GuestMemory(List<Region> regions) {
        count = regions.size();
        gpa = new long[count];
        uva = new long[count];
        size = new long[count];
        seg = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            Region r = regions.get(i);
            gpa[i] = r.guestAddress();
            uva[i] = r.userAddress();
            size[i] = r.segment().byteSize();
            seg[i] = r.segment();
        }
        checkLayout(gpa, uva, size);
    }

    /**
     * Checks regions given as parallel arrays, before anything is mapped.
     *
     * @throws IllegalArgumentException if there are no regions or more than
     *         {@value #MAX_REGIONS}, a region is empty or wraps around 2^64, or two
     *         regions overlap in guest-physical or user address space
     */
    public static void checkLayout(long[] guestAddresses, long[] userAddresses, long[] sizes) {
        int n = sizes.length;
        if (n == 0 || n > MAX_REGIONS) {
            throw new IllegalArgumentException(n + " memory regions; 1.." + MAX_REGIONS + " allowed");
        }
        for (int i = 0; i < n; i++) {
            long len = sizes[i];
            if (len <= 0 || Long.compareUnsigned(guestAddresses[i], -1L - len) > 0
                    || Long.compareUnsigned(userAddresses[i], -1L - len) > 0) {
                throw new IllegalArgumentException("region " + i + ": " + Long.toUnsignedString(len)
                        + " bytes at guest address 0x" + Long.toHexString(guestAddresses[i]) + ", user address 0x"
                        + Long.toHexString(userAddresses[i]) + " is empty or wraps around");
            }
            for (int j = 0; j < i; j++) {
                if (overlap(guestAddresses[i], len, guestAddresses[j], sizes[j])
                        || overlap(userAddresses[i], len, userAddresses[j], sizes[j])) {
                    throw new IllegalArgumentException("regions " + j + " and " + i + " overlap");
                }
            }
        }
    }

    /** One region: guest address {@code guestAddress} is byte 0 of {@code segment} (user addresses alike). */
    public static GuestMemory of(MemorySegment segment, long guestAddress) {
        return new GuestMemory(List.of(new Region(guestAddress, guestAddress, segment)));
    }

    private static boolean overlap(long a, long alen, long b, long blen) {
        // [a, a+alen) and [b, b+blen) as unsigned, neither wrapping (checked before).
        return Long.compareUnsigned(a, b + blen) < 0 && Long.compareUnsigned(b, a + alen) < 0;
    }

    /** Number of regions. */
    public int regions() {
        return count;
    }

    /** Region {@code i} as it was given. */
    public Region region(int i) {
        return new Region(gpa[i], uva[i], seg[i]);
    }

    /** Total bytes mapped. */
    public long totalSize() {
        long t = 0;
        for (long s : size) {
            t += s;
        }
        return t;
    }

    private int findGuest(long a) {
        if (Long.compareUnsigned(a - gpa[last], size[last]) < 0) {
            return last;
        }
        for (int i = 0; i < count; i++) {
            if (Long.compareUnsigned(a - gpa[i], size[i]) < 0) {
                last = i;
                return i;
            }
        }
        return -1;
    }

    /**
     * Translates the guest-physical range {@code [address, address + length)} into
     * segments appended to {@code chain}, split where it crosses from one region
     * into the next.
     *
     * @throws RingViolation if any byte of the range is outside every region, or
     *         the chain has no room for another segment
     */
    void translate(long address, long length, DescriptorChain chain) throws RingViolation {
        if (length == 0) { // touches no memory, but must still point into (or just past) a region
            for (int i = 0; i < count; i++) {
                if (Long.compareUnsigned(address - gpa[i], size[i]) <= 0) {
                    chain.append(seg[i], address - gpa[i], 0, address);
                    return;
                }
            }
            throw new RingViolation("buffer [0x" + Long.toHexString(address) + ", +0) is not inside guest memory");
        }
        long a = address;
        long left = length;
        do {
            int r = findGuest(a);
            if (r < 0) {
                throw new RingViolation("buffer [0x" + Long.toHexString(address) + ", +" + length
                        + ") is not inside guest memory (byte 0x" + Long.toHexString(a) + " is in no region)");
            }
            long off = a - gpa[r];
            long n = Math.min(left, size[r] - off);
            chain.append(seg[r], off, (int) n, a);
            a += n;
            left -= n;
        } while (left > 0);
    }

    /**
     * The part of the front-end's user address space {@code [userAddress, +length)}
     * as a slice of one region, for a ring (vhost-user.rst "SET_VRING_ADDR": ring
     * addresses are the front-end's user addresses). A ring must lie inside one
     * region.
     *
     * @return the slice, or null if no single region holds the whole range
     */
    public MemorySegment userRange(long userAddress, long length) {
        for (int i = 0; i < count; i++) {
            long off = userAddress - uva[i];
            if (Long.compareUnsigned(off, size[i]) < 0 && length <= size[i] - off) {
                return seg[i].asSlice(off, length);
            }
        }
        return null;
    }
}
