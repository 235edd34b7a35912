package io.pktstack.api.router;

import io.pktstack.api.net.MacAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * What the DHCP server hands out on one interface.
 *
 * @param first the range's first address, null when the interface only has static bindings
 * @param router the default router given to clients, null for the interface's own address
 * @param statics MAC to address bindings that always hold
 */
public record DhcpPool(String ifName, InetAddress first, InetAddress last, InetAddress router, List<InetAddress> dns,
        long leaseSeconds, Map<MacAddress, InetAddress> statics) {

    public DhcpPool {
        dns = List.copyOf(dns);
        statics = Map.copyOf(statics);
    }
}
