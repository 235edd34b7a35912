package io.pktstack.core.internal;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.InterfaceAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the operator set on a driver's interfaces, kept while the driver
 * instance that made them restarts: when its bundle is updated, stopped and
 * started, or uninstalled and installed again, its configuration stays and
 * its links go and come back, and they must come back as they were (same
 * name, addresses, bridge, up state, impairment), not bare. What stopping an
 * instance (umount) removed is forgotten. Bounded: drivers that churn
 * instances cannot grow it. Not thread-safe: the stack uses it under its lock.
 */
final class InterfaceMemory {

    /** Interfaces remembered at most; the oldest goes first. */
    static final int MAX_ENTRIES = 256;

    /**
     * One interface's settings.
     *
     * @param name its name, to be taken again
     * @param mac the MAC it had (its link-local address came from it)
     * @param addresses its addresses
     * @param bridge the bridge it was a member of, or null
     * @param up whether it was up
     * @param impairment its fault injection, or null
     */
    record Settings(String name, MacAddress mac, List<InterfaceAddress> addresses, String bridge, boolean up,
            Impairment impairment) {
        Settings {
            addresses = List.copyOf(addresses);
        }
    }

    private final Map<String, Settings> byKey = new LinkedHashMap<>();

    private static String key(String instance, String linkKey) {
        return instance + '\n' + (linkKey == null ? "" : linkKey);
    }

    void remember(String instance, String linkKey, Settings s) {
        byKey.put(key(instance, linkKey), s);
        Iterator<String> oldest = byKey.keySet().iterator();
        while (byKey.size() > MAX_ENTRIES) {
            oldest.next();
            oldest.remove();
        }
    }

    /** The settings kept for this interface of this instance, taken out; null if none. */
    Settings recall(String instance, String linkKey) {
        return byKey.remove(key(instance, linkKey));
    }

    /** Drops what was kept of an instance's interfaces, or of one of them (it was stopped, not restarted). */
    void forget(String instance, String linkKey) {
        if (linkKey != null) {
            byKey.remove(key(instance, linkKey));
        } else {
            byKey.keySet().removeIf(k -> k.startsWith(instance + '\n'));
        }
    }

    int size() {
        return byKey.size();
    }
}
