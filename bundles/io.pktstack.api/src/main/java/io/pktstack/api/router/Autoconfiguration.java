package io.pktstack.api.router;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The host side of IPv6 stateless address autoconfiguration (RFC 4862) and
 * router discovery (RFC 4861 §6.3), as BSD's {@code rtsol} and
 * {@code net.inet6.ip6.accept_rtadv}: router advertisements received on an
 * accepting interface give it an address in each advertised /64 (the prefix
 * and the interface's modified EUI-64), valid as long as the router says, and
 * a default route through the router while it is one. Not while the stack
 * forwards IPv6: a router does not configure itself from others.
 */
@ProviderType
public interface Autoconfiguration {

    /** Accepts advertisements on {@code ifName} and solicits them ({@code rtsol IF}): up to three, four seconds apart. */
    void solicit(String ifName);

    /** The interfaces accepting advertisements (all of them while {@code net.inet6.ip6.accept_rtadv} is 1). */
    List<String> interfaces();
}
