package io.pktstack.api.board;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Applies board profiles (OSGi feature files, JSON) to the running stack.
 *
 * <p>A profile lists bundles (by Maven id, {@code group:artifact:version}),
 * configurations and, in the {@code pktstack-commands} text extension, the
 * shell commands a board's startup script would run. A driver instance is a
 * factory configuration {@code io.pktstack.driver~NAME} with the properties
 * {@code driver} (the {@code -d} name) and {@code options} (io-pkt suboptions,
 * a string or an array of strings joined by commas).
 */
@ProviderType
public interface BoardProfiles {

    /**
     * Reads and checks a profile without changing anything: the JSON, every
     * entry's form, and that every bundle can be found.
     *
     * @throws IllegalArgumentException naming the file and the bad entry
     */
    Summary check(Path featureFile);

    /**
     * Applies a profile: installs and starts its missing bundles, starts its
     * driver instances, applies its other configurations and runs its
     * commands. On any error everything this call did is undone (instances
     * stopped, new interfaces destroyed, configurations restored, bundles it
     * installed uninstalled) and the error names the entry.
     *
     * @throws IllegalArgumentException for a bad entry (unknown driver, bad
     *         option, colliding MAC, missing bundle, failing command)
     * @throws IllegalStateException if a driver did not come up in time
     */
    Applied apply(Path featureFile, Duration timeout);

    /**
     * What a profile holds.
     *
     * @param id the feature's id
     * @param description its description, or empty
     * @param bundles its bundle ids, in order
     * @param drivers its driver instances as {@code -d} would write them ({@code "vdevpeer-net peer=...,bind=..."})
     * @param configurations the PIDs of its other configurations
     * @param commands its startup commands
     */
    record Summary(String id, String description, List<String> bundles, List<String> drivers,
            List<String> configurations, List<String> commands) {
    }

    /**
     * What applying a profile did.
     *
     * @param id the feature's id
     * @param installed bundles this call installed (symbolic name and version)
     * @param interfaces interfaces its driver instances made
     * @param output what its commands printed
     */
    record Applied(String id, List<String> installed, List<String> interfaces, String output) {
    }
}
