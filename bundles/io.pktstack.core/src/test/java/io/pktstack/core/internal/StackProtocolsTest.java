package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NeighborEntry;
import io.pktstack.api.stack.PingResult;
import io.pktstack.api.stack.UdpSocket;
import io.pktstack.testfixtures.WireFixtures;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ARP, ICMP echo, neighbour discovery and UDP through one fake link, with byte
 * fixtures. The stack plays QEMU's gateway 10.0.2.2 (MAC 52:55:0a:00:02:02,
 * also fe80::2 and 2001:db8::2); the peer is 10.0.2.15 / fe80::5054:ff:fe12:3456
 * at 52:54:00:12:34:56. Request fixtures are those of the api bundle's wire
 * tests (checksums from an independent RFC 1071 implementation); expected
 * replies were derived by hand from them and their checksums computed the same
 * independent way.
 */
class StackProtocolsTest extends StackTestBase {

    /** Who has 10.0.2.2? Tell 10.0.2.15 (RFC 826). */
    static final String ARP_REQUEST = WireFixtures.ARP_REQUEST;

    /** 10.0.2.2 is at 52:55:0a:00:02:02. */
    static final String ARP_REPLY = WireFixtures.ARP_REPLY;

    /** ping 10.0.2.15 -> 10.0.2.2, id 0x0d2a seq 1, DF, TTL 64, 56 data bytes. */
    static final String ICMP_ECHO_REQUEST = WireFixtures.ICMP_ECHO_REQUEST;

    /**
     * The reply made in place (RFC 792): MACs and addresses swapped, TTL 64,
     * identification and DF kept (so the IP checksum is unchanged), type 0 and
     * the ICMP checksum 0x772c + 0x0800.
     */
    static final String ICMP_ECHO_REPLY = """
            5254 0012 3456 5255 0a00 0202 0800 4500
            0054 1c46 4000 4001 0653 0a00 0202 0a00
            020f 0000 7f2c 0d2a 0001 c4d3 b767 0000
            0000 2d9a 0b00 0000 0000 1011 1213 1415
            1617 1819 1a1b 1c1d 1e1f 2021 2223 2425
            2627 2829 2a2b 2c2d 2e2f 3031 3233 3435
            3637
            """;

    /** NS from fe80::5054:ff:fe12:3456 to ff02::1:ff00:2 for target fe80::2, with a source link-layer address. */
    static final String IPV6_NS = WireFixtures.IPV6_NS;

    /** Solicited NA (S and O set) from fe80::2, with a target link-layer address option (RFC 4861 §7.2.4). */
    static final String IPV6_NA = WireFixtures.IPV6_NA;

    /** Duplicate address detection probe for fe80::2: source ::, no options (RFC 4862 §5.4.2). */
    static final String DAD_NS = """
            3333 ff00 0002 5254 0012 3456 86dd 6000
            0000 0018 3aff 0000 0000 0000 0000 0000
            0000 0000 0000 ff02 0000 0000 0000 0000
            0001 ff00 0002 8700 7c23 0000 0000 fe80
            0000 0000 0000 0000 0000 0000 0002
            """;

    /** The defence: to all nodes, solicited flag clear, override set (RFC 4861 §7.2.4). */
    static final String DAD_NA = """
            3333 0000 0001 5255 0a00 0202 86dd 6000
            0000 0020 3aff fe80 0000 0000 0000 0000
            0000 0000 0002 ff02 0000 0000 0000 0000
            0000 0000 0001 8800 fb42 2000 0000 fe80
            0000 0000 0000 0000 0000 0000 0002 0201
            5255 0a00 0202
            """;

    /** Echo request 2001:db8::1 -> 2001:db8::2, id 0x1f2e seq 7, data "pktstack ping6!!". */
    static final String ICMPV6_ECHO_REQUEST = """
            5255 0a00 0202 5254 0012 3456 86dd 6000
            0000 0018 3a40 2001 0db8 0000 0000 0000
            0000 0000 0001 2001 0db8 0000 0000 0000
            0000 0000 0002 8000 3621 1f2e 0007 706b
            7473 7461 636b 2070 696e 6736 2121
            """;

    /** Its reply: addresses swapped, hop limit 64, type 129, checksum 0x3621 - 0x0100. */
    static final String ICMPV6_ECHO_REPLY = """
            5254 0012 3456 5255 0a00 0202 86dd 6000
            0000 0018 3a40 2001 0db8 0000 0000 0000
            0000 0000 0002 2001 0db8 0000 0000 0000
            0000 0000 0001 8100 3521 1f2e 0007 706b
            7473 7461 636b 2070 696e 6736 2121
            """;

