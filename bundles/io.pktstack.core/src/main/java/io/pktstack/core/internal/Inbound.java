package io.pktstack.core.internal;

import io.pktstack.api.wire.Checksum;

/**
 * The IP packet a thread is delivering to a {@link ProtocolHandler}, parsed
 * once by the IPv4 or IPv6 input. One per {@link PathContext}, refilled for
 * every packet, so delivery allocates nothing.
 *
 * <p>Addresses are kept as two longs: an IPv6 address's high and low halves,
 * or for IPv4 {@code hi == 0} and the address in the low 32 bits of {@code lo}.
 */
final class Inbound {

    /** The layer-3 interface the packet arrived on (a bridge, or a link that is not a member of one). */
    NetInterface l3;
    /** The interface holding the destination address; null for a multicast group of the segment. */
    NetInterface owner;
    boolean v6;
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    /** TTL or hop limit as received. */
    int ttl;
    int protocol;
    /** Where the protocol's bytes start in the frame's segment, and how many there are (bounded by the IP length). */
    long l4Offset;
    int l4Length;

    int srcV4() {
        return (int) srcLo;
    }

    int dstV4() {
        return (int) dstLo;
    }

    /** The pseudo-header sum for the protocol's checksum (RFC 768/9293 for IPv4, RFC 8200 §8.1 for IPv6). */
    long pseudoHeader() {
        return v6
                ? Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, protocol, l4Length)
                : Checksum.addPseudoHeaderV4(0, srcV4(), dstV4(), protocol, l4Length);
    }

    /** True if the checksum over the pseudo-header and the protocol's bytes (checksum field included) verifies. */
    boolean checksumOk(java.lang.foreign.MemorySegment seg) {
        return Checksum.fold(Checksum.add(pseudoHeader(), seg, l4Offset, l4Length)) == 0xFFFF;
    }

    java.net.InetAddress source() {
        return v6 ? IpAddresses.fromV6(srcHi, srcLo) : IpAddresses.fromV4(srcV4());
    }

    java.net.InetAddress destination() {
        return v6 ? IpAddresses.fromV6(dstHi, dstLo) : IpAddresses.fromV4(dstV4());
    }
}
