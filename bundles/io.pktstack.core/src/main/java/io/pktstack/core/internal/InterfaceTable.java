package io.pktstack.core.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interface names and numbers. Names are BSD style, prefix plus unit
 * ({@code vp0}); the unit is the lowest free one for the prefix unless the
 * driver forces one ({@code unit=}/{@code lan=}), and a forced unit already in
 * use is refused. Not thread-safe: the stack calls it under its own lock.
 */
final class InterfaceTable {

    private final Map<String, NetInterface> byName = new HashMap<>();
    private final List<NetInterface> ordered = new ArrayList<>();
    private final Map<String, BitSet> units = new HashMap<>();
    /** Interface numbers in use (0 is never one). */
    private final BitSet indexes = new BitSet();

    /** Reserves a name; returns it. @throws IllegalArgumentException if {@code forcedUnit} is taken */
    String reserveName(String prefix, int forcedUnit) {
        BitSet used = units.computeIfAbsent(prefix, p -> new BitSet());
        int unit;
        if (forcedUnit >= 0) {
            if (used.get(forcedUnit)) {
                throw new IllegalArgumentException("interface " + prefix + forcedUnit + " already exists");
            }
            unit = forcedUnit;
        } else {
            unit = used.nextClearBit(0);
        }
        used.set(unit);
        return prefix + unit;
    }

    void releaseName(String name) {
        int i = name.length();
        while (i > 0 && Character.isDigit(name.charAt(i - 1))) {
            i--;
        }
        BitSet used = units.get(name.substring(0, i));
        if (used != null && i < name.length()) {
            used.clear(Integer.parseInt(name.substring(i)));
        }
    }

    /**
     * Reserves the lowest free interface number, as FreeBSD's ifindex_alloc
     * does; {@link #remove} frees it. Reused rather than counted up for ever:
     * each thread's {@link PathContext} keeps an output batch per number it
     * sent to, so numbers that only grow (a driver reinstalled, a guest's link
     * made again) would leave a batch per thread per interface ever made.
     */
    int nextIndex() {
        int i = indexes.nextClearBit(1);
        indexes.set(i);
        return i;
    }

    void add(NetInterface nif) {
        byName.put(nif.name, nif);
        ordered.add(nif);
    }

    void remove(NetInterface nif) {
        byName.remove(nif.name);
        ordered.remove(nif);
        releaseName(nif.name);
        indexes.clear(nif.index);
    }

    NetInterface get(String name) {
        return byName.get(name);
    }

    /** @throws IllegalArgumentException naming the interface when there is none */
    NetInterface require(String name) {
        NetInterface nif = byName.get(name);
        if (nif == null) {
            throw new IllegalArgumentException("no such interface '" + name + "'");
        }
        return nif;
    }

    List<NetInterface> all() {
        return List.copyOf(ordered);
    }
}