    /** DNS query (A example.com) 10.0.2.15:54321 -> 10.0.2.3:53. */
    static final String UDP_IPV4 = WireFixtures.UDP_IPV4;

    /** 2001:db8::1:40000 -> 2001:db8::2:7, traffic class 0xb8, flow label 0x12345, "hello pktstack\n". */
    static final String UDP_IPV6 = """
            5255 0a00 0202 5254 0012 3456 86dd 6b81
            2345 0017 1140 2001 0db8 0000 0000 0000
            0000 0000 0001 2001 0db8 0000 0000 0000
            0000 0000 0002 9c40 0007 0017 fd65 6865
            6c6c 6f20 706b 7473 7461 636b 0a
            """;

    /** "pong\n" from 10.0.2.2:7 to 10.0.2.15:54321: id 0, DF, TTL 64, UDP checksum filled. */
    static final String UDP_SENT = """
            5254 0012 3456 5255 0a00 0202 0800 4500
            0021 0000 4000 4011 22bc 0a00 0202 0a00
            020f 0007 d431 000d 2ab4 706f 6e67 0a
            """;

    /** The stack resolving 10.0.2.15: who has 10.0.2.15? Tell 10.0.2.2. */
    static final String ARP_WHO_HAS_PEER = """
            ffff ffff ffff 5255 0a00 0202 0806 0001
            0800 0604 0001 5255 0a00 0202 0a00 0202
            0000 0000 0000 0a00 020f
            """;

    /** 10.0.2.15 is at 52:54:00:12:34:56. */
    static final String ARP_PEER_REPLY = """
            5255 0a00 0202 5254 0012 3456 0806 0001
            0800 0604 0002 5254 0012 3456 0a00 020f
            5255 0a00 0202 0a00 0202
            """;

    static final MacAddress PEER_MAC = MacAddress.parse("52:54:00:12:34:56");

    FakeLink vp0;

