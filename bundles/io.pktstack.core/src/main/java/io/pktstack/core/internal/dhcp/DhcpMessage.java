package io.pktstack.core.internal.dhcp;

import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A DHCP message (RFC 2131 §2, Figure 1) with the options of RFC 2132 this
 * stack's server and client use, parsed from and written to a UDP payload.
 * Addresses are IPv4 ints in network order, the client's hardware address
 * a MAC in the low 48 bits of a long (Ethernet only: htype 1, hlen 6).
 *
 * <p>{@link #parse} checks every length before it reads: a message shorter
 * than the fixed part and the magic cookie, a hardware type other than
 * Ethernet, an option running past the end, an option of a length its code
 * does not allow, a repeated option, or a message type out of 1..8 is
 * refused with the reason (the caller drops and counts it). Options the
 * stack does not use are skipped.
 *
 * @param op 1 request (client to server), 2 reply
 * @param flags the BROADCAST bit is {@link #FLAG_BROADCAST}
 */
public record DhcpMessage(int op, int xid, int secs, int flags, int ciaddr, int yiaddr, int siaddr, int giaddr,
        long chaddr, DhcpOptions options) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    /** RFC 2131 §2: the client asks for replies to the broadcast address. */
    public static final int FLAG_BROADCAST = 0x8000;
    /** The UDP ports (RFC 2131 §4.1). */
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;

    // Message types (RFC 2132 §9.6).
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    // Option codes (RFC 2132).
    static final int OPT_PAD = 0;
    static final int OPT_SUBNET_MASK = 1;
    static final int OPT_ROUTER = 3;
    static final int OPT_DNS = 6;
    static final int OPT_HOSTNAME = 12;
    static final int OPT_REQUESTED_IP = 50;
    static final int OPT_LEASE_TIME = 51;
    static final int OPT_OVERLOAD = 52;
    static final int OPT_MESSAGE_TYPE = 53;
    static final int OPT_SERVER_ID = 54;
    static final int OPT_PARAMETERS = 55;
    static final int OPT_MESSAGE = 56;
    static final int OPT_MAX_SIZE = 57;
    static final int OPT_RENEWAL = 58;
    static final int OPT_REBINDING = 59;
    static final int OPT_CLIENT_ID = 61;
    static final int OPT_END = 255;

    /** op .. file: the BOOTP fixed part (RFC 2131 §2). */
    static final int FIXED_LEN = 236;
    static final int MAGIC = 0x6382_5363;
    /** Where options start: after the fixed part and the magic cookie (RFC 2131 §3). */
    static final int OPTIONS_AT = FIXED_LEN + 4;
    /** The smallest BOOTP message relays and old clients accept (RFC 1542 §2.1): shorter ones are padded. */
    static final int MIN_LEN = 300;

    public static String typeName(int type) {
        return switch (type) {
            case DISCOVER -> "DHCPDISCOVER";
            case OFFER -> "DHCPOFFER";
            case REQUEST -> "DHCPREQUEST";
            case DECLINE -> "DHCPDECLINE";
            case ACK -> "DHCPACK";
            case NAK -> "DHCPNAK";
            case RELEASE -> "DHCPRELEASE";
            case INFORM -> "DHCPINFORM";
            default -> "DHCP type " + type;
        };
    }

    public int type() {
        return options.type();
    }

    public boolean broadcast() {
        return (flags & FLAG_BROADCAST) != 0;
    }

    /** A message that breaks the format; the text names what. */
    public static final class MalformedException extends Exception {
        MalformedException(String what) {
            super(what, null, false, false);
        }
    }

    /** Parses {@code [off, off + len)} of {@code s}, the UDP payload. */
    public static DhcpMessage parse(MemorySegment s, long off, int len) throws MalformedException {
        if (off < 0 || len < OPTIONS_AT || off > s.byteSize() - len) {
            throw new MalformedException("shorter than " + OPTIONS_AT + " bytes: " + len);
        }
        int op = Be.u8(s, off);
        if (op != BOOTREQUEST && op != BOOTREPLY) {
            throw new MalformedException("op " + op);
        }
        if (Be.u8(s, off + 1) != 1 || Be.u8(s, off + 2) != 6) {
            throw new MalformedException("hardware type " + Be.u8(s, off + 1) + " length " + Be.u8(s, off + 2)
                    + " (Ethernet only)");
        }
        if (Be.i32(s, off + FIXED_LEN) != MAGIC) {
            throw new MalformedException("no magic cookie");
        }
        DhcpOptions.Builder o = new DhcpOptions.Builder();
        boolean[] seen = new boolean[256];
        int i = OPTIONS_AT;
        while (i < len) {
            int code = Be.u8(s, off + i);
            if (code == OPT_PAD) {
                i++;
                continue;
            }
            if (code == OPT_END) {
                break;
            }
            if (i + 2 > len) {
                throw new MalformedException("option " + code + " cut off");
            }
            int l = Be.u8(s, off + i + 1);
            long v = off + i + 2;
            if (i + 2 + l > len) {
                throw new MalformedException("option " + code + " of " + l + " bytes runs past the message");
            }
            if (seen[code]) {
                throw new MalformedException("option " + code + " repeated");
            }
            seen[code] = true;
            switch (code) {
                case OPT_MESSAGE_TYPE -> {
                    need(code, l, 1);
                    int t = Be.u8(s, v);
                    if (t < DISCOVER || t > INFORM) {
                        throw new MalformedException("message type " + t);
                    }
                    o.type = t;
                }
                case OPT_SUBNET_MASK -> o.subnetMask = int32(code, l, s, v);
                case OPT_REQUESTED_IP -> o.requestedIp = int32(code, l, s, v);
                case OPT_SERVER_ID -> o.serverId = int32(code, l, s, v);
                case OPT_LEASE_TIME -> o.leaseSeconds = int32(code, l, s, v) & 0xFFFF_FFFFL;
                case OPT_RENEWAL -> o.renewalSeconds = int32(code, l, s, v) & 0xFFFF_FFFFL;
                case OPT_REBINDING -> o.rebindingSeconds = int32(code, l, s, v) & 0xFFFF_FFFFL;
                case OPT_ROUTER, OPT_DNS -> {
                    if (l == 0 || l % 4 != 0) {
                        throw new MalformedException("option " + code + " of " + l + " bytes (a list of addresses)");
                    }
                    int[] a = new int[l / 4];
                    for (int k = 0; k < a.length; k++) {
                        a[k] = Be.i32(s, v + 4L * k);
                    }
                    if (code == OPT_ROUTER) {
                        o.routers = a;
                    } else {
                        o.dns = a;
                    }
                }
                case OPT_HOSTNAME, OPT_MESSAGE -> {
                    if (l == 0) {
                        throw new MalformedException("option " + code + " empty");
                    }
                    String text = printable(s, v, l);
                    if (code == OPT_HOSTNAME) {
                        o.hostname = text;
                    } else {
                        o.message = text;
                    }
                }
                case OPT_CLIENT_ID -> {
                    if (l < 2) {
                        throw new MalformedException("client identifier of " + l + " bytes (RFC 2132 §9.14: at least 2)");
                    }
                    o.clientId = bytes(s, v, l);
                }
                case OPT_PARAMETERS -> o.parameters = bytes(s, v, l);
                case OPT_MAX_SIZE -> {
                    need(code, l, 2);
                    o.maxSize = Be.u16(s, v);
                }
                default -> { } // RFC 2131 §3: options a party does not know are ignored
            }
            i += 2 + l;
        }
        return new DhcpMessage(op, Be.i32(s, off + 4), Be.u16(s, off + 8), Be.u16(s, off + 10), Be.i32(s, off + 12),
                Be.i32(s, off + 16), Be.i32(s, off + 20), Be.i32(s, off + 24), Be.mac(s, off + 28), o.build());
    }

    private static void need(int code, int l, int want) throws MalformedException {
        if (l != want) {
            throw new MalformedException("option " + code + " of " + l + " bytes (want " + want + ")");
        }
    }

    private static int int32(int code, int l, MemorySegment s, long v) throws MalformedException {
        need(code, l, 4);
        return Be.i32(s, v);
    }

    private static byte[] bytes(MemorySegment s, long at, int l) {
        byte[] b = new byte[l];
        MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, at, b, 0, l);
        return b;
    }

    /** Text from a peer, with anything but printable ASCII shown as '?' (it ends up in a shell's output). */
    private static String printable(MemorySegment s, long at, int l) {
        byte[] b = bytes(s, at, l);
        for (int k = 0; k < b.length; k++) {
            if (b[k] < 0x20 || b[k] > 0x7e) {
                b[k] = '?';
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Bytes {@link #write} produces: the fixed part, the cookie, the options and END, at least {@link #MIN_LEN}. */
    public int length() {
        return Math.max(MIN_LEN, OPTIONS_AT + options.encodedLength() + 1);
    }

    /** Writes the message at {@code off} (room for {@link #length()} bytes is the caller's); returns its length. */
    public int write(MemorySegment s, long off) {
        int n = length();
        s.asSlice(off, n).fill((byte) 0);
        Be.u8(s, off, op);
        Be.u8(s, off + 1, 1);
        Be.u8(s, off + 2, 6);
        Be.i32(s, off + 4, xid);
        Be.u16(s, off + 8, secs);
        Be.u16(s, off + 10, flags);
        Be.i32(s, off + 12, ciaddr);
        Be.i32(s, off + 16, yiaddr);
        Be.i32(s, off + 20, siaddr);
        Be.i32(s, off + 24, giaddr);
        Be.mac(s, off + 28, chaddr);
        Be.i32(s, off + FIXED_LEN, MAGIC);
        long at = options.write(s, off + OPTIONS_AT);
        Be.u8(s, at, OPT_END);
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpMessage m && op == m.op && xid == m.xid && secs == m.secs && flags == m.flags
                && ciaddr == m.ciaddr && yiaddr == m.yiaddr && siaddr == m.siaddr && giaddr == m.giaddr
                && chaddr == m.chaddr && options.equals(m.options);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new long[] {op, xid, ciaddr, yiaddr, chaddr, options.hashCode()});
    }
}
