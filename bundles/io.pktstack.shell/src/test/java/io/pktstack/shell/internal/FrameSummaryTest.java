package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Byte fixtures are those of the api bundle's wire tests (io.pktstack.api.wire.Fixtures),
 * QEMU user-networking style: 10.0.2.15 (52:54:00:12:34:56) behind gateway 10.0.2.2.
 */
class FrameSummaryTest {

    static final String ARP_REQUEST = """
            ffff ffff ffff 5254 0012 3456 0806 0001
            0800 0604 0001 5254 0012 3456 0a00 020f
            0000 0000 0000 0a00 0202
            """;

    static final String ARP_REPLY = """
            5254 0012 3456 5255 0a00 0202 0806 0001
            0800 0604 0002 5255 0a00 0202 0a00 0202
            5254 0012 3456 0a00 020f
            """;

    static final String ICMP_ECHO_REQUEST = """
            5255 0a00 0202 5254 0012 3456 0800 4500
            0054 1c46 4000 4001 0653 0a00 020f 0a00
            0202 0800 772c 0d2a 0001 c4d3 b767 0000
            0000 2d9a 0b00 0000 0000 1011 1213 1415
            1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
            2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
            3637
            """;

    static final String ICMP_ECHO_REPLY = """
            5254 0012 3456 5255 0a00 0202 0800 4500
            0054 8b1e 0000 ff01 187a 0a00 0202 0a00
            020f 0000 7f2c 0d2a 0001 c4d3 b767 0000
            0000 2d9a 0b00 0000 0000 1011 1213 1415
            1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
            2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
            3637
            """;

    static final String IPV6_NS = """
            3333 ff00 0002 5254 0012 3456 86dd 6000
            0000 0020 3aff fe80 0000 0000 0000 5054
            00ff fe12 3456 ff02 0000 0000 0000 0000
            0001 ff00 0002 8700 7220 0000 0000 fe80
            0000 0000 0000 0000 0000 0000 0002 0101
            5254 0012 3456
            """;

    static final String IPV6_NA = """
            5254 0012 3456 5255 0a00 0202 86dd 6000
            0000 0020 3aff fe80 0000 0000 0000 0000
            0000 0000 0002 fe80 0000 0000 0000 5054
            00ff fe12 3456 8800 3809 6000 0000 fe80
            0000 0000 0000 0000 0000 0000 0002 0201
            5255 0a00 0202
            """;

    static final String ICMPV6_ECHO_REQUEST = """
            5254 00ab cdef 5254 0012 3456 86dd 6000
            0000 0018 3a40 2001 0db8 0000 0000 0000
            0000 0000 0001 2001 0db8 0000 0000 0000
            0000 0000 0002 8000 3621 1f2e 0007 706b
            7473 7461 636b 2070 696e 6736 2121
            """;

    static final String UDP_IPV4 = """
            5255 0a00 0202 5254 0012 3456 0800 4500
            0039 4d2f 4000 4011 d573 0a00 020f 0a00
            0203 d431 0035 0025 97f0 abcd 0100 0001
            0000 0000 0000 0765 7861 6d70 6c65 0363
            6f6d 0000 0100 01
            """;

    static final String UDP_IPV6 = """
            5254 00ab cdef 5254 0012 3456 86dd 6b81
            2345 0017 1140 2001 0db8 0000 0000 0000
            0000 0000 0001 2001 0db8 0000 0000 0000
            0000 0000 0002 9c40 0007 0017 fd65 6865
            6c6c 6f20 706b 7473 7461 636b 0a
            """;

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    private static String describe(String hex) {
        return FrameSummary.describe(bytes(hex));
    }

    @Test
    void arpRequest() {
        assertEquals("52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: "
                + "ARP, Request who-has 10.0.2.2 tell 10.0.2.15, length 28", describe(ARP_REQUEST));
    }

    @Test
    void arpReply() {
        assertEquals("52:55:0a:00:02:02 > 52:54:00:12:34:56, ethertype ARP (0x0806), length 42: "
                + "ARP, Reply 10.0.2.2 is-at 52:55:0a:00:02:02, length 28", describe(ARP_REPLY));
    }

    @Test
    void icmpEchoRequestAndReply() {
        assertEquals("52:54:00:12:34:56 > 52:55:0a:00:02:02, ethertype IPv4 (0x0800), length 98: "
                + "10.0.2.15 > 10.0.2.2: ICMP echo request, id 3370, seq 1, length 64", describe(ICMP_ECHO_REQUEST));
        assertEquals("52:55:0a:00:02:02 > 52:54:00:12:34:56, ethertype IPv4 (0x0800), length 98: "
                + "10.0.2.2 > 10.0.2.15: ICMP echo reply, id 3370, seq 1, length 64", describe(ICMP_ECHO_REPLY));
    }

