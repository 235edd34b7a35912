package io.pktstack.api.wire;

import static io.pktstack.api.wire.NetOrder.i32;
import static io.pktstack.api.wire.NetOrder.i64;
import static io.pktstack.api.wire.NetOrder.mac;
import static io.pktstack.api.wire.NetOrder.setI32;
import static io.pktstack.api.wire.NetOrder.setI64;
import static io.pktstack.api.wire.NetOrder.setMac;
import static io.pktstack.api.wire.NetOrder.setU16;
import static io.pktstack.api.wire.NetOrder.setU8;
import static io.pktstack.api.wire.NetOrder.u16;
import static io.pktstack.api.wire.NetOrder.u8;

import java.lang.foreign.MemorySegment;

/**
 * A view of an ICMPv6 message (RFC 4443 §2.1), with the Neighbor Discovery
 * messages of RFC 4861 §4. The message is the whole wrapped range: wrap it with
 * the upper-layer length, which is also the length in the checksum's
 * pseudo-header. Addresses are two longs as in {@link Ipv6Packet}. Reusable;
 * see {@link EthernetFrame} for the wrap contract.
 *
 * <p>Neighbor Discovery accessors ({@link #targetHi()}, the flags, the options)
 * are only meaningful, and only known to be in bounds, when {@link #type()} is
 * the ND type they belong to and the view came from {@link #wrapChecked}.
 */
public final class Icmpv6Packet {

    /** Type, code, checksum and the 32-bit field every message has (RFC 4443 §2.1, §3, §4). */
    public static final int HEADER_LEN = 8;

    public static final int TYPE_DEST_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_ROUTER_SOLICITATION = 133;
    public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
    public static final int TYPE_REDIRECT = 137;

    /** ND option types (RFC 4861 §4.6.1). */
    public static final int OPT_SOURCE_LINK_ADDR = 1;
    public static final int OPT_TARGET_LINK_ADDR = 2;

    /** {@link #findOption} results that are not offsets. */
    public static final int NO_OPTION = -1;
    public static final int MALFORMED_OPTIONS = -2;

    /** Length of an Ethernet link-layer address option, type and length included (RFC 2464 §6). */
    public static final int LINK_ADDR_OPTION_LEN = 8;

    /** NS and NA: header, flags/reserved word, target (RFC 4861 §4.3, §4.4). */
    public static final int ND_NEIGHBOR_LEN = 24;

    /** NA flags, in the first byte after the checksum (RFC 4861 §4.4). */
    private static final int NA_ROUTER = 0x8000_0000;
    private static final int NA_SOLICITED = 0x4000_0000;
    private static final int NA_OVERRIDE = 0x2000_0000;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int REST = 4;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;
    private static final int TARGET = 8;

    private MemorySegment seg;
    private long off;
    private int len;

    /** Views {@code [offset, offset + length)} without checks, for emitting. */
    public Icmpv6Packet wrap(MemorySegment seg, long offset, int length) {
        this.seg = seg;
        this.off = offset;
        this.len = length;
        return this;
    }

    /**
     * Views untrusted bytes: true if the range holds the 8-byte header and, for
     * an ND message, its fixed part and well-formed options: every option has a
     * non-zero length and ends inside the message (RFC 4861 §4.6 says to
     * discard otherwise). Checksum and ND validity rules (hop limit 255, code 0)
     * are the caller's. On false the view is left as it was.
     */
    public boolean wrapChecked(MemorySegment seg, long offset, int length) {
        if (!NetOrder.inBounds(seg, offset, length) || length < HEADER_LEN) {
            return false;
        }
        int start = optionsStart(u8(seg, offset + TYPE));
        if (start >= 0 && (length < start || scan(seg, offset, length, start, -1) != NO_OPTION)) {
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

    /** The 32-bit field after the checksum: MTU, pointer, NA flags or reserved, by type. */
    public int restOfHeader() {
        return i32(seg, off + REST);
    }

    public void setRestOfHeader(int value) {
        setI32(seg, off + REST, value);
    }

    /** Echo identifier (RFC 4443 §4.1). */
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

    /** Segment offset of the data after the 8-byte header (echo data, invoking packet). */
    public long payloadOffset() {
        return off + HEADER_LEN;
    }

    public int payloadLength() {
        return len - HEADER_LEN;
    }

    // ---- Checksum (RFC 4443 §2.3: over the pseudo-header of RFC 8200 §8.1 and the message)

    /** The checksum of the wrapped message, taken as if the checksum field were zero. */
    public int computeChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        long acc = Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, len);
        acc = Checksum.add(acc, seg, off, CHECKSUM);
        acc = Checksum.add(acc, seg, off + REST, len - REST);
        return Checksum.finish(acc);
    }

