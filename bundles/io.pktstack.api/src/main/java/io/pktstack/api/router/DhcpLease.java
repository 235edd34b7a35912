package io.pktstack.api.router;

import io.pktstack.api.net.MacAddress;
import java.net.InetAddress;
import java.time.Instant;

/**
 * One lease of the DHCP server.
 *
 * @param mac the client's hardware address; null for an address a client declined (RFC 2131 §4.3.3)
 * @param ends when the lease ends (or ended)
 */
public record DhcpLease(String ifName, MacAddress mac, InetAddress address, Instant ends, State state) {

    /** What the lease is now. */
    public enum State {
        /** Offered, not yet requested. */
        OFFERED,
        /** Bound to the client. */
        ACTIVE,
        /** Past its end; the address goes to this client again while nobody else takes it. */
        EXPIRED,
        /** Given back by the client. */
        RELEASED,
        /** Declined by a client that found the address in use; out of use until it ends. */
        DECLINED
    }
}
