package io.pktstack.api.stack;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counters of one protocol, as {@code netstat -s} prints them.
 *
 * @param protocol {@code ip}, {@code icmp}, {@code ip6}, {@code icmp6}, {@code udp} or {@code arp}
 * @param counters what was counted (BSD's wording, e.g. "total packets received") and how often, in display order
 */
public record ProtocolStatistics(String protocol, Map<String, Long> counters) {

    public ProtocolStatistics {
        counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** One counter by its wording; 0 if there is none by that name. */
    public long get(String counter) {
        return counters.getOrDefault(counter, 0L);
    }
}
