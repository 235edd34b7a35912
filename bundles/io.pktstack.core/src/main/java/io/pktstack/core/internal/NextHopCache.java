package io.pktstack.core.internal;

/**
 * One thread's memory of where it last forwarded each destination: the route
 * from the {@link ForwardingTable} and the next hop's {@link NeighborCache.Entry},
 * in a direct-mapped table. A hit costs a few compares and no allocation; it
 * is valid while the table is the current one (a route or address change
 * builds a new table) and the neighbour entry stays reachable, else the
 * caller looks up again and refills the slot.
 */
final class NextHopCache {

    static final int SIZE = 256;
    /** IPv4 keys carry this in {@code hi}: no IPv6 address a router forwards starts with it (it is ::/8's reserved space). */
    static final long V4_TAG = 0x00ff_0000_0000_0000L;

    final long[] hi = new long[SIZE];
    final long[] lo = new long[SIZE];
    final ForwardingTable[] table = new ForwardingTable[SIZE];
    final ForwardingTable.Entry[] route = new ForwardingTable.Entry[SIZE];
    final NeighborCache.Entry[] neighbor = new NeighborCache.Entry[SIZE];

    static int slotV4(int dst) {
        int h = dst * 0x9E37_79B9;
        return h >>> 24;
    }

    static int slotV6(long dhi, long dlo) {
        long h = (dhi ^ dlo) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h >>> 56);
    }

    /** The slot's route if it was filled for this destination from table {@code t}, else null. */
    ForwardingTable.Entry get(int slot, ForwardingTable t, long khi, long klo) {
        return table[slot] == t && hi[slot] == khi && lo[slot] == klo ? route[slot] : null;
    }

    void put(int slot, ForwardingTable t, long khi, long klo, ForwardingTable.Entry r) {
        table[slot] = t;
        hi[slot] = khi;
        lo[slot] = klo;
        route[slot] = r;
        neighbor[slot] = null;
    }
}
