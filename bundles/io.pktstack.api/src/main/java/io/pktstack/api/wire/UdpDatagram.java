package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.u16;

import java.lang.foreign.MemorySegment;

/**
 * A view of a UDP datagram (RFC 768). The datagram is bounded by its Length
 * field, not by the wrapped range. Reusable; see {@link EthernetFrame} for the
 * wrap contract.
 *
 * <p>Checksum rules differ by IP version: over IPv4 a zero checksum means the
 * sender computed none (RFC 768); over IPv6 it is mandatory and zero is invalid
 * (RFC 8200 §8.1). A computed zero is sent as 0xFFFF in both cases.
 */
public final class UdpDatagram {

    public static final int HEADER_LEN = 8;

    private static final int SRC_PORT = 0;
    private static final int DST_PORT = 2;
    private static final int LENGTH = 4;
    private static final int CHECKSUM = 6;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public UdpDatagram wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if {@code 8 <= Length <= length}. IPv6
     * jumbograms (RFC 2675, Length 0) are rejected. On false the view is left
     * as it was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < HEADER_LEN) {
            return false;
        }
        int udpLength = u16(seg, offset + LENGTH);
        if (udpLength < HEADER_LEN || udpLength > length) {
            return false;
        }
        wrap(seg, offset, length);
        return true;
    }

    public MemorySegment segment() {
        return seg;
    }

    public long offset() {
        return off;
    }

    /** The wrapped length; see {@link #udpLength()} for the datagram's own. */
    public int length() {
        return len;
    }

    public int srcPort() {
        return u16(seg, off + SRC_PORT);
    }

    public void setSrcPort(int port) {
        setU16(seg, off + SRC_PORT, port);
    }

    public int dstPort() {
        return u16(seg, off + DST_PORT);
    }

    public void setDstPort(int port) {
        setU16(seg, off + DST_PORT, port);
    }

    /** The Length field: header plus data, in bytes. */
    public int udpLength() {
        return u16(seg, off + LENGTH);
    }

    public void setUdpLength(int length) {
        setU16(seg, off + LENGTH, length);
    }

    public int checksum() {
        return u16(seg, off + CHECKSUM);
    }

    public void setChecksum(int checksum) {
        setU16(seg, off + CHECKSUM, checksum);
    }

    /** Segment offset of the data. */
    public long payloadOffset() {
        return off + HEADER_LEN;
    }

    /** Data length from the Length field. */
    public int payloadLength() {
        return udpLength() - HEADER_LEN;
    }

    /** The data as a slice (a view, not a copy). */
    public MemorySegment payload() {
        return seg.asSlice(payloadOffset(), payloadLength());
    }

    // ---- IPv4 (RFC 768 pseudo-header)

    /** The checksum over the IPv4 pseudo-header and Length bytes, never 0 (0 is sent as 0xFFFF). */
    public int computeChecksumV4(int srcAddr, int dstAddr) {
        int udpLength = udpLength();
        long acc = Checksum.addPseudoHeaderV4(0, srcAddr, dstAddr, IpProtocol.UDP, udpLength);
        return finishUdp(acc, udpLength);
    }

    public void fillChecksumV4(int srcAddr, int dstAddr) {
        setChecksum(computeChecksumV4(srcAddr, dstAddr));
    }

    /**
     * True if the checksum is absent (zero) or correct. False if Length does not
     * fit the wrapped range, so verifying never reads past it.
     */
    public boolean verifyChecksumV4(int srcAddr, int dstAddr) {
        if (checksum() == 0) {
            return true;
        }
        int udpLength = udpLength();
        if (udpLength < HEADER_LEN || udpLength > len) {
            return false;
        }
        long acc = Checksum.addPseudoHeaderV4(0, srcAddr, dstAddr, IpProtocol.UDP, udpLength);
        return Checksum.fold(Checksum.add(acc, seg, off, udpLength)) == 0xFFFF;
    }

    public void fillChecksum(Ipv4Packet ip) {
        fillChecksumV4(ip.srcAddr(), ip.dstAddr());
    }

    public boolean verifyChecksum(Ipv4Packet ip) {
        return verifyChecksumV4(ip.srcAddr(), ip.dstAddr());
    }

    // ---- IPv6 (RFC 8200 §8.1 pseudo-header)

    /** The checksum over the IPv6 pseudo-header and Length bytes, never 0 (0 is sent as 0xFFFF). */
    public int computeChecksumV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        int udpLength = udpLength();
        long acc = Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.UDP, udpLength);
        return finishUdp(acc, udpLength);
    }

    public void fillChecksumV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        setChecksum(computeChecksumV6(srcHi, srcLo, dstHi, dstLo));
    }

    /** True if the checksum is correct; a zero checksum is invalid over IPv6. False if Length does not fit. */
    public boolean verifyChecksumV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        int udpLength = udpLength();
        if (checksum() == 0 || udpLength < HEADER_LEN || udpLength > len) {
            return false;
        }
        long acc = Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.UDP, udpLength);
        return Checksum.fold(Checksum.add(acc, seg, off, udpLength)) == 0xFFFF;
    }

    public void fillChecksum(Ipv6Packet ip) {
        fillChecksumV6(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
    }

    public boolean verifyChecksum(Ipv6Packet ip) {
        return verifyChecksumV6(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
    }

    /** Sums the datagram with the checksum field taken as zero. */
    private int finishUdp(long pseudo, int udpLength) {
        long acc = Checksum.add(pseudo, seg, off, CHECKSUM);
        acc = Checksum.add(acc, seg, off + HEADER_LEN, udpLength - HEADER_LEN);
        int c = Checksum.finish(acc);
        return c == 0 ? 0xFFFF : c;
    }
}
