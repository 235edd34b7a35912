/** Byte-exact frames (Ethernet, ARP, ICMP, ICMPv6 and ND, UDP over both) that the tests of several bundles share. */
@Export
@Version("1.0.0")
package io.pktstack.testfixtures;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
