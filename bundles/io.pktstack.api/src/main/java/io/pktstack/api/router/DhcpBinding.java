package io.pktstack.api.router;

import java.net.InetAddress;
import java.util.List;

/**
 * A DHCP client's state on one interface.
 *
 * @param state the RFC 2131 state: INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING
 * @param address the bound address, null before one is bound
 * @param secondsLeft of the lease, -1 when none
 * @param secondsToRenewal until T1, -1 unless bound
 */
public record DhcpBinding(String ifName, String state, InetAddress address, int prefixLength, InetAddress router,
        InetAddress server, List<InetAddress> dns, long leaseSeconds, long secondsLeft, long secondsToRenewal) {

    public DhcpBinding {
        dns = List.copyOf(dns);
    }
}
