package io.pktstack.api.link;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a driver instance that cannot start says why, typed, before its
 * activation throws. Declarative Services keeps a failed activation only as
 * text; the stack's driver manager, which waits for an instance's interfaces
 * ({@code -d}, {@code mount}), is woken by this report and gives its reason
 * to the user, so a driver writes the message for them ("bind path ... is in
 * use by ...").
 *
 * <p>The stack registers this service; drivers take it as a reference and
 * run their activation (and modification) through {@link #reporting}.
 *
 * @since 1.2
 */
@ProviderType
public interface DriverFailures {

    /**
     * Driver instance {@code instance} could not start (or take a changed configuration).
     *
     * @param instance the {@link Link#INSTANCE} property of the instance's configuration
     * @param cause what the activation throws; its message is the reason shown
     */
    void failed(Object instance, Throwable cause);

    /** A driver's start (or change) that may fail: what {@link #reporting} runs. */
    @FunctionalInterface
    interface Start<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code start} and returns its result; if it throws, reports the
     * exception as {@code instance}'s failure and throws it on.
     */
    default <T> T reporting(Object instance, Start<T> start) throws IOException {
        try {
            return start.run();
        } catch (IOException | RuntimeException e) {
            failed(instance, e);
            throw e;
        }
    }
}
