package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.mac;
import static io.pktstack.api.wire.NetOrder.setMac;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.u16;

import java.lang.foreign.MemorySegment;

/**
 * A view of an Ethernet II frame (IEEE 802.3 §3.1.1, without preamble and FCS):
 * destination, source, EtherType, payload. No 802.1Q tag handling.
 *
 * <p>A view holds no bytes: it reads and writes {@code [offset, offset + length)}
 * of the segment last wrapped. One instance is meant to be re-wrapped for every
 * frame so the data path does not allocate; a view is not thread-safe.
 */
public final class EthernetFrame {

    public static final int HEADER_LEN = 14;

    private static final int DST = 0;
    private static final int SRC = 6;
    private static final int ETHER_TYPE = 12;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public EthernetFrame wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if the range lies inside {@code seg} and holds a
     * full header. On false the view is left as it was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < HEADER_LEN) {
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

    /** Destination address as the low 48 bits, as {@code MacAddress.bits()}. */
    public long dstMac() {
        return mac(seg, off + DST);
    }

    public void setDstMac(long mac) {
        setMac(seg, off + DST, mac);
    }

    public long srcMac() {
        return mac(seg, off + SRC);
    }

    public void setSrcMac(long mac) {
        setMac(seg, off + SRC, mac);
    }

    /** See {@link EtherType}; values below 0x0600 are 802.3 lengths. */
    public int etherType() {
        return u16(seg, off + ETHER_TYPE);
    }

    public void setEtherType(int etherType) {
        setU16(seg, off + ETHER_TYPE, etherType);
    }

    /** Segment offset of the payload. */
    public long payloadOffset() {
        return off + HEADER_LEN;
    }

    /** Payload length, including any padding to the 60-byte minimum frame. */
    public int payloadLength() {
        return len - HEADER_LEN;
    }

    /** The payload as a slice (a view, not a copy; it does allocate the slice object). */
    public MemorySegment payload() {
        return seg.asSlice(payloadOffset(), payloadLength());
    }
}
