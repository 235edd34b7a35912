/**
 * VIRTIO 1.x split virtqueues in shared memory and the peer-connection
 * protocol that virtio-net (guest) and vdevpeer-net (host) are built on.
 */
@Export
@Version("1.0.0")
package io.pktstack.vdev;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
