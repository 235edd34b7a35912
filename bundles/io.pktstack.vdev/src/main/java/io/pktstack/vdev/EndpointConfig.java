package io.pktstack.vdev;

import io.pktstack.api.net.MacAddress;
import java.nio.file.Path;

/**
 * One guest-link endpoint as configured.
 *
 * @param bindPath this side's device path as written ({@code /dev/vdevpeers/vp0}, {@code /dev/qvm/g1/p2p})
 * @param bindSocket where that path lies under the device root: the socket this side listens on
 * @param peerPath the peer's device path as written
 * @param peerSocket where that lies under the device root
 * @param frontEnd true for virtio-net (a vhost-user front-end that owns its rings), false for
 *        vdevpeer-net (a back-end that serves the guest's rings)
 * @param mac this side's MAC
 * @param mtu largest frame, Ethernet header included
 * @param legacyHeader back-end: offer neither VIRTIO_F_VERSION_1 nor MRG_RXBUF, so guests use the
 *        10-byte virtio_net_hdr
 * @param queueSize front-end: entries per virtqueue (power of two)
 * @param socketMode permissions of the bound socket, e.g. {@code rw-------}
 * @param featureMask front-end: the VIRTIO feature bits it may accept at most (-1: all it can use)
 */
public record EndpointConfig(String bindPath, Path bindSocket, String peerPath, Path peerSocket, boolean frontEnd,
        MacAddress mac, int mtu, boolean legacyHeader, int queueSize, String socketMode, long featureMask) {

    /** Where guests' own nodes live: {@code /dev/qvm/SYSTEM/NODE}. */
    public static final String GUEST_NODES = "/dev/qvm/";

    /** Front-end buffer per descriptor: the largest frame plus the 12-byte header, rounded up. */
    public int bufferSize() {
        return (mtu + 12 + 63) & ~63;
    }

    /**
     * Whether this side connects to its peer's node (and plays the back-end on
     * that connection). A vdevpeer-net always does: the guest's node is where a
     * VM's QEMU listens. A virtio-net does only towards another guest's node
     * (peer to peer), and only when its own path sorts first, so that exactly
     * one of the two connects; the other side plays the front-end. Both sides
     * agree without talking.
     */
    public boolean dials() {
        return !frontEnd || (peerPath.startsWith(GUEST_NODES) && bindPath.compareTo(peerPath) < 0);
    }
}
