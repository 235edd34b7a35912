/**
 * The host as its guests' router: DHCP server and client, router
 * advertisements and pf-style address translation, as services of a running
 * stack. Forwarding itself is switched by tunables
 * ({@code net.inet.ip.forwarding}, {@code net.inet6.ip6.forwarding}).
 */
@Export
@Version("1.0.0")
package io.pktstack.api.router;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
