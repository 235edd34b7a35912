package io.pktstack.vdev;

import io.pktstack.api.net.MacAddress;
import java.nio.file.Path;

/**
 * One guest-link endpoint as configured.
 *
 * @param bindPath this side's device path as written ({@code /dev/vdevpeers/vp0})
 * @param bindSocket where that path lies under the device root
 * @param peerPath the peer's device path as written ({@code /dev/qvm/g1/p2p})
 * @param peerSocket where that lies under the device root
 * @param driverRole true for virtio-net (owns its rings), false for vdevpeer-net
 * @param mac this side's MAC
 * @param mtu largest frame, Ethernet header included
 * @param legacyHeader use the 10-byte virtio_net_hdr (no num_buffers)
 * @param shmFolder where shared-memory region files live
 * @param queueSize virtqueue size (power of two)
 * @param socketMode permissions of the bound socket, e.g. {@code rw-------}
 */
public record EndpointConfig(String bindPath, Path bindSocket, String peerPath, Path peerSocket, boolean driverRole,
        MacAddress mac, int mtu, boolean legacyHeader, Path shmFolder, int queueSize, String socketMode) {

    /** Buffer per descriptor: the largest frame plus the 12-byte header, rounded up. */
    public int bufferSize() {
        return (int) SharedRegion.align(mtu + 12, 64);
    }

    /** The side whose bound path sorts first connects; the other listens. Both sides agree without talking. */
    boolean connects() {
        return bindPath.compareTo(peerPath) < 0;
    }
}
