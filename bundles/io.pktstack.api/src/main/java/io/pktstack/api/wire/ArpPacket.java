package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.mac;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setMac;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * A view of an ARP packet for IPv4 over Ethernet (RFC 826): fixed 28 bytes,
 * hardware addresses as 48-bit longs, protocol addresses as {@code int}s.
 * Reusable; see {@link EthernetFrame} for the wrap contract.
 */
public final class ArpPacket {

    public static final int LENGTH = 28;

    /** ar$hrd for Ethernet (IANA "ARP Parameters"). */
    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private static final int HTYPE = 0;
    private static final int PTYPE = 2;
    private static final int HLEN = 4;
    private static final int PLEN = 5;
    private static final int OPER = 6;
    private static final int SHA = 8;
    private static final int SPA = 14;
    private static final int THA = 18;
    private static final int TPA = 24;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public ArpPacket wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true only for Ethernet/IPv4 ARP with hlen 6 and
     * plen 4, because the fixed field offsets of this view depend on those two
     * lengths (RFC 826 lets them vary). Trailing bytes (Ethernet padding) are
     * allowed. On false the view is left as it was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < LENGTH
                || u16(seg, offset + HTYPE) != HTYPE_ETHERNET
                || u16(seg, offset + PTYPE) != EtherType.IPV4
                || u8(seg, offset + HLEN) != 6
                || u8(seg, offset + PLEN) != 4) {
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

    public int htype() {
        return u16(seg, off + HTYPE);
    }

    public void setHtype(int htype) {
        setU16(seg, off + HTYPE, htype);
    }

    public int ptype() {
        return u16(seg, off + PTYPE);
    }

    public void setPtype(int ptype) {
        setU16(seg, off + PTYPE, ptype);
    }

    public int hlen() {
        return u8(seg, off + HLEN);
    }

    public void setHlen(int hlen) {
        setU8(seg, off + HLEN, hlen);
    }

    public int plen() {
        return u8(seg, off + PLEN);
    }

    public void setPlen(int plen) {
        setU8(seg, off + PLEN, plen);
    }

    /** Writes htype, ptype, hlen and plen for Ethernet/IPv4 in one go. */
    public void setEthernetIpv4() {
        setHtype(HTYPE_ETHERNET);
        setPtype(EtherType.IPV4);
        setHlen(6);
        setPlen(4);
    }

    public int oper() {
        return u16(seg, off + OPER);
    }

    public void setOper(int oper) {
        setU16(seg, off + OPER, oper);
    }

    /** Sender hardware address. */
    public long sha() {
        return mac(seg, off + SHA);
    }

    public void setSha(long mac) {
        setMac(seg, off + SHA, mac);
    }

    /** Sender protocol address. */
    public int spa() {
        return i32(seg, off + SPA);
    }

    public void setSpa(int addr) {
        setI32(seg, off + SPA, addr);
    }

    /** Target hardware address; ignored in a request (RFC 826), conventionally zero there. */
    public long tha() {
        return mac(seg, off + THA);
    }

    public void setTha(long mac) {
        setMac(seg, off + THA, mac);
    }

    /** Target protocol address. */
    public int tpa() {
        return i32(seg, off + TPA);
    }

    public void setTpa(int addr) {
        setI32(seg, off + TPA, addr);
    }
}