    @BeforeEach
    void gateway() {
        vp0 = add(new FakeLink("52:55:0a:00:02:02"), "vp");
        address("vp0", "10.0.2.2/24");
        address("vp0", "10.0.2.3/24");
        address("vp0", "fe80::2/64");
        address("vp0", "2001:db8::2/64");
        vp0.takeSent(); // the announcements
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    // ---- ARP ------------------------------------------------------------------

    @Test
    void arpRequestForOurAddressIsAnsweredAndTheSenderCached() throws Exception {
        vp0.inject(ARP_REQUEST);

        assertEquals(List.of(Hex.norm(ARP_REPLY)), vp0.takeSent());
        assertEquals(List.of(new NeighborEntry(ip("10.0.2.15"), PEER_MAC, "vp0",
                TimeUnit.NANOSECONDS.toSeconds(NeighborCache.LIFETIME_NANOS))), stack.neighbors(false));
    }

    @Test
    void arpRequestForAnotherHostIsNeitherAnsweredNorCached() {
        vp0.inject(ARP_REQUEST.replace("0a00 0202\n", "0a00 0263\n")); // who has 10.0.2.99?

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(List.of(), stack.neighbors(false), "RFC 826: only merge when the packet is not for us");
    }

    @Test
    void arpRequestFromAMulticastSenderIsIgnored() {
        vp0.inject(ARP_REQUEST.replace("0001 5254 0012 3456 0a00", "0001 0100 5e00 0001 0a00"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(List.of(), stack.neighbors(false));
    }

    @Test
    void truncatedArpIsCountedAsMalformed() {
        String cut = Hex.norm(ARP_REQUEST);
        vp0.inject(cut.substring(0, cut.length() - 8));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.MALFORMED));
    }

    @Test
    void runtFrameIsCounted() {
        vp0.inject("ffff ffff ffff 5254 0012");
        assertEquals(1, drops("vp0", DropReason.RUNT));
    }

    @Test
    void addingAnAddressAnnouncesItWithAGratuitousArp() {
        address("vp0", "192.168.7.1/24");

        String gratuitous = Hex.norm("""
                ffff ffff ffff 5255 0a00 0202 0806 0001
                0800 0604 0001 5255 0a00 0202 c0a8 0701
                0000 0000 0000 c0a8 0701
                """);
        assertTrue(vp0.takeSent().contains(gratuitous));
    }

    @Test
    void carrierUpAnnouncesTheLinkLocalAddress() {
        FakeLink other = add(new FakeLink("52:55:0a:00:02:02"), "vp"); // vp1, its own segment
        String na = Hex.norm("""
                3333 0000 0001 5255 0a00 0202 86dd 6000
                0000 0020 3aff fe80 0000 0000 0000 5055
                0aff fe00 0202 ff02 0000 0000 0000 0000
                0000 0000 0001 8800 4498 2000 0000 fe80
                0000 0000 0000 5055 0aff fe00 0202 0201
                5255 0a00 0202
                """);
        assertEquals(List.of(na), other.takeSent());
        assertTrue(stack.interfaceInfo("vp1").addresses().contains(InterfaceAddress.parse("fe80::5055:aff:fe00:202/64")));
    }

    // ---- ICMP -----------------------------------------------------------------

    @Test
    void icmpEchoRequestGetsAnEchoReply() {
        vp0.inject(ICMP_ECHO_REQUEST);

        List<String> sent = vp0.takeSent();
        assertEquals(List.of(Hex.norm(ICMP_ECHO_REPLY)), sent);
        byte[] reply = Hex.bytes(sent.getFirst());
        assertEquals(0, Hex.internetChecksum(reply, 14, 34, 0), "IPv4 header checksum");
        assertEquals(0, Hex.internetChecksum(reply, 34, reply.length, 0), "ICMP checksum");
    }

    @Test
    void echoRequestWithABadChecksumIsDropped() {
        vp0.inject(ICMP_ECHO_REQUEST.replace("0800 772c", "0800 772d"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.BAD_CHECKSUM));
    }

    @Test
    void echoRequestWithABadIpHeaderChecksumIsDropped() {
        vp0.inject(ICMP_ECHO_REQUEST.replace("4001 0653", "4001 0654"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.BAD_CHECKSUM));
    }

    @Test
    void echoRequestForAnotherAddressIsNotForUs() {
        // 10.0.2.2 -> 10.0.2.9 changes the header sum by +7: checksum 0x0653 - 7.
        vp0.inject(ICMP_ECHO_REQUEST.replace("0653 0a00 020f 0a00\n0202", "064c 0a00 020f 0a00\n0209"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.NOT_FOR_US));
    }

    @Test
    void unicastToAnotherMacIsNotForUs() {
        vp0.inject(ICMP_ECHO_REQUEST.replaceFirst("5255 0a00 0202", "5255 0a00 0203"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.NOT_FOR_US));
    }

    @Test
    void aDownInterfaceAnswersNothing() {
        stack.setUp("vp0", false);
        vp0.inject(ICMP_ECHO_REQUEST, ARP_REQUEST);

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(2, drops("vp0", DropReason.INTERFACE_DOWN));
    }

    @Test
    void aReplyTheDriverCannotTakeIsCountedAndReturnedToThePool() {
        vp0.room = 0; // the driver's ring is full
        vp0.inject(ICMP_ECHO_REQUEST);

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.TX_RING_FULL));
        assertEquals(1, stack.interfaceInfo("vp0").counters().outDrops());
    }

    @Test
    @Timeout(30)
    void pingResolvesThePeerSendsAnEchoRequestAndMatchesTheReply() throws Exception {
        CompletableFuture<PingResult> ping = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.ping(ip("10.0.2.15"), 9, 56, Duration.ofSeconds(20));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(List.of(Hex.norm(ARP_WHO_HAS_PEER)), vp0.awaitSent(1, 10_000));
        vp0.inject(ARP_PEER_REPLY);

        byte[] req = Hex.bytes(vp0.awaitSent(1, 10_000).getFirst());
        assertEquals(14 + 20 + 8 + 56, req.length);
        assertEquals(Hex.norm("5254 0012 3456 5255 0a00 0202 0800 4500 0054"), Hex.of(req).substring(0, 36));
        assertEquals(0, Hex.internetChecksum(req, 14, 34, 0), "IPv4 header checksum");
        assertEquals(0, Hex.internetChecksum(req, 34, req.length, 0), "ICMP checksum");
        assertEquals(8, req[34], "echo request");
        assertEquals(9, ((req[40] & 0xFF) << 8) | (req[41] & 0xFF), "sequence");

        // The peer answers as a host would: swap the ends, type 0, fix the ICMP checksum.
        byte[] reply = req.clone();
        System.arraycopy(req, 6, reply, 0, 6);
        System.arraycopy(req, 0, reply, 6, 6);
        System.arraycopy(req, 26, reply, 30, 4);
        System.arraycopy(req, 30, reply, 26, 4);
        reply[34] = 0;
        reply[36] = 0;
        reply[37] = 0;
        int c = Hex.internetChecksum(reply, 34, reply.length, 0);
        reply[36] = (byte) (c >>> 8);
        reply[37] = (byte) c;
        vp0.inject(reply);

        PingResult r = ping.get(10, TimeUnit.SECONDS);
        assertTrue(r.replied());
        assertEquals(ip("10.0.2.15"), r.destination());
        assertEquals(9, r.sequence());
        assertEquals(64, r.ttl());
    }

    // ---- IPv6 neighbour discovery and echo ----------------------------------------

    @Test
    void neighbourSolicitationGetsASolicitedAdvertisement() throws Exception {
        vp0.inject(IPV6_NS);

        List<String> sent = vp0.takeSent();
        assertEquals(List.of(Hex.norm(IPV6_NA)), sent);
        assertEquals(List.of(new NeighborEntry(ip("fe80::5054:ff:fe12:3456"), PEER_MAC, "vp0",
                TimeUnit.NANOSECONDS.toSeconds(NeighborCache.LIFETIME_NANOS))), stack.neighbors(true));
    }

    @Test
    void duplicateAddressDetectionIsAnsweredToAllNodes() {
        vp0.inject(DAD_NS);

        assertEquals(List.of(Hex.norm(DAD_NA)), vp0.takeSent());
        assertEquals(List.of(), stack.neighbors(true), "an unspecified source is never cached");
    }

    @Test
    void neighbourSolicitationThatCrossedARouterIsDropped() {
        // RFC 4861 §7.1.1: hop limit must be 255 (it is not covered by the checksum).
        vp0.inject(IPV6_NS.replace("0020 3aff", "0020 3afe"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.MALFORMED));
    }

    @Test
    void neighbourSolicitationForAnotherTargetIsNotAnswered() {
        // Target fe80::3 instead of fe80::2 (+1 in the sum: checksum 0x7220 - 1); still our solicited-node group.
        vp0.inject(IPV6_NS.replace("8700 7220", "8700 721f").replace("0000 0002 0101", "0000 0003 0101"));

        assertEquals(List.of(), vp0.takeSent());
    }

    @Test
    void icmpv6EchoRequestGetsAnEchoReply() {
        vp0.inject(ICMPV6_ECHO_REQUEST);

        assertEquals(List.of(Hex.norm(ICMPV6_ECHO_REPLY)), vp0.takeSent());
    }

    @Test
    void icmpv6EchoWithABadChecksumIsDropped() {
        vp0.inject(ICMPV6_ECHO_REQUEST.replace("8000 3621", "8000 3622"));

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.BAD_CHECKSUM));
    }

    // ---- UDP ------------------------------------------------------------------------

    @Test
    void udpDatagramIsDeliveredToTheSocketOnItsPort() throws Exception {
        try (UdpSocket s = stack.openUdp(53)) {
            vp0.inject(UDP_IPV4);

            ByteBuffer into = ByteBuffer.allocate(100);
            UdpSocket.Datagram d = s.receive(into, Duration.ofSeconds(5));
            assertNotNull(d);
            assertEquals(new UdpSocket.Datagram(ip("10.0.2.15"), 54321, 29), d);
            assertEquals(Hex.norm("abcd 0100 0001 0000 0000 0000 0765 7861 6d70 6c65 0363 6f6d 0000 0100 01"),
                    Hex.of(java.util.Arrays.copyOf(into.array(), into.position())));
        }
    }

    @Test
    void aFullUdpSocketQueueDropsAndCountsAtTheTunedLength() throws Exception {
        stack.setTunables(java.util.Map.of("net.pktstack.udp.queue", 2L));
        try (UdpSocket s = stack.openUdp(53)) {
            vp0.inject(UDP_IPV4, UDP_IPV4, UDP_IPV4);
            assertEquals(1, drops("vp0", DropReason.SOCKET_QUEUE_FULL));
            assertEquals(1, stack.statistics().stream().filter(p -> p.protocol().equals("udp")).findFirst()
                    .orElseThrow().get("dropped due to full socket buffers"));
            ByteBuffer into = ByteBuffer.allocate(100);
            assertNotNull(s.receive(into, Duration.ofSeconds(5)));
            into.clear();
            assertNotNull(s.receive(into, Duration.ofSeconds(5)));
            vp0.inject(UDP_IPV4);
            assertEquals(1, drops("vp0", DropReason.SOCKET_QUEUE_FULL), "read: room again");
        }
    }

    @Test
    void udpDatagramLargerThanTheBufferIsTruncatedButReportsItsLength() throws Exception {
        try (UdpSocket s = stack.openUdp(53)) {
            vp0.inject(UDP_IPV4);
            ByteBuffer into = ByteBuffer.allocate(4);
            assertEquals(29, s.receive(into, Duration.ofSeconds(5)).length());
            assertEquals("abcd0100", Hex.of(into.array()));
        }
    }

    @Test
    void udpOverIpv6IsDelivered() throws Exception {
        try (UdpSocket s = stack.openUdp(7)) {
            vp0.inject(UDP_IPV6);
            ByteBuffer into = ByteBuffer.allocate(100);
            UdpSocket.Datagram d = s.receive(into, Duration.ofSeconds(5));
            assertEquals(new UdpSocket.Datagram(ip("2001:db8::1"), 40000, 15), d);
            assertEquals("hello pktstack\n", new String(into.array(), 0, into.position(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void udpOverIpv6WithoutAChecksumIsRefused() throws Exception {
        try (UdpSocket s = stack.openUdp(7)) {
            vp0.inject(UDP_IPV6.replace("0017 fd65", "0017 0000")); // RFC 8200 §8.1: mandatory
            assertNull(s.receive(ByteBuffer.allocate(100), Duration.ofMillis(50)));
            assertEquals(1, drops("vp0", DropReason.BAD_CHECKSUM));
        }
    }

    @Test
    void udpToAClosedPortIsCounted() {
        vp0.inject(UDP_IPV4);
        assertEquals(1, drops("vp0", DropReason.NO_SOCKET));
    }

    @Test
    void datagramsLeftUnreadAreReturnedWhenTheSocketCloses() {
        UdpSocket s = stack.openUdp(53);
        vp0.inject(UDP_IPV4, UDP_IPV4, UDP_IPV4);
        assertEquals(pool.capacity() - 3, pool.available());
        s.close();
        assertEquals(pool.capacity(), pool.available());
    }

    @Test
    void aPortInUseIsRefused() {
        try (UdpSocket s = stack.openUdp(53)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stack.openUdp(53));
            assertTrue(e.getMessage().contains("53"), e.getMessage());
        }
        stack.openUdp(53).close(); // free again after close
    }

    @Test
    void udpSendToACachedNeighbour() throws Exception {
        vp0.inject(ARP_REQUEST); // caches 10.0.2.15
        vp0.takeSent();
        try (UdpSocket s = stack.openUdp(7)) {
            ByteBuffer payload = ByteBuffer.wrap("pong\n".getBytes(StandardCharsets.US_ASCII));
            s.send(ip("10.0.2.15"), 54321, payload);
            assertEquals(0, payload.remaining(), "the payload was consumed");
        }
        List<String> sent = vp0.takeSent();
        assertEquals(List.of(Hex.norm(UDP_SENT)), sent);
    }

    @Test
    void udpSendToAnUnknownNeighbourReturnsAtOnceAndTheDatagramLeavesWithTheReply() throws Exception {
        try (UdpSocket s = stack.openUdp(7)) {
            // The caller is not blocked while ARP resolves: the datagram waits in the neighbour's hold queue.
            s.send(ip("10.0.2.15"), 54321, ByteBuffer.wrap("pong\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(List.of(Hex.norm(ARP_WHO_HAS_PEER)), vp0.takeSent());

            vp0.inject(ARP_PEER_REPLY); // the receive thread sends what was held

            assertEquals(List.of(Hex.norm(UDP_SENT)), vp0.takeSent());
        }
    }

    @Test
    void anUnansweredResolutionIsRetriedThenItsHeldDatagramIsDroppedAndCounted() throws Exception {
        try (UdpSocket s = stack.openUdp(7)) {
            s.send(ip("10.0.2.15"), 54321, ByteBuffer.wrap("pong\n".getBytes(StandardCharsets.US_ASCII)));
            for (int i = 1; i < NeighborCache.MAX_PROBES; i++) {
                advanceSeconds(1);
            }
            assertEquals(NeighborCache.MAX_PROBES, vp0.takeSent().size(), "one ARP request a second");
            advanceSeconds(1);
            assertEquals(List.of(), vp0.takeSent());
            assertEquals(1, drops("vp0", DropReason.NO_NEIGHBOR));
        }
    }

    @Test
    void udpSendWithoutARouteFails() {
        try (UdpSocket s = stack.openUdp(7)) {
            assertThrows(IllegalArgumentException.class,
                    () -> s.send(ip("192.0.2.1"), 9, ByteBuffer.allocate(1)));
        }
    }
}
