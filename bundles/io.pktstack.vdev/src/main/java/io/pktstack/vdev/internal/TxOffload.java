package io.pktstack.vdev.internal;

import io.pktstack.api.wire.Checksum;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What a back-end does to a packet a guest transmitted with offloads before
 * the stack sees it (VIRTIO 1.2 §5.1.6.2, the device's side of
 * VIRTIO_NET_F_CSUM and VIRTIO_NET_F_HOST_TSO4/6): cuts a TCP segment larger
 * than the link into MTU-sized ones, and completes checksums the guest left
 * partial. The stack's frames are 2 KiB and the link's MTU is the most it may
 * be handed, so this is done here, as a NIC without TSO on the far side would
 * have to.
 *
 * <p>Untrusted input: the headers are copied once into a private buffer and
 * parsed there (Ethernet with at most one VLAN tag, IPv4 without fragments or
 * IPv6 without extension headers, then TCP); every length is checked; the
 * guest's {@code hdr_len} is not trusted. Payload is copied once into each
 * output frame and checksummed there, so the guest cannot change what was
 * summed. One instance per transmit queue, reused: nothing is allocated per
 * packet.
 */
final class TxOffload {

    /** gso_type values (§5.1.6). */
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_ECN = 0x80;

    /** Enough for Ethernet + VLAN tag + a 60-byte IPv4 header + a 60-byte TCP header. */
    static final int MAX_HEADERS = 160;
    /** Smallest segment size accepted: TCP's own floor is 48 (Linux tcp_min_snd_mss); below, a guest only makes work. */
    static final int MIN_MSS = 32;

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

    /** Why the last {@link #prepare} or {@link #completeChecksum} refused, for the drop counter's log. */
    String problem() {
        return problem;
    }

    private boolean refuse(String why) {
        problem = why;
        return false;
    }

    /**
     * Reads and checks the headers of a TCP segmentation-offload packet.
     *
     * @param gsoType the header's gso_type without the ECN bit
     * @param gsoSize the header's gso_size: payload bytes per segment
     * @param mtu the largest frame the stack takes, Ethernet header included
     * @return false (see {@link #problem()}) for a packet that cannot be segmented
     */
    boolean prepare(PacketBytes pkt, int gsoType, int gsoSize, int mtu) {
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
        int room = mtu - hdrLen;
        if (gsoSize < MIN_MSS || room < MIN_MSS) {
            return refuse("GSO segment size " + gsoSize + " (headers " + hdrLen + ", MTU " + mtu + ")");
        }
        // Never hand the stack more than the MTU, whatever gso_size says.
        mss = Math.min(gsoSize, room);
        segments = payloadLen == 0 ? 1 : (int) ((payloadLen + mss - 1) / mss);
        return true;
    }

    /** Frames the prepared packet becomes. */
    int segments() {
        return segments;
    }

    /**
     * Builds segment {@code k} of the prepared packet into {@code frame} at
     * {@code offset}: the headers with the IP length, IPv4 id and header
     * checksum, TCP sequence number and flags of that segment, its payload, and
     * the complete TCP checksum (RFC 9293 §3.1; FIN and PSH only on the last
     * segment, CWR only on the first, as Linux's tcp_gso_segment does).
     *
     * @return the frame's length
     */
    int build(int k, PacketBytes pkt, MemorySegment frame, long offset) {
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
        sum = Checksum.add(sum, frame, tcp, tcpLen);
        frame.set(BE16, tcp + 16, (short) Checksum.finish(sum));
        return hdrLen + segLen;
    }

    /**
     * Completes a checksum the guest left partial (VIRTIO_NET_HDR_F_NEEDS_CSUM,
     * §5.1.6.2; {@link Checksum#completePartial}).
     *
     * @return false (see {@link #problem()}) if the offsets do not fit the packet
     */
    boolean completeChecksum(MemorySegment frame, long offset, int length, int csumStart, int csumOffset) {
        if (!Checksum.completePartial(frame, offset, length, csumStart, csumOffset)) {
            return refuse("checksum at " + csumStart + "+" + csumOffset + " outside a packet of " + length + " bytes");
        }
        return true;
    }

    private int u16(int at) {
        return hdr.get(BE16, at) & 0xffff;
    }
}
