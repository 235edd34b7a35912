@Export
@Version("1.4.0")
package io.pktstack.api.stack;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
