/**
 * Board profiles: a board described as an OSGi feature file (bundles,
 * driver-instance configurations and the board's startup commands), applied
 * to a stack whole or not at all.
 */
@Version("1.0.0")
@Export
package io.pktstack.api.board;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
