package io.pktstack.api.wire;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * TCP segmentation offload done in software (Linux's tcp_gso_segment): cuts
 * a TCP segment larger than a link's MTU, as a guest hands it with a
 * virtio_net_hdr or as the stack's own TCP builds it, into segments of at
 * most {@code gso_size} payload bytes, each with its own IP length, IPv4 id
 * and header checksum, sequence number and flags (FIN and PSH only on the
 * last segment, CWR only on the first).
 *
 * <p>Untrusted input: the headers are copied once into a private buffer and
 * parsed there (Ethernet with at most one VLAN tag, IPv4 without fragments or
 * IPv6 without extension headers, then TCP); every length is checked, and a
 * {@code hdr_len} a peer gave is not used. The payload is copied once into
 * each segment, after which the peer can no longer change what is summed.
 * One instance per thread, reused: nothing is allocated per packet.
 *
 * @since 1.3
 */
public final class TcpSegmenter {

    /** A packet's bytes where they lie (a frame, a descriptor chain in guest memory), copied out piece by piece. */
    public interface Source {

        /** Bytes in the packet. */
        long length();

        /** Copies {@code [from, from + len)} of the packet to {@code dst} at {@code dstOffset}; within {@link #length()}. */
        void copyTo(long from, MemorySegment dst, long dstOffset, int len);
    }

    /** A packet in one piece of memory (a frame), reusable: {@link #over} points it at the next one. */
    public static final class Contiguous implements Source {
        private MemorySegment seg;
        private long offset;
        private long length;

        /** Points this source at {@code [offset, offset + length)} of {@code seg}. */
        public Contiguous over(MemorySegment s, long off, long len) {
            java.util.Objects.checkFromIndexSize(off, len, s.byteSize());
            this.seg = s;
            this.offset = off;
            this.length = len;
            return this;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void copyTo(long from, MemorySegment dst, long dstOffset, int len) {
            java.util.Objects.checkFromIndexSize(from, len, length);
            MemorySegment.copy(seg, offset + from, dst, dstOffset, len);
        }
    }

    /** gso_type of VIRTIO 1.2 §5.1.6 (and {@code io.pktstack.api.frame.Frame}'s GSO values). */
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_TCPV6 = 4;

    /** Enough for Ethernet + VLAN tag + a 60-byte IPv4 header + a 60-byte TCP header. */
    public static final int MAX_HEADERS = 160;
    /** Smallest segment size accepted: TCP's own floor is 48 (Linux tcp_min_snd_mss); below, a peer only makes work. */
    public static final int MIN_MSS = 32;

    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private final MemorySegment hdr = Arena.ofAuto().allocate(MAX_HEADERS, 8);

    // The packet being segmented, from prepare().
    private int l3;
    private int l4;
    private int hdrLen;
    private long payloadLen;
    private int mss;
    private int segments;
    private boolean ipv4;
    private String problem = "";

    /** Why the last {@link #prepare} refused, for the drop counter's log. */
    public String problem() {
        return problem;
    }

    private boolean refuse(String why) {
        problem = why;
        return false;
    }

    /**
     * Reads and checks the headers of a segmentation-offload packet.
     *
     * @param gsoType {@link #GSO_TCPV4} or {@link #GSO_TCPV6} (without VIRTIO's ECN bit)
     * @param gsoSize payload bytes per segment
     * @param maxFrame the largest segment to make, Ethernet header included (the MTU)
     * @return false (see {@link #problem()}) for a packet that cannot be segmented
     */
    public boolean prepare(Source pkt, int gsoType, int gsoSize, int maxFrame) {
        long len = pkt.length();
        int copied = (int) Math.min(len, MAX_HEADERS);
        if (copied < 14) {
            return refuse("GSO packet of " + len + " bytes");
        }
        pkt.copyTo(0, hdr, 0, copied);
        l3 = 14;
        int etherType = u16(12);
        if (etherType == 0x8100) {
            etherType = u16(16);
            l3 = 18;
        }
        int proto;
        if (gsoType == GSO_TCPV4 && etherType == 0x0800) {
            if (l3 + 20 > copied || (hdr.get(ValueLayout.JAVA_BYTE, l3) & 0xf0) != 0x40) {
                return refuse("GSO TCPv4 packet without an IPv4 header");
            }
            int ihl = (hdr.get(ValueLayout.JAVA_BYTE, l3) & 0x0f) * 4;
            if (ihl < 20 || (u16(l3 + 6) & 0x3fff) != 0) {
                return refuse("GSO TCPv4 packet with IHL " + ihl + " or fragmented");
            }
            proto = hdr.get(ValueLayout.JAVA_BYTE, l3 + 9) & 0xff;
            l4 = l3 + ihl;
            ipv4 = true;
        } else if (gsoType == GSO_TCPV6 && etherType == 0x86dd) {
            if (l3 + 40 > copied || (hdr.get(ValueLayout.JAVA_BYTE, l3) & 0xf0) != 0x60) {
                return refuse("GSO TCPv6 packet without an IPv6 header");
            }
            proto = hdr.get(ValueLayout.JAVA_BYTE, l3 + 6) & 0xff;
            l4 = l3 + 40;
            ipv4 = false;
        } else {
            return refuse("GSO type " + gsoType + " on EtherType 0x" + Integer.toHexString(etherType));
        }
        if (proto != 6) {
            return refuse("GSO TCP packet carrying protocol " + proto);
        }
        if (l4 + 20 > copied) {
            return refuse("GSO packet with a truncated TCP header");
        }
        int doff = ((hdr.get(ValueLayout.JAVA_BYTE, l4 + 12) & 0xf0) >>> 4) * 4;
        hdrLen = l4 + doff;
        if (doff < 20 || hdrLen > copied) {
            return refuse("GSO packet with TCP data offset " + doff);
        }
        payloadLen = len - hdrLen;
        int room = maxFrame - hdrLen;
        if (gsoSize < MIN_MSS || room < MIN_MSS) {
            return refuse("GSO segment size " + gsoSize + " (headers " + hdrLen + ", MTU " + maxFrame + ")");
        }
        // Never make a segment larger than the link takes, whatever gso_size says.
        mss = Math.min(gsoSize, room);
        segments = payloadLen == 0 ? 1 : (int) ((payloadLen + mss - 1) / mss);
        return true;
    }

    /** Segments the prepared packet becomes. */
    public int segments() {
        return segments;
    }

    /** Bytes of Ethernet, IP and TCP header of the prepared packet: where the payload starts. */
    public int headerLength() {
        return hdrLen;
    }

    /** Where the prepared packet's TCP header starts. */
    public int transportOffset() {
        return l4;
    }

    /**
     * Builds segment {@code k} of the prepared packet into {@code frame} at
     * {@code offset}: the headers with the IP length, IPv4 id and header
     * checksum, TCP sequence number and flags of that segment, and its payload
     * (RFC 9293 §3.1). With {@code partial} the TCP checksum field holds the
     * pseudo-header sum only (as {@link TcpSegment#fillPartialChecksumV4}), for
     * a frame marked partial at {@link #transportOffset()} + 16; otherwise the
     * whole checksum.
     *
     * @return the segment's length
     */
    public int build(int k, Source pkt, MemorySegment frame, long offset, boolean partial) {
        long from = (long) k * mss;
        int segLen = (int) Math.min(mss, payloadLen - from);
        MemorySegment.copy(hdr, 0, frame, offset, hdrLen);
        if (segLen > 0) {
            pkt.copyTo(hdrLen + from, frame, offset + hdrLen, segLen);
        }
        long ip = offset + l3;
        long tcp = offset + l4;
        int tcpLen = hdrLen - l4 + segLen;
        if (ipv4) {
            frame.set(BE16, ip + 2, (short) (l4 - l3 + tcpLen));
            frame.set(BE16, ip + 4, (short) (u16(l3 + 4) + k));
            frame.set(BE16, ip + 10, (short) 0);
            frame.set(BE16, ip + 10, (short) Checksum.compute(frame, ip, l4 - l3));
        } else {
            frame.set(BE16, ip + 4, (short) tcpLen);
        }
        frame.set(BE32, tcp + 4, hdr.get(BE32, l4 + 4) + (int) from);
        int flags = hdr.get(ValueLayout.JAVA_BYTE, l4 + 13) & 0xff;
        if (k < segments - 1) {
            flags &= ~(TCP_FIN | TCP_PSH);
        }
        if (k > 0) {
            flags &= ~TCP_CWR;
        }
        frame.set(ValueLayout.JAVA_BYTE, tcp + 13, (byte) flags);
        frame.set(BE16, tcp + 16, (short) 0);
        long sum;
        if (ipv4) {
            sum = Checksum.addPseudoHeaderV4(0, frame.get(BE32, ip + 12), frame.get(BE32, ip + 16), 6, tcpLen);
        } else {
            sum = Checksum.addPseudoHeaderV6(0, frame.get(BE64, ip + 8), frame.get(BE64, ip + 16),
                    frame.get(BE64, ip + 24), frame.get(BE64, ip + 32), 6, tcpLen);
        }
        if (partial) {
            frame.set(BE16, tcp + 16, (short) Checksum.fold(sum));
        } else {
            sum = Checksum.add(sum, frame, tcp, tcpLen);
            frame.set(BE16, tcp + 16, (short) Checksum.finish(sum));
        }
        return hdrLen + segLen;
    }

    private int u16(int at) {
        return hdr.get(BE16, at) & 0xffff;
    }
}
