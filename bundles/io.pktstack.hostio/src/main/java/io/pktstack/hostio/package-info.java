/**
 * Linux host I/O for the drivers that reach the world outside the stack
 * ({@code e1000}, {@code passthrough}): TAP devices, AF_PACKET sockets, the
 * link that moves batches of frames over them, and device claims that keep a
 * device owned by one stack at a time across processes. All Linux calls go
 * through the FFM API.
 */
@Export
@Version("1.0.0")
package io.pktstack.hostio;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
