/** Running the operator's shell commands from code: the launcher's startup commands and ctl, board profiles. */
@Version("1.1.0")
@Export
package io.pktstack.api.shell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
