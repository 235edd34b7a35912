package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.i64;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setI64;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * A view of the IPv6 fixed header (RFC 8200 §3). An address is two longs, the
 * high and low 64 bits in network order ({@code fe80::1} is
 * {@code hi = 0xfe80_0000_0000_0000L, lo = 1}), so the data path compares
 * addresses without allocating. Extension headers are not parsed: the payload
 * starts at the first one and {@link #nextHeader()} names it. Jumbograms
 * (RFC 2675, Payload Length 0 with a Jumbo option) are not supported.
 * Reusable; see {@link EthernetFrame} for the wrap contract.
 */
public final class Ipv6Packet {

    public static final int HEADER_LEN = 40;
    public static final int VERSION = 6;

    private static final int VER_TC_FLOW = 0;
    private static final int PAYLOAD_LENGTH = 4;
    private static final int NEXT_HEADER = 6;
    private static final int HOP_LIMIT = 7;
    private static final int SRC = 8;
    private static final int DST = 24;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public Ipv6Packet wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if version is 6 and
     * {@code 40 + Payload Length <= length} (trailing link padding allowed). On
     * false the view is left as it was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < HEADER_LEN
                || u8(seg, offset + VER_TC_FLOW) >>> 4 != VERSION
                || u16(seg, offset + PAYLOAD_LENGTH) > length - HEADER_LEN) {
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
        return u8(seg, off + VER_TC_FLOW) >>> 4;
    }

    public void setVersion(int version) {
        setI32(seg, off + VER_TC_FLOW, (version << 28) | (i32(seg, off + VER_TC_FLOW) & 0x0FFF_FFFF));
    }

    /** Traffic Class: DSCP in the upper six bits, ECN in the lower two (RFC 8200 §7). */
    public int trafficClass() {
        return (i32(seg, off + VER_TC_FLOW) >>> 20) & 0xFF;
    }

    public void setTrafficClass(int trafficClass) {
        int word = i32(seg, off + VER_TC_FLOW);
        setI32(seg, off + VER_TC_FLOW, (word & 0xF00F_FFFF) | ((trafficClass & 0xFF) << 20));
    }

    /** The 20-bit Flow Label (RFC 6437). */
    public int flowLabel() {
        return i32(seg, off + VER_TC_FLOW) & 0xF_FFFF;
    }

    public void setFlowLabel(int flowLabel) {
        int word = i32(seg, off + VER_TC_FLOW);
        setI32(seg, off + VER_TC_FLOW, (word & 0xFFF0_0000) | (flowLabel & 0xF_FFFF));
    }

    /** Length after the fixed header, extension headers included. */
    public int payloadLength() {
        return u16(seg, off + PAYLOAD_LENGTH);
    }

    public void setPayloadLength(int payloadLength) {
        setU16(seg, off + PAYLOAD_LENGTH, payloadLength);
    }

    /** See {@link IpProtocol}; also extension header types. */
    public int nextHeader() {
        return u8(seg, off + NEXT_HEADER);
    }

    public void setNextHeader(int nextHeader) {
        setU8(seg, off + NEXT_HEADER, nextHeader);
    }

    public int hopLimit() {
        return u8(seg, off + HOP_LIMIT);
    }

    public void setHopLimit(int hopLimit) {
        setU8(seg, off + HOP_LIMIT, hopLimit);
    }

    public long srcHi() {
        return i64(seg, off + SRC);
    }

    public long srcLo() {
        return i64(seg, off + SRC + 8);
    }

    public void setSrc(long hi, long lo) {
        setI64(seg, off + SRC, hi);
        setI64(seg, off + SRC + 8, lo);
    }

    public long dstHi() {
        return i64(seg, off + DST);
    }

    public long dstLo() {
        return i64(seg, off + DST + 8);
    }

    public void setDst(long hi, long lo) {
        setI64(seg, off + DST, hi);
        setI64(seg, off + DST + 8, lo);
    }

    /** Copies the 16 source address bytes to {@code to[at..at+16)}. */
    public void copySrcTo(byte[] to, int at) {
        NetOrder.longToBytes(srcHi(), to, at);
        NetOrder.longToBytes(srcLo(), to, at + 8);
    }

    /** Sets the source address from {@code from[at..at+16)}. */
    public void setSrc(byte[] from, int at) {
        setSrc(NetOrder.bytesToLong(from, at), NetOrder.bytesToLong(from, at + 8));
    }

    public void copyDstTo(byte[] to, int at) {
        NetOrder.longToBytes(dstHi(), to, at);
        NetOrder.longToBytes(dstLo(), to, at + 8);
    }

    public void setDst(byte[] from, int at) {
        setDst(NetOrder.bytesToLong(from, at), NetOrder.bytesToLong(from, at + 8));
    }

    /** The high 64 bits of the 16-byte address at {@code addr[at..at+16)}. */
    public static long addrHi(byte[] addr, int at) {
        return NetOrder.bytesToLong(addr, at);
    }

    /** The low 64 bits of the 16-byte address at {@code addr[at..at+16)}. */
    public static long addrLo(byte[] addr, int at) {
        return NetOrder.bytesToLong(addr, at + 8);
    }

    /** Segment offset of the payload (the first extension header, if any). */
    public long payloadOffset() {
        return off + HEADER_LEN;
    }

    /** The slice holding Payload Length bytes (a view, not a copy). */
    public MemorySegment payload() {
        return seg.asSlice(payloadOffset(), payloadLength());
    }
}
