package io.pktstack.api.stack;

import io.pktstack.api.net.MacAddress;
import java.net.InetAddress;

/**
 * An ARP or neighbour-cache entry.
 *
 * @param address the IP address
 * @param mac the resolved link address, or {@code null} while incomplete
 * @param ifName the interface it was resolved on
 * @param expiresInSeconds seconds until the entry expires
 */
public record NeighborEntry(InetAddress address, MacAddress mac, String ifName, long expiresInSeconds) {
}
