package io.pktstack.core.internal;

/**
 * A bridge's learned address table: MAC -> member interface index, with the
 * time each address was last seen. Open addressing over primitive arrays so
 * that learning and lookup allocate nothing. Not thread-safe: {@link Bridge}
 * holds its lock around a whole batch.
 *
 * <p>Entries are removed only by {@link #expire} and {@link #removePort}, which
 * rebuild the arrays (control path), so linear probing needs no tombstones.
 */
final class MacTable {

    static final int NONE = -1;
    private static final long EMPTY = -1L; // not a valid 48-bit MAC

    private final long[] keys;
    private final int[] ports;
    private final long[] seen;
    private final int mask;
    private int size;
    private int maxAddresses;
    private long timeoutNanos;

    MacTable(int maxAddresses, long timeoutNanos) {
        int cap = Integer.highestOneBit(Math.max(16, maxAddresses * 2 - 1)) << 1;
        // Capacity is fixed at twice the largest maxaddr allowed, so resizing never happens on the data path.
        cap = Math.max(cap, 2 * Integer.highestOneBit(Bridge.MAX_ADDRESSES_LIMIT) * 2);
        keys = new long[cap];
        ports = new int[cap];
        seen = new long[cap];
        mask = cap - 1;
        java.util.Arrays.fill(keys, EMPTY);
        this.maxAddresses = maxAddresses;
        this.timeoutNanos = timeoutNanos;
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
            return false;
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

    /** Forgets every address learned behind {@code port}. */
    void removePort(int port, long now) {
        rebuild(port, now);
    }

    private void rebuild(int removedPort, long now) {
        long[] k = keys.clone();
        int[] p = ports.clone();
        long[] s = seen.clone();
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

    void setMaxAddresses(int max) {
        this.maxAddresses = max;
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
