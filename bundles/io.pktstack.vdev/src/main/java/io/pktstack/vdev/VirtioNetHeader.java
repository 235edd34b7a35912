package io.pktstack.vdev;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The {@code struct virtio_net_hdr} that precedes every packet on a virtio-net
 * queue (VIRTIO 1.2 §5.1.6): written without offloads, read field by field by
 * a back-end that offers them, and checked by {@link #validate} on a link that
 * negotiates none.
 *
 * <pre>
 * u8 flags; u8 gso_type; le16 hdr_len; le16 gso_size; le16 csum_start; le16 csum_offset;
 * le16 num_buffers;   // absent in the legacy 10-byte form (§5.1.6.1)
 * </pre>
 *
 * <p>The legacy form is guest-endian (§5.1.6.1); both our ends are
 * little-endian, so one encoding serves. A header may sit at any offset in a
 * packet buffer, so accesses are unaligned and bounds-checked: a bad offset
 * gives {@code false}, never an exception.
 */
public final class VirtioNetHeader {

    /** Header length with num_buffers (VIRTIO 1.x). */
    public static final int SIZE = 12;
    /** Header length without num_buffers (legacy interface without MRG_RXBUF). */
    public static final int LEGACY_SIZE = 10;

    /** flags: checksum to be completed from csum_start/csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** flags: checksum already validated. */
    public static final int F_DATA_VALID = 2;
    /** flags: csum fields carry RSC counts. */
    public static final int F_RSC_INFO = 4;
    /** gso_type: no segmentation. */
    public static final int GSO_NONE = 0;
    /** gso_type: TCP over IPv4 (needs HOST_TSO4 or GUEST_TSO4). */
    public static final int GSO_TCPV4 = 1;
    /** gso_type: TCP over IPv6 (needs HOST_TSO6 or GUEST_TSO6). */
    public static final int GSO_TCPV6 = 4;
    /** gso_type bit: the segment had CWR set (needs HOST_ECN or GUEST_ECN). */
    public static final int GSO_ECN = 0x80;

    private static final long FLAGS = 0;
    private static final long GSO_TYPE = 1;
    private static final long HDR_LEN = 2;
    private static final long GSO_SIZE = 4;
    private static final long CSUM_START = 6;
    private static final long CSUM_OFFSET = 8;
    private static final long NUM_BUFFERS = 10;
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VirtioNetHeader() {
    }

    /** Header length: 10 in the legacy form, 12 otherwise. */
    public static int size(boolean legacy) {
        return legacy ? LEGACY_SIZE : SIZE;
    }

    /**
     * Writes a header for a packet without offloads (every field zero) of
     * {@code length} bytes (10 or 12); with 12, num_buffers is
     * {@code numBuffers}: the receive buffers the packet spans with
     * VIRTIO_NET_F_MRG_RXBUF, else 1 (§5.1.6.4).
     */
    public static void write(MemorySegment seg, long off, int length, int numBuffers) {
        write(seg, off, length, numBuffers, 0, 0, 0);
    }

    /**
     * Writes a header with checksum flags ({@link #F_NEEDS_CSUM} with where the
     * checksum starts and goes, or {@link #F_DATA_VALID}) and no segmentation.
     */
    public static void write(MemorySegment seg, long off, int length, int numBuffers, int flags, int csumStart,
            int csumOffset) {
        java.util.Objects.checkFromIndexSize(off, length, seg.byteSize());
        seg.set(ValueLayout.JAVA_LONG_UNALIGNED, off, 0L);
        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, off + 8, (short) 0);
        if (flags != 0) {
            seg.set(ValueLayout.JAVA_BYTE, off + FLAGS, (byte) flags);
            seg.set(U16, off + CSUM_START, (short) csumStart);
            seg.set(U16, off + CSUM_OFFSET, (short) csumOffset);
        }
        if (length == SIZE) {
            seg.set(U16, off + NUM_BUFFERS, (short) numBuffers);
        }
    }

    /**
     * Writes a header for a segmentation-offload packet (§5.1.6.2): NEEDS_CSUM
     * with where the checksum starts and goes, gso_type ({@link #GSO_TCPV4},
     * {@link #GSO_TCPV6}), hdr_len (Ethernet, IP and TCP headers) and gso_size.
     */
    public static void writeGso(MemorySegment seg, long off, int length, int numBuffers, int csumStart,
            int csumOffset, int gsoType, int headerLength, int gsoSize) {
        write(seg, off, length, numBuffers, F_NEEDS_CSUM, csumStart, csumOffset);
        seg.set(ValueLayout.JAVA_BYTE, off + GSO_TYPE, (byte) gsoType);
        seg.set(U16, off + HDR_LEN, (short) headerLength);
        seg.set(U16, off + GSO_SIZE, (short) gsoSize);
    }

    /**
     * {@link #writeGso} for a large segment of the stack's ({@code f.gso()} not
     * GSO_NONE, its checksum partial at the TCP header): hdr_len is read from
     * the TCP header's data offset in the frame.
     */
    public static void writeGso(MemorySegment seg, long off, int length, int numBuffers, io.pktstack.api.frame.Frame f) {
        int doff = (f.segment().get(ValueLayout.JAVA_BYTE, f.offset() + f.csumStart() + 12) & 0xf0) >>> 2;
        writeGso(seg, off, length, numBuffers, f.csumStart(), f.csumOffset(),
                f.gso() == io.pktstack.api.frame.Frame.GSO_TCPV4 ? GSO_TCPV4 : GSO_TCPV6, f.csumStart() + doff,
                f.gsoSize());
    }

    /** flags (§5.1.6): {@link #F_NEEDS_CSUM}, {@link #F_DATA_VALID}, {@link #F_RSC_INFO}. */
    public static int flags(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off + FLAGS) & 0xff;
    }

    /** gso_type (§5.1.6): 0 none, 1 TCPv4, 3 UDP, 4 TCPv6, 5 UDP_L4; bit 0x80 ECN. */
    public static int gsoType(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off + GSO_TYPE) & 0xff;
    }

    /** hdr_len: the driver's hint of the header length; never trusted. */
    public static int hdrLen(MemorySegment seg, long off) {
        return seg.get(U16, off + HDR_LEN) & 0xffff;
    }

    /** gso_size: payload bytes per segment. */
    public static int gsoSize(MemorySegment seg, long off) {
        return seg.get(U16, off + GSO_SIZE) & 0xffff;
    }

    /** csum_start: where checksumming starts, from the start of the packet. */
    public static int csumStart(MemorySegment seg, long off) {
        return seg.get(U16, off + CSUM_START) & 0xffff;
    }

    /** csum_offset: where the checksum goes, from csum_start. */
    public static int csumOffset(MemorySegment seg, long off) {
        return seg.get(U16, off + CSUM_OFFSET) & 0xffff;
    }

    /**
     * Whether NEEDS_CSUM offsets from a peer fit a packet of {@code length}
     * bytes: the sum starts behind an Ethernet header and inside the packet,
     * and the 16-bit field, at an even offset, lies inside it too.
     */
    public static boolean csumFits(int csumStart, int csumOffset, int length) {
        return csumStart >= 14 && csumStart < length && csumOffset <= length - csumStart - 2 && (csumOffset & 1) == 0;
    }

    /** num_buffers (12-byte header only). */
    public static int numBuffers(MemorySegment seg, long off) {
        return seg.get(U16, off + NUM_BUFFERS) & 0xffff;
    }

    /** {@link #validate(MemorySegment, long, boolean, boolean)} for a receiver that negotiated no GUEST_CSUM. */
    public static boolean validate(MemorySegment seg, long off, boolean legacy) {
        return validate(seg, off, legacy, false);
    }

    /**
     * Checks a header read from the peer (either direction) before the packet is
     * used. Reads each field once; call it on a private copy if the peer can
     * still write the buffer.
     *
     * <p>Rejects: a header that does not fit in {@code seg} at {@code off};
     * gso_type other than GSO_NONE, which needs features we never negotiate
     * (§5.1.6.4.1); flags with NEEDS_CSUM unless {@code needsCsumAllowed} (the
     * receiver negotiated GUEST_CSUM; its offsets are the caller's to check);
     * num_buffers above 1, which needs MRG_RXBUF. num_buffers 0 is accepted: it
     * is what a driver sends on transmit (§5.1.6.2.1). Other flag bits are
     * ignored, as §5.1.6.2.2 and §5.1.6.4.2 require.
     *
     * @return whether the packet may be used; false means drop and count it
     */
    public static boolean validate(MemorySegment seg, long off, boolean legacy, boolean needsCsumAllowed) {
        int size = size(legacy);
        if (off < 0 || off > seg.byteSize() - size) {
            return false;
        }
        int flags = seg.get(ValueLayout.JAVA_BYTE, off + FLAGS);
        int gsoType = seg.get(ValueLayout.JAVA_BYTE, off + GSO_TYPE);
        if (gsoType != GSO_NONE || ((flags & F_NEEDS_CSUM) != 0 && !needsCsumAllowed)) {
            return false;
        }
        return legacy || (seg.get(U16, off + NUM_BUFFERS) & 0xffff) <= 1;
    }
}
