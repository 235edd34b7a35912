package io.pktstack.vdev.internal;

import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.SharedMemory;
import io.pktstack.vdev.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A front-end's memory as a back-end maps it from SET_MEM_TABLE
 * (vhost-user.rst "Memory region description", "VHOST_USER_SET_MEM_TABLE"):
 *
 * <pre>
 * u32 nregions; u32 padding;
 * nregions × { u64 guest_phys_addr; u64 memory_size; u64 userspace_addr; u64 mmap_offset; }
 * </pre>
 *
 * one descriptor per region, in order. Everything is checked before anything
 * is mapped: 1..8 regions, a payload of exactly {@code 8 + 32 × nregions}
 * bytes, exactly as many descriptors, no region empty, wrapping or overlapping
 * another, and each inside its file. A table that fails maps nothing and
 * closes every descriptor it came with.
 */
final class MemoryTable implements AutoCloseable {

    static final int REGION_SIZE = 32;
    static final int PREFIX = 8;

    private final GuestMemory memory;
    private final List<SharedMemory> mappings;

    private MemoryTable(GuestMemory memory, List<SharedMemory> mappings) {
        this.memory = memory;
        this.mappings = mappings;
    }

    GuestMemory memory() {
        return memory;
    }

    /** Maps the table in a received SET_MEM_TABLE; takes every descriptor of the message. */
    static MemoryTable map(VhostMessage m) throws ProtocolViolation {
        List<SharedMemory> mapped = new ArrayList<>();
        try {
            int size = m.size();
            if (size < PREFIX) {
                throw new ProtocolViolation("SET_MEM_TABLE of " + size + " bytes, shorter than its region count");
            }
            int n = m.u32(0);
            if (n < 1 || n > GuestMemory.MAX_REGIONS) {
                throw new ProtocolViolation("SET_MEM_TABLE with " + Integer.toUnsignedString(n)
                        + " regions (1.." + GuestMemory.MAX_REGIONS + ")");
            }
            if (size != PREFIX + REGION_SIZE * n) {
                throw new ProtocolViolation("SET_MEM_TABLE of " + size + " bytes for " + n + " regions (expected "
                        + (PREFIX + REGION_SIZE * n) + ")");
            }
            if (m.fdCount != n) {
                throw new ProtocolViolation("SET_MEM_TABLE with " + n + " regions came with " + m.fdCount
                        + " descriptors");
            }
            long[] gpa = new long[n];
            long[] len = new long[n];
            long[] uva = new long[n];
            long[] off = new long[n];
            for (int i = 0; i < n; i++) {
                int base = PREFIX + REGION_SIZE * i;
                gpa[i] = m.u64(base);
                len[i] = m.u64(base + 8);
                uva[i] = m.u64(base + 16);
                off[i] = m.u64(base + 24);
                if (len[i] <= 0 || off[i] < 0 || off[i] > Long.MAX_VALUE - len[i]) {
                    throw new ProtocolViolation("SET_MEM_TABLE region " + i + ": " + Long.toUnsignedString(len[i])
                            + " bytes at file offset " + Long.toUnsignedString(off[i]));
                }
            }
            // Shape first (wrap, overlap), on stand-in segments, before any mmap.
            try {
                GuestMemory.checkLayout(gpa, uva, len);
            } catch (IllegalArgumentException e) {
                throw new ProtocolViolation("SET_MEM_TABLE: " + e.getMessage());
            }
            List<GuestMemory.Region> regions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SharedMemory sm;
                try {
                    sm = SharedMemory.map(m.takeFd(i), off[i], len[i]);
                } catch (HostIoException e) {
                    throw new ProtocolViolation("SET_MEM_TABLE region " + i + ": " + e.getMessage());
                }
                mapped.add(sm);
                regions.add(new GuestMemory.Region(gpa[i], uva[i], sm.segment()));
            }
            return new MemoryTable(new GuestMemory(regions), mapped);
        } catch (ProtocolViolation | RuntimeException e) {
            mapped.forEach(SharedMemory::close);
            m.closeUntakenFds();
            throw e;
        }
    }

    /**
     * Writes a SET_MEM_TABLE payload for one region (a front-end's memfd):
     * guest address {@code guestAddress}, user address = where it is mapped here.
     */
    static void write(VhostMessage m, SharedMemory region, long guestAddress) {
        count(m, 1);
        region(m, guestAddress, region.segment(), region.fd());
    }

    /** The payload's region count: {@code n} {@link #region} entries follow. */
    static void count(VhostMessage m, int n) {
        m.putU32(n).putU32(0);
    }

    /**
     * One region of a SET_MEM_TABLE payload: {@code memory}, mapped here from
     * offset 0 of {@code fd}, at guest address {@code guestAddress}; the
     * descriptor is attached (and stays the caller's).
     */
    static void region(VhostMessage m, long guestAddress, MemorySegment memory, int fd) {
        m.putU64(guestAddress).putU64(memory.byteSize()).putU64(memory.address()).putU64(0);
        m.attach(fd);
    }

    @Override
    public void close() {
        mappings.forEach(SharedMemory::close);
    }
}
