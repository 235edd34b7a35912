package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * A view of an IPv4 packet (RFC 791 §3.1). Addresses are {@code int}s in
 * network order ({@code 10.0.2.15} is {@code 0x0a00020f}). Options are not
 * parsed, only skipped via IHL. Reusable; see {@link EthernetFrame} for the
 * wrap contract.
 *
 * <p>The wrapped length may exceed Total Length (Ethernet pads short frames to
 * 60 bytes); the payload is always bounded by Total Length, never by the
 * wrapped length.
 */
public final class Ipv4Packet {

    public static final int MIN_HEADER_LEN = 20;
    public static final int VERSION = 4;

    /** Flag bits of {@link #flags()} (RFC 791 §3.1 "Flags"). */
    public static final int FLAG_DF = 0b010;
    public static final int FLAG_MF = 0b001;

    private static final int VER_IHL = 0;
    private static final int TOS = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SRC = 12;
    private static final int DST = 16;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public Ipv4Packet wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if version is 4 and
     * {@code 20 <= IHL*4 <= Total Length <= length}. Does not verify the header
     * checksum (see {@link #verifyChecksum()}). On false the view is left as it
     * was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < MIN_HEADER_LEN) {
            return false;
        }
        int verIhl = u8(seg, offset + VER_IHL);
        int headerLen = (verIhl & 0x0F) * 4;
        int total = u16(seg, offset + TOTAL_LENGTH);
        if (verIhl >>> 4 != VERSION || headerLen < MIN_HEADER_LEN || headerLen > total || total > length) {
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

    public int length() {
        return len;
    }

    public int version() {
        return u8(seg, off + VER_IHL) >>> 4;
    }

    public void setVersion(int version) {
        setU8(seg, off + VER_IHL, (version << 4) | (u8(seg, off + VER_IHL) & 0x0F));
    }

    /** Internet Header Length in 32-bit words. */
    public int ihl() {
        return u8(seg, off + VER_IHL) & 0x0F;
    }

    public void setIhl(int ihl) {
        setU8(seg, off + VER_IHL, (u8(seg, off + VER_IHL) & 0xF0) | (ihl & 0x0F));
    }

    /** Header length in bytes, {@code ihl() * 4}. */
    public int headerLength() {
        return ihl() * 4;
    }

    /** Differentiated Services code point, the upper six bits of the old TOS (RFC 2474 §3). */
    public int dscp() {
        return u8(seg, off + TOS) >>> 2;
    }

    public void setDscp(int dscp) {
        setU8(seg, off + TOS, (dscp << 2) | (u8(seg, off + TOS) & 0x03));
    }

    /** ECN field, the lower two bits of the old TOS (RFC 3168 §5). */
    public int ecn() {
        return u8(seg, off + TOS) & 0x03;
    }

    public void setEcn(int ecn) {
        setU8(seg, off + TOS, (u8(seg, off + TOS) & 0xFC) | (ecn & 0x03));
    }

    /** Header plus data, in bytes. */
    public int totalLength() {
        return u16(seg, off + TOTAL_LENGTH);
    }

    public void setTotalLength(int totalLength) {
        setU16(seg, off + TOTAL_LENGTH, totalLength);
    }

    public int identification() {
        return u16(seg, off + IDENTIFICATION);
    }

    public void setIdentification(int id) {
        setU16(seg, off + IDENTIFICATION, id);
    }

    /** The three flag bits: reserved, DF, MF (see {@link #FLAG_DF}, {@link #FLAG_MF}). */
    public int flags() {
        return u16(seg, off + FLAGS_FRAGMENT) >>> 13;
    }

    public void setFlags(int flags) {
        setU16(seg, off + FLAGS_FRAGMENT, (flags << 13) | fragmentOffset());
    }

    public boolean dontFragment() {
        return (flags() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (flags() & FLAG_MF) != 0;
    }

    /** Fragment offset in units of 8 bytes. */
    public int fragmentOffset() {
        return u16(seg, off + FLAGS_FRAGMENT) & 0x1FFF;
    }

    public void setFragmentOffset(int fragmentOffset) {
        setU16(seg, off + FLAGS_FRAGMENT, (u16(seg, off + FLAGS_FRAGMENT) & 0xE000) | (fragmentOffset & 0x1FFF));
    }

    /** True for any fragment but a whole datagram: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (u16(seg, off + FLAGS_FRAGMENT) & 0x3FFF) != 0;
    }

    public int ttl() {
        return u8(seg, off + TTL);
    }

    public void setTtl(int ttl) {
        setU8(seg, off + TTL, ttl);
    }

    /** See {@link IpProtocol}. */
    public int protocol() {
        return u8(seg, off + PROTOCOL);
    }

    public void setProtocol(int protocol) {
        setU8(seg, off + PROTOCOL, protocol);
    }

    public int headerChecksum() {
        return u16(seg, off + CHECKSUM);
    }

    public void setHeaderChecksum(int checksum) {
        setU16(seg, off + CHECKSUM, checksum);
    }

    public int srcAddr() {
        return i32(seg, off + SRC);
    }

    public void setSrcAddr(int addr) {
        setI32(seg, off + SRC, addr);
    }

    public int dstAddr() {
        return i32(seg, off + DST);
    }

    public void setDstAddr(int addr) {
        setI32(seg, off + DST, addr);
    }

    /** Segment offset of the payload, after the options. */
    public long payloadOffset() {
        return off + headerLength();
    }

    /** Payload length from Total Length and IHL; excludes link padding. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** The payload as a slice (a view, not a copy). */
    public MemorySegment payload() {
        return seg.asSlice(payloadOffset(), payloadLength());
    }

    /**
     * The header checksum over IHL*4 bytes, computed as if the checksum field
     * were zero (RFC 791 §3.1 "Header Checksum"). Set version and IHL first.
     */
    public int computeChecksum() {
        long acc = Checksum.sum(seg, off, CHECKSUM);
        acc = Checksum.add(acc, seg, off + SRC, headerLength() - SRC);
        return Checksum.finish(acc);
    }

    public void fillChecksum() {
        setHeaderChecksum(computeChecksum());
    }

    /** True if the header, checksum included, sums to all ones; false if IHL does not fit the wrapped range. */
    public boolean verifyChecksum() {
        int headerLen = headerLength();
        if (headerLen < MIN_HEADER_LEN || headerLen > len) {
            return false;
        }
        return Checksum.fold(Checksum.sum(seg, off, headerLen)) == 0xFFFF;
    }
}
