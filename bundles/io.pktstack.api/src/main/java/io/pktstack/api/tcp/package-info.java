/**
 * TCP for bundles: connect, listen and accept on a pktstack instance, and
 * read and write through {@link java.nio.ByteBuffer}s. One {@link TcpStack}
 * service per stack instance; the core implements every type here.
 */
@Export
@Version("1.0.0")
package io.pktstack.api.tcp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
