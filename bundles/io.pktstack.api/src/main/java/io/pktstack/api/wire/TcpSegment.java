package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * A view of a TCP segment (RFC 9293 §3.1): the header, its options and the
 * data. The segment is bounded by the wrapped length, which the caller takes
 * from the IP header (IPv4 Total Length less the header, IPv6 Payload Length).
 * Sequence and acknowledgment numbers are {@code int}s compared modulo 2^32
 * by the caller. Options are read with {@link TcpOptions}. Reusable; see
 * {@link EthernetFrame} for the wrap contract.
 *
 * @since 1.1
 */
public final class TcpSegment {

    public static final int MIN_HEADER_LEN = 20;
    /** Data Offset is four bits of 32-bit words. */
    public static final int MAX_HEADER_LEN = 60;

    // Control bits (RFC 9293 §3.1; ECE and CWR from RFC 3168 §23.2).
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private static final int SRC_PORT = 0;
    private static final int DST_PORT = 2;
    private static final int SEQ = 4;
    private static final int ACK_NUM = 8;
    private static final int OFFSET = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT = 18;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public TcpSegment wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if {@code 20 <= Data Offset * 4 <= length}.
     * Does not verify the checksum or the options. On false the view is left
     * as it was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < MIN_HEADER_LEN) {
            return false;
        }
        int headerLen = (u8(seg, offset + OFFSET) >>> 4) * 4;
        if (headerLen < MIN_HEADER_LEN || headerLen > length) {
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

    /** The wrapped length: header, options and data. */
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

    public int seq() {
        return i32(seg, off + SEQ);
    }

    public void setSeq(int seq) {
        setI32(seg, off + SEQ, seq);
    }

    public int ackNumber() {
        return i32(seg, off + ACK_NUM);
    }

    public void setAckNumber(int ack) {
        setI32(seg, off + ACK_NUM, ack);
    }

    /** Header length in bytes, options included (Data Offset * 4). */
    public int headerLength() {
        return (u8(seg, off + OFFSET) >>> 4) * 4;
    }

    /** Sets Data Offset from a header length in bytes (a multiple of 4, 20 to 60); clears the reserved bits. */
    public void setHeaderLength(int bytes) {
        setU8(seg, off + OFFSET, (bytes / 4) << 4);
    }

    /** The eight control bits (CWR ECE URG ACK PSH RST SYN FIN). */
    public int flags() {
        return u8(seg, off + FLAGS);
    }

    public void setFlags(int flags) {
        setU8(seg, off + FLAGS, flags);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /** The window field as sent, before any scaling (RFC 7323 §2.3). */
    public int window() {
        return u16(seg, off + WINDOW);
    }

    public void setWindow(int window) {
        setU16(seg, off + WINDOW, window);
    }

    public int checksum() {
        return u16(seg, off + CHECKSUM);
    }

    public void setChecksum(int checksum) {
        setU16(seg, off + CHECKSUM, checksum);
    }

    public int urgentPointer() {
        return u16(seg, off + URGENT);
    }

    public void setUrgentPointer(int urgent) {
        setU16(seg, off + URGENT, urgent);
    }

    /** Segment offset of the first option byte. */
    public long optionsOffset() {
        return off + MIN_HEADER_LEN;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LEN;
    }

    /** Segment offset of the data. */
    public long payloadOffset() {
        return off + headerLength();
    }

    public int payloadLength() {
        return len - headerLength();
    }

    /**
     * Sequence space the segment occupies (RFC 9293 §3.4 SEG.LEN): its data
     * plus one for SYN and one for FIN.
     */
    public int sequenceLength() {
        int f = flags();
        return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
    }

    /** The checksum over {@code pseudoHeader} (a {@link Checksum} accumulator) and the wrapped bytes, field as zero. */
    public int computeChecksum(long pseudoHeader) {
        long acc = Checksum.add(pseudoHeader, seg, off, CHECKSUM);
        acc = Checksum.add(acc, seg, off + URGENT, len - URGENT);
        return Checksum.finish(acc);
    }

    public void fillChecksumV4(int srcAddr, int dstAddr) {
        setChecksum(computeChecksum(Checksum.addPseudoHeaderV4(0, srcAddr, dstAddr, IpProtocol.TCP, len)));
    }

    public void fillChecksumV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        setChecksum(computeChecksum(
                Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.TCP, len)));
    }

    /**
     * Leaves the checksum partial for a link that completes it
     * ({@link Checksum#completePartial}): the field holds the folded
     * pseudo-header sum. The frame must say so ({@code Frame.checksumPartial}).
     *
     * @since 1.2
     */
    public void fillPartialChecksumV4(int srcAddr, int dstAddr) {
        setChecksum(Checksum.fold(Checksum.addPseudoHeaderV4(0, srcAddr, dstAddr, IpProtocol.TCP, len)));
    }

    /** {@link #fillPartialChecksumV4} for IPv6. @since 1.2 */
    public void fillPartialChecksumV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        setChecksum(Checksum.fold(Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.TCP, len)));
    }

    public boolean verifyChecksumV4(int srcAddr, int dstAddr) {
        long acc = Checksum.addPseudoHeaderV4(0, srcAddr, dstAddr, IpProtocol.TCP, len);
        return Checksum.fold(Checksum.add(acc, seg, off, len)) == 0xFFFF;
    }

    public boolean verifyChecksumV6(long srcHi, long srcLo, long dstHi, long dstLo) {
        long acc = Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.TCP, len);
        return Checksum.fold(Checksum.add(acc, seg, off, len)) == 0xFFFF;
    }

    /** A tcpdump-style rendering of the control bits, e.g. {@code [S.]} for SYN+ACK. */
    public static String flagString(int flags) {
        StringBuilder b = new StringBuilder("[");
        if ((flags & SYN) != 0) {
            b.append('S');
        }
        if ((flags & FIN) != 0) {
            b.append('F');
        }
        if ((flags & RST) != 0) {
            b.append('R');
        }
        if ((flags & PSH) != 0) {
            b.append('P');
        }
        if ((flags & URG) != 0) {
            b.append('U');
        }
        if ((flags & ECE) != 0) {
            b.append('E');
        }
        if ((flags & CWR) != 0) {
            b.append('W');
        }
        if ((flags & ACK) != 0) {
            b.append('.');
        }
        return b.append(']').toString();
    }
}
