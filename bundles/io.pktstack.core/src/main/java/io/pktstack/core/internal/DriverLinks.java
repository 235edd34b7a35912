package io.pktstack.core.internal;

import java.util.List;

/**
 * The stack's side of driver instances, for the driver manager (a service
 * inside the core bundle, never exported): which interfaces an instance
 * made, typed, rather than read back from what {@code nicinfo} shows.
 */
public interface DriverLinks {

    /** A driver's interface: the instance that made it and its key within it ({@code Link.KEY}). */
    record Owner(String instance, String key) {
    }

    /** The interfaces driver instance {@code instance} made, in the order they came. */
    List<String> interfacesOf(String instance);

    /**
     * Waits until the interfaces of {@code instance} satisfy {@code condition},
     * {@code nanos} pass or the instance is found to have failed
     * ({@link #failure}), woken by every link that comes or goes and every
     * failure (no polling); returns whether the condition held.
     */
    boolean awaitInterfaces(String instance, java.util.function.Predicate<List<String>> condition, long nanos)
            throws InterruptedException;

    /**
     * Why driver instance {@code instance} could not start, as its driver reported it
     * ({@link io.pktstack.api.link.DriverFailures}) or as the stack refused its link; null if it did not fail.
     */
    Throwable failure(String instance);

    /** Who made interface {@code ifName}, or null if it is not a driver's (a bridge, lo0, unknown). */
    Owner ownerOf(String ifName);

    /**
     * Drops the settings kept for an instance's interfaces: it was stopped
     * (or lost that interface), so they will not come back.
     *
     * @param key the one interface ({@code Link.KEY}), or null for all of them
     */
    void forget(String instance, String key);
}
