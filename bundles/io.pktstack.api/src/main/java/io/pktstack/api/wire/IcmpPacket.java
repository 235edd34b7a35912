package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * A view of an ICMPv4 message (RFC 792): type, code, checksum, then a 32-bit
 * field whose meaning depends on the type (identifier and sequence for echo).
 * The message is the whole wrapped range, so wrap it with the IPv4 payload
 * length. Reusable; see {@link EthernetFrame} for the wrap contract.
 */
public final class IcmpPacket {

    public static final int HEADER_LEN = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int REST = 4;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public IcmpPacket wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if the range holds the 8-byte header. ICMP has
     * no length field of its own. On false the view is left as it was.
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

    public int type() {
        return u8(seg, off + TYPE);
    }

    public void setType(int type) {
        setU8(seg, off + TYPE, type);
    }

    public int code() {
        return u8(seg, off + CODE);
    }

    public void setCode(int code) {
        setU8(seg, off + CODE, code);
    }

    public int checksum() {
        return u16(seg, off + CHECKSUM);
    }

    public void setChecksum(int checksum) {
        setU16(seg, off + CHECKSUM, checksum);
    }

    /** The 32-bit field after the checksum: unused, gateway or pointer, by type. */
    public int restOfHeader() {
        return i32(seg, off + REST);
    }

    public void setRestOfHeader(int value) {
        setI32(seg, off + REST, value);
    }

    /** Echo identifier (RFC 792 "Echo or Echo Reply Message"). */
    public int identifier() {
        return u16(seg, off + IDENTIFIER);
    }

    public void setIdentifier(int identifier) {
        setU16(seg, off + IDENTIFIER, identifier);
    }

    public int sequence() {
        return u16(seg, off + SEQUENCE);
    }

    public void setSequence(int sequence) {
        setU16(seg, off + SEQUENCE, sequence);
    }

    /** Segment offset of the data after the 8-byte header. */
    public long payloadOffset() {
        return off + HEADER_LEN;
    }

    public int payloadLength() {
        return len - HEADER_LEN;
    }

    /**
     * The checksum over the first {@code length} bytes of the message, taken as
     * if the checksum field were zero (RFC 792: "starting with the ICMP Type").
     *
     * @throws IndexOutOfBoundsException if {@code length} is not in {@code [8, length()]}
     */
    public int computeChecksum(int length) {
        if (length < HEADER_LEN || length > len) {
            throw new IndexOutOfBoundsException("ICMP length " + length + " outside [8, " + len + "]");
        }
        long acc = Checksum.sum(seg, off, CHECKSUM);
        acc = Checksum.add(acc, seg, off + REST, length - REST);
        return Checksum.finish(acc);
    }

    /** Stores the checksum over the first {@code length} bytes (emit: wrap the buffer, fill the message, then this). */
    public void fillChecksum(int length) {
        setChecksum(computeChecksum(length));
    }

    /** Stores the checksum over the whole wrapped message. */
    public void fillChecksum() {
        fillChecksum(len);
    }

    /** True if the wrapped message, checksum included, sums to all ones. */
    public boolean verifyChecksum() {
        return Checksum.fold(Checksum.sum(seg, off, len)) == 0xFFFF;
    }
}
