/**
 * Guest links: VIRTIO 1.x split virtqueues in shared memory (the device and
 * driver sides of a queue, guest memory and its translation, the
 * virtio_net_hdr) and the link that virtio-net (a vhost-user front-end) and
 * vdevpeer-net (a vhost-user back-end) are built on. 2.0: the private
 * handshake and its shared-memory files were replaced by vhost-user. 2.1:
 * LinkOptions.requireFree (a node in use refused at configuration).
 */
@Export
@Version("2.2.0")
package io.pktstack.vdev;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