    public void fillChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        setChecksum(computeChecksum(srcHi, srcLo, dstHi, dstLo));
    }

    /** True if pseudo-header and message, checksum included, sum to all ones. */
    public boolean verifyChecksum(long srcHi, long srcLo, long dstHi, long dstLo) {
        long acc = Checksum.addPseudoHeaderV6(0, srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, len);
        return Checksum.fold(Checksum.add(acc, seg, off, len)) == 0xFFFF;
    }

    /** {@link #fillChecksum(long, long, long, long)} with the addresses of {@code ip}. */
    public void fillChecksum(Ipv6Packet ip) {
        fillChecksum(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
    }

    public boolean verifyChecksum(Ipv6Packet ip) {
        return verifyChecksum(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
    }

    // ---- Neighbor Solicitation / Advertisement (RFC 4861 §4.3, §4.4)

    /** High 64 bits of the NS/NA Target Address. */
    public long targetHi() {
        return i64(seg, off + TARGET);
    }

    public long targetLo() {
        return i64(seg, off + TARGET + 8);
    }

    public void setTarget(long hi, long lo) {
        setI64(seg, off + TARGET, hi);
        setI64(seg, off + TARGET + 8, lo);
    }

    /** Copies the 16 target address bytes to {@code to[at..at+16)}. */
    public void copyTargetTo(byte[] to, int at) {
        NetOrder.longToBytes(targetHi(), to, at);
        NetOrder.longToBytes(targetLo(), to, at + 8);
    }

    /** NA Router flag: the sender is a router. */
    public boolean routerFlag() {
        return (restOfHeader() & NA_ROUTER) != 0;
    }

    /** NA Solicited flag: sent in response to an NS. */
    public boolean solicitedFlag() {
        return (restOfHeader() & NA_SOLICITED) != 0;
    }

    /** NA Override flag: the advertisement should replace a cached link-layer address. */
    public boolean overrideFlag() {
        return (restOfHeader() & NA_OVERRIDE) != 0;
    }

    /** Writes the NA flags word, reserved bits zero (for an NS write {@code setRestOfHeader(0)}). */
    public void setNaFlags(boolean router, boolean solicited, boolean override) {
        setRestOfHeader((router ? NA_ROUTER : 0) | (solicited ? NA_SOLICITED : 0) | (override ? NA_OVERRIDE : 0));
    }

    // ---- ND options (RFC 4861 §4.6)

    /** Message offset where ND options begin for this type, or -1 if the type carries none. */
    public int optionsOffset() {
        return optionsStart(type());
    }

    /**
     * Message offset (relative to {@link #offset()}) of the first option of
     * {@code optionType}, or {@link #NO_OPTION}, or {@link #MALFORMED_OPTIONS}
     * if the scan meets a zero length or an option running past the message.
     * Never reads outside the wrapped range.
     */
    public int findOption(int optionType) {
        int start = optionsOffset();
        if (start < 0 || start > len) {
            return start < 0 ? NO_OPTION : MALFORMED_OPTIONS;
        }
        return scan(seg, off, len, start, optionType);
    }

    /** The 48-bit address in the Source Link-Layer Address option, or -1 if absent or malformed. */
    public long sourceLinkLayerAddress() {
        return linkLayerAddress(OPT_SOURCE_LINK_ADDR);
    }

    /** The 48-bit address in the Target Link-Layer Address option, or -1 if absent or malformed. */
    public long targetLinkLayerAddress() {
        return linkLayerAddress(OPT_TARGET_LINK_ADDR);
    }

    private long linkLayerAddress(int optionType) {
        int at = findOption(optionType);
        // A found option is at least 8 bytes, so the six address bytes are inside it.
        return at < 0 ? -1 : mac(seg, off + at + 2);
    }

    /**
     * Writes an Ethernet link-layer address option ({@link #OPT_SOURCE_LINK_ADDR}
     * or {@link #OPT_TARGET_LINK_ADDR}) at message offset {@code at}; returns
     * the offset after it.
     */
    public int setLinkLayerAddressOption(int at, int optionType, long mac) {
        setU8(seg, off + at, optionType);
        setU8(seg, off + at + 1, LINK_ADDR_OPTION_LEN / 8);
        setMac(seg, off + at + 2, mac);
        return at + LINK_ADDR_OPTION_LEN;
    }

    /** Where options start for an ND type (RFC 4861 §4.1-§4.5), -1 for other types. */
    private static int optionsStart(int type) {
        return switch (type) {
            case TYPE_ROUTER_SOLICITATION -> 8;
            case TYPE_ROUTER_ADVERTISEMENT -> 16;
            case TYPE_NEIGHBOR_SOLICITATION, TYPE_NEIGHBOR_ADVERTISEMENT -> ND_NEIGHBOR_LEN;
            case TYPE_REDIRECT -> 40;
            default -> -1;
        };
    }

    /**
     * Walks options from {@code start} to {@code len}: the offset of the first
     * of {@code optionType}, else NO_OPTION once the options end exactly at
     * {@code len}. Pass -1 to validate them all. Reads only inside {@code [off, off + len)}.
     */
    private static int scan(MemorySegment seg, long off, int len, int start, int optionType) {
        int pos = start;
        while (pos < len) {
            if (len - pos < 2) {
                return MALFORMED_OPTIONS;
            }
            int optLen = u8(seg, off + pos + 1) * 8;
            if (optLen == 0 || optLen > len - pos) {
                return MALFORMED_OPTIONS;
            }
            if (u8(seg, off + pos) == optionType) {
                return pos;
            }
            pos += optLen;
        }
        return NO_OPTION;
    }
}