    @Test
    void icmpv6NeighborDiscovery() {
        assertEquals("52:54:00:12:34:56 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 86: "
                + "fe80::5054:ff:fe12:3456 > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has fe80::2, length 32",
                describe(IPV6_NS));
        assertEquals("52:55:0a:00:02:02 > 52:54:00:12:34:56, ethertype IPv6 (0x86dd), length 86: "
                + "fe80::2 > fe80::5054:ff:fe12:3456: ICMP6, neighbor advertisement, tgt is fe80::2, length 32",
                describe(IPV6_NA));
    }

    @Test
    void icmpv6EchoRequest() {
        assertEquals("52:54:00:12:34:56 > 52:54:00:ab:cd:ef, ethertype IPv6 (0x86dd), length 78: "
                + "2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7982, seq 7, length 24",
                describe(ICMPV6_ECHO_REQUEST));
    }

    @Test
    void udpOverIpv4AndIpv6() {
        assertEquals("52:54:00:12:34:56 > 52:55:0a:00:02:02, ethertype IPv4 (0x0800), length 71: "
                + "10.0.2.15.54321 > 10.0.2.3.53: UDP, length 29", describe(UDP_IPV4));
        assertEquals("52:54:00:12:34:56 > 52:54:00:ab:cd:ef, ethertype IPv6 (0x86dd), length 77: "
                + "2001:db8::1.40000 > 2001:db8::2.7: UDP, length 15", describe(UDP_IPV6));
    }

    @Test
    void otherIpProtocolIsNamed() {
        byte[] b = bytes(UDP_IPV4);
        b[14 + 9] = 6; // TCP; the header checksum is not what the summary reads
        assertTrue(FrameSummary.describe(b).endsWith(": 10.0.2.15 > 10.0.2.3: TCP, length 37"), FrameSummary.describe(b));
        b[14 + 9] = (byte) 200;
        assertTrue(FrameSummary.describe(b).endsWith(": 10.0.2.15 > 10.0.2.3: ip-proto-200, length 37"),
                FrameSummary.describe(b));
    }

    @Test
    void unknownEtherTypeKeepsItsNumber() {
        byte[] b = bytes(ARP_REQUEST);
        b[12] = (byte) 0x88;
        b[13] = (byte) 0xb5;
        assertEquals("52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff, ethertype 0x88b5 (0x88b5), length 42: ",
                FrameSummary.describe(b));
    }

    @Test
    void truncatedFramesPrintAsSuchInsteadOfFailing() {
        assertEquals("[|ether] length 13", FrameSummary.describe(Arrays.copyOf(bytes(ARP_REQUEST), 13)));
        assertEquals("[|ether] length 0", FrameSummary.describe(new byte[0]));
        assertTrue(FrameSummary.describe(Arrays.copyOf(bytes(ARP_REQUEST), 41)).endsWith(": [|arp]"));
        // IPv4 total length 84 but only 40 bytes of packet: the IP view refuses it.
        assertTrue(FrameSummary.describe(Arrays.copyOf(bytes(ICMP_ECHO_REQUEST), 54)).endsWith(": [|ip]"));
        assertTrue(FrameSummary.describe(Arrays.copyOf(bytes(IPV6_NS), 60)).endsWith(": [|ip6]"));
    }

    @Test
    void everyPrefixOfEveryFixtureGivesALine() {
        for (String fixture : new String[] {ARP_REQUEST, ARP_REPLY, ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY, IPV6_NS,
            IPV6_NA, ICMPV6_ECHO_REQUEST, UDP_IPV4, UDP_IPV6}) {
            byte[] full = bytes(fixture);
            for (int n = 0; n <= full.length; n++) {
                String line = FrameSummary.describe(Arrays.copyOf(full, n));
                assertTrue(line.contains("length " + n), n + ": " + line);
            }
        }
    }

    @Test
    void lineHasUtcTimeWithMicrosecondsAndDirection() {
        long micros = 1_700_000_000_000_000L + 123_456; // 2023-11-14T22:13:20.123456Z
        assertEquals("22:13:20.123456 Out " + describe(ARP_REQUEST), FrameSummary.line(micros, true, bytes(ARP_REQUEST)));
        assertEquals("22:13:20.000007 In  " + describe(ARP_REPLY),
                FrameSummary.line(1_700_000_000_000_007L, false, bytes(ARP_REPLY)));
    }
}
