package io.pktstack.core.internal;

/**
 * Why the stack dropped a frame. Every drop is counted under one of these, per
 * interface, and {@code nicinfo} shows them (VPP-style error strings).
 */
enum DropReason {
    INTERFACE_DOWN("interface down"),
    NOT_FOR_US("not for us (unicast to another MAC)"),
    RUNT("runt frame (shorter than an Ethernet header)"),
    BRIDGE_SAME_PORT("bridge: destination behind input port"),
    BRIDGE_MEMBER_DOWN("bridge: output member down"),
    MALFORMED("malformed header"),
    BAD_CHECKSUM("bad checksum"),
    UNKNOWN_PROTOCOL("unknown protocol"),
    NO_BUFFER("no buffer for reply or flood copy"),
    TX_RING_FULL("transmit ring full"),
    NO_ROUTE("no route"),
    NO_NEIGHBOR("neighbour unresolved"),
    NEIGHBOR_TABLE_FULL("neighbour table full (net.inet.arp.maxentries, net.inet6.icmp6.nd6_maxentries)"),
    NEIGHBOR_HOLD_FULL("neighbour hold queue full (dropped while resolving)"),
    REASSEMBLY("IP fragment (reassembly: overlap, bad length, limit or timeout)"),
    NOT_FORWARDABLE("not forwardable (martian, broadcast, multicast or link-local)"),
    TTL_EXCEEDED("TTL or hop limit exceeded"),
    NEEDS_FRAGMENTATION("too big for the next hop (DF set, or IPv6)"),
    PF("dropped by pf (pfctl -s info says why)"),
    NO_SOCKET("UDP port unreachable"),
    SOCKET_QUEUE_FULL("UDP socket queue full");

    final String text;

    DropReason(String text) {
        this.text = text;
    }
}
