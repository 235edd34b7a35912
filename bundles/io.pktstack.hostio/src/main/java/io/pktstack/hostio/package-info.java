/**
 * Linux host I/O through the FFM API: for the drivers that reach the world
 * outside the stack ({@code e1000}, {@code passthrough}) TAP devices, AF_PACKET
 * sockets, the link that moves batches of frames over them, and device claims
 * that keep a device owned by one stack at a time across processes; for
 * vhost-user guest links (1.1) Unix sockets that pass descriptors, memfd
 * shared memory, eventfds and a poller.
 */
@Export
@Version("1.2.0")
package io.pktstack.hostio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
