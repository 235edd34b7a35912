package io.pktstack.api.stack;

import io.pktstack.api.net.MacAddress;

/**
 * One learned entry of a bridge's address table.
 *
 * @param mac the source address seen
 * @param member the member interface it was seen on
 * @param ageSeconds seconds since it was last seen
 */
public record BridgeEntry(MacAddress mac, String member, long ageSeconds) {
}
