package io.pktstack.core.internal;

/**
 * A bridge's learned address table: MAC -> member interface index, with the
 * time each address was last seen. Open addressing over primitive arrays so
 * that learning and lookup allocate nothing. Not thread-safe: {@link Bridge}
 * holds its lock around a whole batch.
 *
 * <p>Entries are removed only by {@link #expire} and {@link #removePort}, which
 * rebuild the arrays, so linear probing needs no tombstones.
 *
 * <p>Bounded by {@code maxaddr} (brconfig's, {@code net.link.bridge.maxaddr}):
 * the arrays hold twice that, resized only when the bound changes (control
 * path). A table full of addresses not seen for the timeout is swept before
 * a new one is refused, at most once a second, so stations that left do not
 * keep new ones out for ever; an address refused because the table is full
 * of live ones is counted ({@link #overflows}) and its frames are flooded.
 */
final class MacTable {

    static final int NONE = -1;
    private static final long EMPTY = -1L; // not a valid 48-bit MAC
    /** Least time between two sweeps of a full table: a peer sending from new MACs cannot make us rebuild per frame. */
    static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private long[] keys;
    private int[] ports;
    private long[] seen;
    /** The same again, for rebuilding without allocating (a sweep may run on the data path). */
    private long[] spareKeys;
    private int[] sparePorts;
    private long[] spareSeen;
    private int mask;
    private int size;
    private int maxAddresses;
    private long timeoutNanos;
    private boolean swept;
    private long lastSweep;
    /** Addresses not learned because the table was full of live ones. */
    private long overflows;

    MacTable(int maxAddresses, long timeoutNanos) {
        this.maxAddresses = maxAddresses;
        this.timeoutNanos = timeoutNanos;
        allocate(maxAddresses);
    }

    /** Arrays for {@code max} addresses at a load of at most one half. */
    private void allocate(int max) {
        int cap = Math.max(16, Integer.highestOneBit(Math.max(1, max) * 2 - 1) << 1);
        keys = new long[cap];
        ports = new int[cap];
        seen = new long[cap];
        spareKeys = new long[cap];
        sparePorts = new int[cap];
        spareSeen = new long[cap];
        mask = cap - 1;
        java.util.Arrays.fill(keys, EMPTY);
        size = 0;
    }

    private int slot(long mac) {
        long h = mac * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Records that {@code mac} was seen behind {@code port}. Returns false when the table is full. */
    boolean learn(long mac, int port, long now) {
        int i = slot(mac);
        while (keys[i] != EMPTY) {
            if (keys[i] == mac) {
                ports[i] = port;
                seen[i] = now;
                return true;
            }
            i = (i + 1) & mask;
        }
        if (size >= maxAddresses) {
            boolean maySweep = !swept || now - lastSweep >= SWEEP_INTERVAL_NANOS;
            if (!maySweep || !sweptRoom(now)) {
                overflows++;
                return false;
            }
            i = slot(mac);
            while (keys[i] != EMPTY) {
                i = (i + 1) & mask;
            }
        }
        keys[i] = mac;
        ports[i] = port;
        seen[i] = now;
        size++;
        return true;
    }

    /** The port behind {@code mac}, or {@link #NONE} if unknown or aged out. */
    int lookup(long mac, long now) {
        int i = slot(mac);
        while (keys[i] != EMPTY) {
            if (keys[i] == mac) {
                return now - seen[i] > timeoutNanos ? NONE : ports[i];
            }
            i = (i + 1) & mask;
        }
        return NONE;
    }

    /** Drops entries older than the timeout. */
    void expire(long now) {
        rebuild(NONE, now);
    }

    /** Sweeps stale entries out of a full table; whether there is room now. */
    private boolean sweptRoom(long now) {
        swept = true;
        lastSweep = now;
        expire(now);
        return size < maxAddresses;
    }

    /** Forgets every address learned behind {@code port}. */
    void removePort(int port, long now) {
        rebuild(port, now);
    }

    /** Inserts again what stays, from the spare arrays: nothing is allocated. */
    private void rebuild(int removedPort, long now) {
        long[] k = keys;
        int[] p = ports;
        long[] s = seen;
        keys = spareKeys;
        ports = sparePorts;
        seen = spareSeen;
        spareKeys = k;
        sparePorts = p;
        spareSeen = s;
        java.util.Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != EMPTY && p[i] != removedPort && now - s[i] <= timeoutNanos) {
                learn(k[i], p[i], s[i]);
            }
        }
    }

    int size() {
        return size;
    }

    /**
     * Changes the bound (control path). The arrays are made again for it, the
     * live entries kept as far as the new bound allows.
     */
    void setMaxAddresses(int max) {
        long[] k = keys;
        int[] p = ports;
        long[] s = seen;
        this.maxAddresses = max;
        allocate(max);
        for (int i = 0; i < k.length && size < max; i++) {
            if (k[i] != EMPTY) {
                learn(k[i], p[i], s[i]);
            }
        }
    }

    int maxAddresses() {
        return maxAddresses;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** Addresses refused because the table was full of live entries (their frames were flooded). */
    long overflows() {
        return overflows;
    }

    void setTimeoutNanos(long t) {
        this.timeoutNanos = t;
    }

    /** Visits live entries (control path). */
    void forEach(long now, EntryVisitor v) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY && now - seen[i] <= timeoutNanos) {
                v.entry(keys[i], ports[i], now - seen[i]);
            }
        }
    }

    interface EntryVisitor {
        void entry(long mac, int port, long ageNanos);
    }
}
