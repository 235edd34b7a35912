package io.pktstack.board.internal;

import io.pktstack.api.options.DriverSpec;
import java.util.List;
import java.util.Map;

/**
 * A feature file read and checked, in the terms pktstack applies it.
 *
 * @param file the file, for messages
 * @param id the feature's id
 * @param description the feature's description, or empty
 * @param bundles the bundles, in order
 * @param drivers driver instances, in the file's order
 * @param configurations other configurations, by PID ({@code factory~name} for factory ones)
 * @param commands the {@code pktstack-commands} lines
 */
record BoardPlan(String file, String id, String description, List<BundleId> bundles, List<DriverEntry> drivers,
        Map<String, Map<String, Object>> configurations, List<String> commands) {

    /** How errors name this profile: its id and its file. */
    String where() {
        return "feature " + id + " (" + file + ")";
    }

    /** A bundle by Maven coordinates. */
    record BundleId(String groupId, String artifactId, String version) {
        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    /**
     * A driver instance: configuration {@code io.pktstack.driver~NAME}.
     *
     * @param pid the configuration's PID, which names the entry in errors
     * @param spec the driver and its suboptions, as {@code -d} would give them
     */
    record DriverEntry(String pid, DriverSpec spec) {
    }
}
