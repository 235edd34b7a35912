package io.pktstack.testfixtures;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * Ethernet frames as hex, one per packet type, shared by the wire views'
 * tests (api), the stack's (core) and the shell's frame summaries. They were built with an
 * independent RFC 1071 implementation in Python (struct.unpack of 16-bit words,
 * end-around carry), checked against the RFC 1071 §3 example and the well-known
 * IPv4 header example (checksum 0xb861); no checksum here was produced by the
 * code under test. Hosts are QEMU user-networking style: 10.0.2.15 behind
 * gateway 10.0.2.2.
 */
public final class WireFixtures {

    public static final long HOST_MAC = 0x5254_0012_3456L;
    public static final long GW_MAC = 0x5255_0a00_0202L;
    public static final long PEER_MAC = 0x5254_00ab_cdefL;
    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;

    public static final int HOST_IP = 0x0a00_020f;
    public static final int GW_IP = 0x0a00_0202;
    public static final int DNS_IP = 0x0a00_0203;

    /** fe80::/64 */
    public static final long LINK_LOCAL_HI = 0xfe80_0000_0000_0000L;
    /** fe80::5054:ff:fe12:3456, the EUI-64 address of HOST_MAC (RFC 4291 §2.5.1). */
    public static final long HOST_LL_LO = 0x5054_00ff_fe12_3456L;
    /** fe80::2 */
    public static final long GW_LL_LO = 2;
    /** ff02::1:ff00:2, the solicited-node address of fe80::2 (RFC 4291 §2.7.1). */
    public static final long SOLICITED_HI = 0xff02_0000_0000_0000L;
    public static final long SOLICITED_LO = 0x0000_0001_ff00_0002L;
    /** 2001:db8::/64 (RFC 3849); the hosts are ::1 and ::2. */
    public static final long DOC_HI = 0x2001_0db8_0000_0000L;

    /** Who has 10.0.2.2? Tell 10.0.2.15 (RFC 826 request, unpadded as captured on the sender). */
    public static final String ARP_REQUEST = """
            ffff ffff ffff 5254 0012 3456 0806 0001
            0800 0604 0001 5254 0012 3456 0a00 020f
            0000 0000 0000 0a00 0202
            """;

    /** 10.0.2.2 is at 52:55:0a:00:02:02, to 52:54:00:12:34:56 / 10.0.2.15. */
    public static final String ARP_REPLY = """
            5254 0012 3456 5255 0a00 0202 0806 0001
            0800 0604 0002 5255 0a00 0202 0a00 0202
            5254 0012 3456 0a00 020f
            """;

    /** ping 10.0.2.15 -> 10.0.2.2, id 0x0d2a seq 1, DF, TTL 64, Linux-style 56-byte data. */
    public static final String ICMP_ECHO_REQUEST = """
            5255 0a00 0202 5254 0012 3456 0800 4500
            0054 1c46 4000 4001 0653 0a00 020f 0a00
            0202 0800 772c 0d2a 0001 c4d3 b767 0000
            0000 2d9a 0b00 0000 0000 1011 1213 1415
            1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
            2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
            3637
            """;

    /** The reply to {@link #ICMP_ECHO_REQUEST}: no DF, TTL 255, same id, seq and data. */
    public static final String ICMP_ECHO_REPLY = """
            5254 0012 3456 5255 0a00 0202 0800 4500
            0054 8b1e 0000 ff01 187a 0a00 0202 0a00
            020f 0000 7f2c 0d2a 0001 c4d3 b767 0000
            0000 2d9a 0b00 0000 0000 1011 1213 1415
            1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
            2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
            3637
            """;

    /** NS from fe80::5054:ff:fe12:3456 to ff02::1:ff00:2 for target fe80::2, with a source link-layer address option. */
    public static final String IPV6_NS = """
            3333 ff00 0002 5254 0012 3456 86dd 6000
            0000 0020 3aff fe80 0000 0000 0000 5054
            00ff fe12 3456 ff02 0000 0000 0000 0000
            0001 ff00 0002 8700 7220 0000 0000 fe80
            0000 0000 0000 0000 0000 0000 0002 0101
            5254 0012 3456
            """;

    /** Solicited NA (S and O set) from fe80::2 to fe80::5054:ff:fe12:3456, with a target link-layer address option. */
    public static final String IPV6_NA = """
            5254 0012 3456 5255 0a00 0202 86dd 6000
            0000 0020 3aff fe80 0000 0000 0000 0000
            0000 0000 0002 fe80 0000 0000 0000 5054
            00ff fe12 3456 8800 3809 6000 0000 fe80
            0000 0000 0000 0000 0000 0000 0002 0201
            5255 0a00 0202
            """;

    /** Echo request 2001:db8::1 -> 2001:db8::2, id 0x1f2e seq 7, data "pktstack ping6!!". */
    public static final String ICMPV6_ECHO_REQUEST = """
            5254 00ab cdef 5254 0012 3456 86dd 6000
            0000 0018 3a40 2001 0db8 0000 0000 0000
            0000 0000 0001 2001 0db8 0000 0000 0000
            0000 0000 0002 8000 3621 1f2e 0007 706b
            7473 7461 636b 2070 696e 6736 2121
            """;

    /** DNS query (A example.com) 10.0.2.15:54321 -> 10.0.2.3:53. */
    public static final String UDP_IPV4 = """
            5255 0a00 0202 5254 0012 3456 0800 4500
            0039 4d2f 4000 4011 d573 0a00 020f 0a00
            0203 d431 0035 0025 97f0 abcd 0100 0001
            0000 0000 0000 0765 7861 6d70 6c65 0363
            6f6d 0000 0100 01
            """;

    /** 2001:db8::1:40000 -> 2001:db8::2:7 (echo), traffic class 0xb8, flow label 0x12345, data "hello pktstack\n". */
    public static final String UDP_IPV6 = """
            5254 00ab cdef 5254 0012 3456 86dd 6b81
            2345 0017 1140 2001 0db8 0000 0000 0000
            0000 0000 0001 2001 0db8 0000 0000 0000
            0000 0000 0002 9c40 0007 0017 fd65 6865
            6c6c 6f20 706b 7473 7461 636b 0a
            """;

    private WireFixtures() {
    }

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    public static MemorySegment segment(String hex) {
        return MemorySegment.ofArray(bytes(hex));
    }

    public static String hex(MemorySegment seg) {
        return HexFormat.of().formatHex(seg.toArray(ValueLayout.JAVA_BYTE));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** All fixtures, for the truncation and fuzz tests. */
    public static byte[][] all() {
        return new byte[][] {
            bytes(ARP_REQUEST), bytes(ARP_REPLY), bytes(ICMP_ECHO_REQUEST), bytes(ICMP_ECHO_REPLY),
            bytes(IPV6_NS), bytes(IPV6_NA), bytes(ICMPV6_ECHO_REQUEST), bytes(UDP_IPV4), bytes(UDP_IPV6),
        };
    }
}
