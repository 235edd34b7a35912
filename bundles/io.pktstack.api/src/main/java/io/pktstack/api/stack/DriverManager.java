package io.pktstack.api.stack;

import io.pktstack.api.options.DriverSpec;
import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * io-pkt's {@code -d} and {@code mount}: starts driver instances by name from
 * suboptions, each as one factory configuration of the driver's DS component.
 */
@ProviderType
public interface DriverManager {

    /**
     * Validates every spec first, then starts them in order and waits until their
     * interfaces exist. On any error, nothing from this call is left started.
     *
     * @return the interfaces created, in order
     * @throws IllegalArgumentException for an unknown driver (listing the known
     *         ones) or a bad option (naming it)
     * @throws IllegalStateException if a driver did not come up in time
     */
    List<String> start(List<DriverSpec> specs, Duration timeout);

    /**
     * Checks specs as {@link #start} would, starting nothing and leaving the
     * framework as it found it: a driver that is only in the driver repository
     * is installed for the check (its own code checks its options) and
     * uninstalled again.
     *
     * @throws IllegalArgumentException for an unknown driver (listing the known
     *         ones) or a bad option (naming it), for the first bad spec
     * @since 1.1
     */
    void check(List<DriverSpec> specs);

    /** Stops a running instance by its id, or by the name of one of its interfaces. */
    void stop(String instanceOrInterface);

    /** Drivers the stack knows by name (installed driver bundles). */
    List<DriverInfo> known();

    /**
     * Drivers in the driver repository whose bundles are not installed: naming
     * one to {@link #start} installs its bundle first.
     */
    List<DriverInfo> available();

    /** Running driver instances. */
    List<InstanceInfo> instances();

    /** A known driver. */
    record DriverInfo(String name, String bundle, String version, String summary) {
    }

    /** A running driver instance and the interfaces it made. */
    record InstanceInfo(String id, String driver, String options, List<String> interfaces) {
    }
}
