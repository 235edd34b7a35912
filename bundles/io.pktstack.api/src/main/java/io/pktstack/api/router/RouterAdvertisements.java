package io.pktstack.api.router;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Router advertisements (RFC 4861 §6.2), as BSD's {@code rtadvd}: on the
 * interfaces switched on, hosts learn the interface's prefixes (and
 * configure addresses by SLAAC) and, while the stack forwards IPv6, take it
 * as their default router.
 */
@ProviderType
public interface RouterAdvertisements {

    /** Starts advertising on {@code ifName} (an Ethernet interface or a bridge, not a bridge member). */
    void start(String ifName);

    /** Stops, with a last advertisement of router lifetime 0. */
    void stop(String ifName);

    /** The interfaces advertising. */
    List<String> interfaces();
}
