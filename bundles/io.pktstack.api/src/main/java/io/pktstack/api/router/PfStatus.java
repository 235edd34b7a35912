package io.pktstack.api.router;

import java.util.Map;

/**
 * pf's status: whether it is enabled, its state table's use and limit, its
 * counters (each packet it dropped, by reason) and its timeouts in seconds.
 */
public record PfStatus(boolean enabled, int states, int stateLimit, Map<String, Long> counters,
        Map<String, Long> timeouts) {

    public PfStatus {
        counters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(counters)); // display order
        timeouts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(timeouts));
    }
}
