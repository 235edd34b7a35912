package io.pktstack.core.internal;

/**
 * Who in a layer-3 interface's segment (a bridge and its members, or a lone
 * link) holds an address: the bridge answers for the addresses of its members
 * as well as its own.
 */
final class Segments {

    private Segments() {
    }

    /** The interface of {@code l3}'s segment holding IPv4 address {@code addr}, or null. */
    static NetInterface ownerV4(NetInterface l3, int addr) {
        for (NetInterface n : l3.segment()) {
            if (n.hasIpv4(addr)) {
                return n;
            }
        }
        return null;
    }

    static NetInterface ownerV6(NetInterface l3, long hi, long lo) {
        for (NetInterface n : l3.segment()) {
            if (n.hasIpv6(hi, lo)) {
                return n;
            }
        }
        return null;
    }

    static boolean solicitedNodeOfSegment(NetInterface l3, long hi, long lo) {
        for (NetInterface n : l3.segment()) {
            if (n.hasSolicitedNode(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if IPv4 {@code addr} is the broadcast address of a prefix of
     * {@code l3}'s segment (RFC 919: all host bits set).
     */
    static boolean directedBroadcastV4(NetInterface l3, int addr) {
        for (NetInterface n : l3.segment()) {
            for (io.pktstack.api.stack.InterfaceAddress a : n.addresses) {
                int len = a.prefixLength();
                if (a.isIpv4() && len < 31) {
                    int host = -1 >>> len;
                    int v = IpAddresses.v4(a.address().getAddress());
                    if ((addr & host) == host && (addr & ~host) == (v & ~host)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
