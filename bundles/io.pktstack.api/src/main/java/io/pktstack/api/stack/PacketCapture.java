package io.pktstack.api.stack;

import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Captures the frames crossing one interface, both directions, as tcpdump
 * does. An interface costs nothing extra while no capture is open on it.
 */
@ProviderType
public interface PacketCapture {

    /**
     * Starts capturing on {@code ifName}; at most {@code maxFrames} are taken.
     * Closing the session stops the capture.
     *
     * @throws IllegalArgumentException for an unknown interface, or one already being captured
     */
    Session start(String ifName, long maxFrames);

    /** An open capture. */
    interface Session extends AutoCloseable {
        /** The next captured frame, or {@code null} if none came within {@code timeout}. */
        Frame next(Duration timeout) throws InterruptedException;

        /** Frames that passed while the capture's queue was full (not captured). */
        long dropped();

        @Override
        void close();
    }

    /**
     * A captured frame.
     *
     * @param epochMicros when it passed, microseconds since the epoch
     * @param outbound true if the interface sent it, false if it received it
     * @param bytes the whole Ethernet frame (without FCS)
     */
    record Frame(long epochMicros, boolean outbound, byte[] bytes) {
    }
}
