package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.testfixtures.WireFixtures;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Byte fixtures are those of the api bundle's wire tests (io.pktstack.api.wire.Fixtures),
 * QEMU user-networking style: 10.0.2.15 (52:54:00:12:34:56) behind gateway 10.0.2.2.
 */
class FrameSummaryTest {

    static final String ARP_REQUEST = WireFixtures.ARP_REQUEST;

    static final String ARP_REPLY = WireFixtures.ARP_REPLY;

    static final String ICMP_ECHO_REQUEST = WireFixtures.ICMP_ECHO_REQUEST;

    static final String ICMP_ECHO_REPLY = WireFixtures.ICMP_ECHO_REPLY;

    static final String IPV6_NS = WireFixtures.IPV6_NS;

    static final String IPV6_NA = WireFixtures.IPV6_NA;

    static final String ICMPV6_ECHO_REQUEST = WireFixtures.ICMPV6_ECHO_REQUEST;

    static final String UDP_IPV4 = WireFixtures.UDP_IPV4;

    static final String UDP_IPV6 = WireFixtures.UDP_IPV6;

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
