package io.pktstack.api.stack;

import io.pktstack.api.net.MacAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The stack's packet generator: sends synthetic Ethernet frames out of one
 * interface as fast as the link takes them, in batches, from the frame pool,
 * allocating nothing per frame. The receiving side counts them in its
 * interface counters. Frames carry EtherType 0x88b5 (IEEE 802 local
 * experimental), so no stack mistakes them for traffic.
 */
@ProviderType
public interface PacketGenerator {

    /** EtherType of generated frames: IEEE Std 802 local experimental EtherType 1. */
    int ETHER_TYPE = 0x88b5;

    /**
     * Sends {@code frames} frames of {@code frameBytes} bytes (Ethernet header
     * included, FCS excluded: 60 for the classic "64-byte" frame).
     *
     * @param batch frames handed to the driver per call, 1..256
     * @throws IllegalArgumentException for an unknown interface or sizes out of range
     */
    Result transmit(String ifName, MacAddress destination, int frameBytes, long frames, int batch);

    /**
     * Sends {@code frames} copies of {@code frame}, a whole Ethernet frame
     * (header included, FCS excluded) the caller built: IP traffic that a
     * router forwards, for its benchmarks.
     *
     * @throws IllegalArgumentException for an unknown interface, or a frame
     *         shorter than an Ethernet header or longer than the MTU
     * @since 1.2
     */
    Result transmit(String ifName, byte[] frame, long frames, int batch);

    /**
     * What a run did.
     *
     * @param offered frames handed to the driver
     * @param noBuffer frames not sent because the pool was empty
     * @param nanos wall time of the run
     */
    record Result(long offered, long noBuffer, long nanos) {
        /** Frames per second offered. */
        public double framesPerSecond() {
            return nanos == 0 ? 0 : offered * 1e9 / nanos;
        }
    }
}
