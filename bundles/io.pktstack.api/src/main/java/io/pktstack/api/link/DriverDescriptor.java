package io.pktstack.api.link;

import io.pktstack.api.options.SubOptions;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Registered by each driver bundle: tells the stack the driver's name and turns
 * an io-pkt suboption list into the properties of one driver instance's factory
 * configuration. Validation happens here, before anything starts, so a bad
 * {@code -d} line leaves nothing half started.
 */
@ConsumerType
public interface DriverDescriptor {

    /** Service property: the driver name (e.g. {@code vdevpeer-net}). */
    String NAME = "pktstack.driver.name";

    /** The name users give to {@code -d}. */
    String name();

    /** The factory PID of the driver's DS component. */
    String factoryPid();

    /** One line for {@code drivers} and for "unknown driver" messages. */
    String summary();

    /**
     * Validates the suboptions and converts them to configuration properties.
     *
     * @param options the suboptions after {@code -d NAME}
     * @param context what the instance needs to resolve paths
     * @return the configuration properties of one driver instance
     * @throws IllegalArgumentException naming the bad token
     */
    Map<String, Object> configure(SubOptions options, DriverContext context);

    /** How many interfaces an instance with these properties makes. */
    int interfaceCount(Map<String, Object> properties);

    /**
     * The properties of the same instance without one of its interfaces, for
     * removing that interface alone ({@code umount vp1}, {@code ifconfig vp1
     * destroy}) while the instance's other interfaces keep running: the
     * driver's component takes the new properties as a modification and
     * withdraws only that link. Null (the default) when the driver cannot
     * make an instance without one of its interfaces, or {@code key} names
     * none of them.
     *
     * @param properties the instance's current configuration properties
     * @param key the interface's {@link Link#KEY}
     * @since 1.1
     */
    default Map<String, Object> withoutInterface(Map<String, Object> properties, String key) {
        return null;
    }
}
