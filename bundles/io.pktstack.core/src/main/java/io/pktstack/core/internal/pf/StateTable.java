package io.pktstack.core.internal.pf;

/**
 * pf's state table: one entry per translated flow, in primitive arrays made
 * once for the limit ({@code set limit states}), found by two hash indexes
 * (linear probing, backward-shift deletion): by the inside key
 * (protocol, inside address and port, peer address and port) for packets
 * leaving, by the outside key (protocol, translated address and port, peer)
 * for packets coming back. Looking up, inserting and removing allocate
 * nothing. Not thread-safe: the caller holds a lock.
 *
 * <p>"Ports" are the ICMP echo identifier for ICMP, with 0 as the peer's.
 */
public final class StateTable {

    public static final int NAT = 0;
    public static final int RDR = 1;

    final int capacity;
    final byte[] proto;
    final byte[] kind;
    final int[] inAddr;
    final int[] inPort;
    final int[] outAddr;
    final int[] outPort;
    final int[] peerAddr;
    final int[] peerPort;
    /** The side that opened the flow (TCP: its state; UDP: NO_TRAFFIC, SINGLE, MULTIPLE) and the other side. */
    final byte[] srcState;
    final byte[] dstState;
    final long[] created;
    final long[] expires;
    final long[] packets;
    final long[] bytes;
    final String[] ifName;
    private final boolean[] used;
    private final int[] byInside;
    private final int[] byOutside;
    private final int mask;
    private final int[] free;
    private int freeTop;
    private int count;

    public StateTable(int capacity) {
        this.capacity = capacity;
        proto = new byte[capacity];
        kind = new byte[capacity];
        inAddr = new int[capacity];
        inPort = new int[capacity];
        outAddr = new int[capacity];
        outPort = new int[capacity];
        peerAddr = new int[capacity];
        peerPort = new int[capacity];
        srcState = new byte[capacity];
        dstState = new byte[capacity];
        created = new long[capacity];
        expires = new long[capacity];
        packets = new long[capacity];
        bytes = new long[capacity];
        ifName = new String[capacity];
        used = new boolean[capacity];
        int slots = Integer.highestOneBit(Math.max(4, capacity * 2)) << 1; // at most half full: short probes
        byInside = new int[slots];
        byOutside = new int[slots];
        mask = slots - 1;
        free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        freeTop = capacity;
    }

    public int count() {
        return count;
    }

    public int capacity() {
        return capacity;
    }

    public boolean used(int s) {
        return used[s];
    }

    static int hash(int proto, int a, int ap, int b, int bp) {
        long h = (a & 0xFFFF_FFFFL) * 0x9E37_79B9_7F4A_7C15L;
        h ^= (b & 0xFFFF_FFFFL) * 0xC2B2_AE3D_27D4_EB4FL;
        h ^= (((long) ap << 16) | bp | ((long) proto << 32)) * 0x1656_67B1_9E37_79F9L;
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    private int insideHash(int s) {
        return hash(proto[s], inAddr[s], inPort[s], peerAddr[s], peerPort[s]);
    }

    private int outsideHash(int s) {
        return hash(proto[s], outAddr[s], outPort[s], peerAddr[s], peerPort[s]);
    }

    /** The state of a flow seen from inside, or -1. */
    public int findInside(int p, int in, int inP, int peer, int peerP) {
        int i = hash(p, in, inP, peer, peerP) & mask;
        while (true) {
            int v = byInside[i];
            if (v == 0) {
                return -1;
            }
            int s = v - 1;
            if (proto[s] == (byte) p && inAddr[s] == in && inPort[s] == inP && peerAddr[s] == peer && peerPort[s] == peerP) {
                return s;
            }
            i = (i + 1) & mask;
        }
    }

    /** The state of a flow seen from outside (translated address and port), or -1. */
    public int findOutside(int p, int out, int outP, int peer, int peerP) {
        int i = hash(p, out, outP, peer, peerP) & mask;
        while (true) {
            int v = byOutside[i];
            if (v == 0) {
                return -1;
            }
            int s = v - 1;
            if (proto[s] == (byte) p && outAddr[s] == out && outPort[s] == outP && peerAddr[s] == peer
                    && peerPort[s] == peerP) {
                return s;
            }
            i = (i + 1) & mask;
        }
    }

    /** A new state, or -1 when the table is full. The caller has checked neither key is in use. */
    public int insert(int k, String rulesIf, int p, int in, int inP, int out, int outP, int peer, int peerP, long now) {
        if (freeTop == 0) {
            return -1;
        }
        int s = free[--freeTop];
        used[s] = true;
        kind[s] = (byte) k;
        ifName[s] = rulesIf;
        proto[s] = (byte) p;
        inAddr[s] = in;
        inPort[s] = inP;
        outAddr[s] = out;
        outPort[s] = outP;
        peerAddr[s] = peer;
        peerPort[s] = peerP;
        srcState[s] = 0;
        dstState[s] = 0;
        created[s] = now;
        expires[s] = now;
        packets[s] = 0;
        bytes[s] = 0;
        put(byInside, insideHash(s), s);
        put(byOutside, outsideHash(s), s);
        count++;
        return s;
    }

    private void put(int[] table, int h, int s) {
        int i = h & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = s + 1;
    }

    public void remove(int s) {
        if (!used[s]) {
            return;
        }
        delete(byInside, insideHash(s), s, true);
        delete(byOutside, outsideHash(s), s, false);
        used[s] = false;
        ifName[s] = null;
        free[freeTop++] = s;
        count--;
    }

    /** Removes {@code s} from a linear-probing table and shifts back the entries its slot kept from their home. */
    private void delete(int[] table, int h, int s, boolean inside) {
        int i = h & mask;
        while (table[i] != s + 1) {
            i = (i + 1) & mask;
        }
        table[i] = 0;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            int v = table[j];
            if (v == 0) {
                return;
            }
            int home = (inside ? insideHash(v - 1) : outsideHash(v - 1)) & mask;
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                table[i] = v;
                table[j] = 0;
                i = j;
            }
        }
    }

    /** Removes every state whose expiry has passed at {@code now}; returns how many. */
    public int expire(long now) {
        int n = 0;
        for (int s = 0; s < capacity; s++) {
            if (used[s] && now - expires[s] >= 0) {
                remove(s);
                n++;
            }
        }
        return n;
    }

    public int clear() {
        int n = count;
        for (int s = 0; s < capacity; s++) {
            remove(s);
        }
        return n;
    }
}
