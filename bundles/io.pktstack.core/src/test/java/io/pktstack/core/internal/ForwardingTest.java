package io.pktstack.core.internal;

import static io.pktstack.core.internal.Packets.DF;
import static io.pktstack.core.internal.Packets.cat;
import static io.pktstack.core.internal.Packets.eth;
import static io.pktstack.core.internal.Packets.icmp4;
import static io.pktstack.core.internal.Packets.ip;
import static io.pktstack.core.internal.Packets.ipv4;
import static io.pktstack.core.internal.Packets.ipv6;
import static io.pktstack.core.internal.Packets.slice;
import static io.pktstack.core.internal.Packets.u16;
import static io.pktstack.core.internal.Packets.u8;
import static io.pktstack.core.internal.Packets.udp4;
import static io.pktstack.core.internal.Packets.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.InterfaceAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The host as a router between two links: vp0 (10.1.0.1/24, 2001:db8:1::1/64,
 * host A 10.1.0.10 behind it) and vp1 (10.2.0.1/24, 2001:db8:2::1/64, host B
 * 10.2.0.20). Forwarding in place with the TTL decremented (RFC 1812 §5.3.1)
 * and the header checksum updated incrementally (RFC 1624), next hops by ARP
 * and ND, and every ICMP error of RFC 1812 / RFC 4443, checked byte by byte.
 */
class ForwardingTest extends RouterTestBase {

    /** UDP "hello router" 10.1.0.10:5000 -> 10.2.0.20:7, id 0x1234, DF, TTL 64 (checksums by an independent script). */
    static final String UDP_A_TO_B = """
            0200 0000 0101 5254 0000 010a 0800 4500
            0028 1234 4000 4011 1471 0a01 000a 0a02
            0014 1388 0007 0014 46ce 6865 6c6c 6f20
            726f 7574 6572
            """;

    /** The same leaving vp1: to B's MAC from vp1's, TTL 63, header checksum 0x1471 + 0x0100. */
    static final String UDP_A_TO_B_FORWARDED = """
            5254 0000 0214 0200 0000 0201 0800 4500
            0028 1234 4000 3f11 1571 0a01 000a 0a02
            0014 1388 0007 0014 46ce 6865 6c6c 6f20
            726f 7574 6572
            """;


    // ---- IPv4 -----------------------------------------------------------------

    @Test
    void forwardingIsOffByDefault() {
        assertEquals(0, stack.tunables().stream().filter(t -> t.name().equals("net.inet.ip.forwarding")).findFirst()
                .orElseThrow().value());
        vp0.inject(UDP_A_TO_B);

        assertEquals(List.of(), vp1.takeSent());
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.NOT_FOR_US));
        assertEquals(1, stat("ip", "packets not for this host (not forwarded)"));
    }

    @Test
    void aPacketIsForwardedOnceItsNextHopResolvesAndTheNextOneAtOnce() {
        forwarding(true);
        vp0.inject(UDP_A_TO_B);

        // Held while vp1 asks who has 10.2.0.20 (RFC 826).
        assertEquals(List.of(Hex.of(eth("ff:ff:ff:ff:ff:ff", R1, 0x0806,
                Packets.arp(1, R1, "10.2.0.1", "00:00:00:00:00:00", "10.2.0.20")))), vp1.takeSent());
        vp1.inject(eth(R1, B, 0x0806, Packets.arp(2, B, "10.2.0.20", R1, "10.2.0.1")));
        assertEquals(List.of(Hex.norm(UDP_A_TO_B_FORWARDED)), vp1.takeSent());

        vp0.inject(UDP_A_TO_B);
        assertEquals(List.of(Hex.norm(UDP_A_TO_B_FORWARDED)), vp1.takeSent());
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(2, stat("ip", "packets forwarded"));
    }

    @Test
    void ethernetPaddingIsNotForwarded() {
        forwarding(true);
        learnV4(vp1, B, "10.2.0.20", "10.2.0.1");
        vp0.inject(cat(Hex.bytes(UDP_A_TO_B), new byte[6])); // padded to the 60-byte minimum

        assertEquals(List.of(Hex.norm(UDP_A_TO_B_FORWARDED)), vp1.takeSent());
    }

    @Test
    void ttlOneGetsTimeExceededFromTheArrivalInterface() {
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] in = udpAtoB(1, DF, "hello router".getBytes());
        vp0.inject(in);

        assertEquals(List.of(), vp1.takeSent());
        byte[] e = single(vp0.takeSent());
        assertIcmpV4Error(e, A, R0, "10.1.0.1", "10.1.0.10", 11, 0, 0, slice(in, 14, in.length));
        assertEquals(1, drops("vp0", DropReason.TTL_EXCEEDED));
        assertEquals(1, stat("icmp", "time exceeded sent"));
    }

    @Test
    void noRouteGetsNetUnreachable() {
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] in = eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.9.0.1", 17, 64, 7, 0,
                udp4("10.1.0.10", "10.9.0.1", 1, 2, new byte[3])));
        vp0.inject(in);

        assertIcmpV4Error(single(vp0.takeSent()), A, R0, "10.1.0.1", "10.1.0.10", 3, 0, 0, slice(in, 14, in.length));
        assertEquals(1, drops("vp0", DropReason.NO_ROUTE));
    }

    @Test
    void tooBigWithDontFragmentGetsFragmentationNeededWithTheNextHopMtu() {
        FakeLink small = smallNextHop(1294); // an IP MTU of 1280
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] in = eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.3.0.5", 17, 64, 9, DF,
                udp4("10.1.0.10", "10.3.0.5", 1, 2, Packets.pattern(1400))));
        vp0.inject(in);

        assertEquals(List.of(), small.takeSent());
        // RFC 1191 §4: the next-hop MTU in the low 16 bits; RFC 1812 §4.3.2.3: as much as fits 576 bytes.
        assertIcmpV4Error(single(vp0.takeSent()), A, R0, "10.1.0.1", "10.1.0.10", 3, 4, 1280, slice(in, 14, 14 + 548));
        assertEquals(1, drops("vp0", DropReason.NEEDS_FRAGMENTATION));
    }

    @Test
    void tooBigWithoutDontFragmentLeavesInFragmentsThatAddUpToTheOriginal() {
        FakeLink small = smallNextHop(590); // IP MTU 576
        forwarding(true);
        learnV4(small, "52:54:00:00:03:05", "10.3.0.5", "10.3.0.1");
        byte[] data = Packets.pattern(1400);
        byte[] ipIn = ipv4("10.1.0.10", "10.3.0.5", 17, 64, 0x4242, 0, udp4("10.1.0.10", "10.3.0.5", 1, 2, data));
        vp0.inject(eth(R0, A, 0x0800, ipIn));

        List<String> sent = small.takeSent();
        assertEquals(3, sent.size(), "1408 bytes of UDP in 552 + 552 + 304");
        byte[] whole = new byte[ipIn.length - 20];
        int expectOffset = 0;
        for (int i = 0; i < 3; i++) {
            byte[] f = Hex.bytes(sent.get(i));
            assertEquals(0, Hex.internetChecksum(f, 14, 34, 0), "header checksum of fragment " + i);
            assertTrue(f.length - 14 <= 576);
            assertEquals(0x4242, u16(f, 18));
            assertEquals(63, u8(f, 22));
            int fo = u16(f, 20);
            assertEquals(i < 2, (fo & 0x2000) != 0, "MF on all but the last");
            assertEquals(0, fo & 0x4000, "DF clear");
            assertEquals(expectOffset, (fo & 0x1FFF) * 8);
            int len = u16(f, 16) - 20;
            System.arraycopy(f, 34, whole, expectOffset, len);
            expectOffset += len;
        }
        assertEquals(whole.length, expectOffset);
        assertArrayEquals(slice(ipIn, 20, ipIn.length), whole);
        assertEquals(1, stat("ip", "output datagrams fragmented"));
        assertEquals(3, stat("ip", "fragments created"));
    }

    @Test
    void aRedirectTellsTheSenderOfABetterFirstHopWhenSwitchedOn() throws Exception {
        forwarding(true);
        stack.setTunables(Map.of("net.inet.ip.redirect", 1L));
        stack.addRoute(InterfaceAddress.parse("10.9.0.0/16"), InetAddress.getByName("10.1.0.254"));
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        learnV4(vp0, "52:54:00:00:01:fe", "10.1.0.254", "10.1.0.1");
        byte[] in = eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.9.1.1", 17, 64, 3, 0,
                udp4("10.1.0.10", "10.9.1.1", 1, 2, new byte[4])));
        vp0.inject(in);

        List<String> sent = vp0.takeSent();
        assertEquals(2, sent.size(), "the redirect, and the packet itself to the gateway");
        assertIcmpV4Error(Hex.bytes(sent.get(0)), A, R0, "10.1.0.1", "10.1.0.10", 5, 1,
                Integer.toUnsignedLong(0x0a0100fe), slice(in, 14, in.length));
        byte[] fwd = Hex.bytes(sent.get(1));
        assertArrayEquals(Packets.mac("52:54:00:00:01:fe"), slice(fwd, 0, 6));
        assertEquals(63, u8(fwd, 22));
    }

    @Test
    void noRedirectByDefault() throws Exception {
        forwarding(true);
        stack.addRoute(InterfaceAddress.parse("10.9.0.0/16"), InetAddress.getByName("10.1.0.254"));
        learnV4(vp0, "52:54:00:00:01:fe", "10.1.0.254", "10.1.0.1");
        vp0.inject(eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.9.1.1", 17, 64, 3, 0,
                udp4("10.1.0.10", "10.9.1.1", 1, 2, new byte[4]))));

        assertEquals(1, vp0.takeSent().size(), "only the forwarded packet");
    }

    @Test
    void martiansAreNotForwardedNorAnswered() {
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        for (String[] sd : new String[][] {{"127.0.0.1", "10.2.0.20"}, {"10.1.0.10", "224.0.0.5"},
                {"10.1.0.10", "255.255.255.255"}, {"0.0.0.0", "10.2.0.20"}, {"10.1.0.10", "10.2.0.255"}}) {
            vp0.inject(eth(R0, A, 0x0800, ipv4(sd[0], sd[1], 17, 64, 1, 0, udp4(sd[0], sd[1], 1, 2, new byte[2]))));
        }
        assertEquals(List.of(), vp1.takeSent());
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(5, drops("vp0", DropReason.NOT_FORWARDABLE));
    }

    @Test
    void noErrorAboutAnErrorNorAboutANonFirstFragment() {
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] quoted = ipv4("10.2.0.20", "10.1.0.10", 17, 1, 1, 0, udp4("10.2.0.20", "10.1.0.10", 1, 2, new byte[0]));
        vp0.inject(eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.2.0.20", 1, 1, 5, 0, icmp4(11, 0, 0, quoted))));
        vp0.inject(eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.2.0.20", 17, 1, 6, 185, new byte[16]))); // offset 1480

        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, stat("icmp", "errors not generated in response to an icmp error"));
        assertEquals(2, drops("vp0", DropReason.TTL_EXCEEDED));
    }

    @Test
    void errorsAreRateLimitedPerSecond() {
        forwarding(true);
        stack.setTunables(Map.of("net.inet.icmp.errppslimit", 2L));
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        for (int i = 0; i < 5; i++) {
            vp0.inject(udpAtoB(1, DF, new byte[] {(byte) i}));
        }
        assertEquals(2, vp0.takeSent().size());
        assertEquals(3, stat("icmp", "errors not generated due to rate limit (errppslimit)"));

        advanceSeconds(1);
        vp0.inject(udpAtoB(1, DF, new byte[1]));
        assertEquals(1, vp0.takeSent().size());
    }

    @Test
    void aNextHopThatNeverAnswersGetsHostUnreachableBackToTheSource() {
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] in = udpAtoB(64, DF, "anyone?".getBytes());
        vp0.inject(in);
        for (int i = 0; i < NeighborCache.MAX_PROBES; i++) {
            advanceSeconds(1);
        }

        assertEquals(NeighborCache.MAX_PROBES, vp1.takeSent().size(), "the ARP requests");
        byte[] held = slice(in, 14, in.length);
        held[8] = 63; // it had been forwarded (TTL decremented, checksum updated) when it waited for the MAC
        held[10] = 0;
        held[11] = 0;
        int c = Hex.internetChecksum(held, 0, 20, 0);
        held[10] = (byte) (c >>> 8);
        held[11] = (byte) c;
        assertIcmpV4Error(single(vp0.takeSent()), A, R0, "10.1.0.1", "10.1.0.10", 3, 1, 0, held);
        assertEquals(1, drops("vp1", DropReason.NO_NEIGHBOR));
    }

    @Test
    void aDatagramToAClosedPortOfTheRouterGetsPortUnreachable() {
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] in = eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.1.0.1", 17, 64, 2, 0,
                udp4("10.1.0.10", "10.1.0.1", 999, 9999, "closed?".getBytes())));
        vp0.inject(in);

        assertIcmpV4Error(single(vp0.takeSent()), A, R0, "10.1.0.1", "10.1.0.10", 3, 3, 0, slice(in, 14, in.length));
        assertEquals(1, drops("vp0", DropReason.NO_SOCKET));
    }

    @Test
    void anAddressOfAnotherInterfaceIsOursToo() {
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] echo = icmp4(8, 0, 0x0001_0001L, "weak host".getBytes());
        vp0.inject(eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.2.0.1", 1, 64, 4, 0, echo)));

        byte[] reply = single(vp0.takeSent());
        assertArrayEquals(Packets.mac(A), slice(reply, 0, 6));
        assertArrayEquals(ip("10.2.0.1"), slice(reply, 26, 30));
        assertEquals(0, u8(reply, 34), "echo reply");
        assertEquals(List.of(), vp1.takeSent());
    }

    // ---- IPv6 -----------------------------------------------------------------

    byte[] udp6AtoB(int hops, byte[] data) {
        return eth(R0, A, 0x86dd, ipv6(A6, B6, 17, hops, udp6(A6, B6, 5000, 7, data)));
    }

    @Test
    void ipv6IsForwardedWithTheHopLimitDecremented() {
        forwarding(true);
        byte[] in = udp6AtoB(64, "hello v6 router".getBytes());
        vp0.inject(in);
        List<String> ns = vp1.takeSent();
        assertEquals(1, ns.size(), "a neighbour solicitation for B");
        assertEquals(135, u8(Hex.bytes(ns.get(0)), 54));
        vp1.inject(Packets.na(B6, B, "2001:db8:2::1", R1, B6));

        byte[] out = single(vp1.takeSent());
        byte[] expected = in.clone();
        System.arraycopy(Packets.mac(B), 0, expected, 0, 6);
        System.arraycopy(Packets.mac(R1), 0, expected, 6, 6);
        expected[21] = 63;
        assertArrayEquals(expected, out);
        assertEquals(1, stat("ip6", "packets forwarded"));
    }

    @Test
    void ipv6HopLimitOneGetsTimeExceeded() {
        forwarding(true);
        learnV6(vp0, A, A6, R0, "2001:db8:1::1");
        byte[] in = udp6AtoB(1, new byte[10]);
        vp0.inject(in);

        assertIcmpV6Error(single(vp0.takeSent()), A, R0, "2001:db8:1::1", A6, 3, 0, 0, slice(in, 14, in.length));
    }

    @Test
    void ipv6TooBigGetsPacketTooBigAndIsNeverFragmentedByTheRouter() {
        FakeLink small = new FakeLink("02:00:00:00:03:01");
        small.mtu = 1294;
        add(small, "vp");
        address("vp2", "2001:db8:3::1/64");
        small.takeSent();
        forwarding(true);
        learnV6(vp0, A, A6, R0, "2001:db8:1::1");
        byte[] in = eth(R0, A, 0x86dd, ipv6(A6, "2001:db8:3::5", 17, 64,
                udp6(A6, "2001:db8:3::5", 1, 2, Packets.pattern(1400))));
        vp0.inject(in);

        assertEquals(List.of(), small.takeSent());
        assertIcmpV6Error(single(vp0.takeSent()), A, R0, "2001:db8:1::1", A6, 2, 0, 1280,
                slice(in, 14, 14 + 1280 - 48));
    }

    @Test
    void ipv6LinkLocalIsNeverForwarded() {
        forwarding(true);
        vp0.inject(eth(R0, A, 0x86dd, ipv6("fe80::a", B6, 17, 64, udp6("fe80::a", B6, 1, 2, new byte[1]))));
        vp0.inject(eth(R0, A, 0x86dd, ipv6(A6, "fe80::14", 17, 64, udp6(A6, "fe80::14", 1, 2, new byte[1]))));

        assertEquals(List.of(), vp1.takeSent());
        assertEquals(2, drops("vp0", DropReason.NOT_FORWARDABLE));
    }

    @Test
    void ipv6NoRouteGetsDestinationUnreachable() {
        forwarding(true);
        learnV6(vp0, A, A6, R0, "2001:db8:1::1");
        byte[] in = eth(R0, A, 0x86dd, ipv6(A6, "2001:db8:9::1", 17, 64, udp6(A6, "2001:db8:9::1", 1, 2, new byte[1])));
        vp0.inject(in);

        assertIcmpV6Error(single(vp0.takeSent()), A, R0, "2001:db8:1::1", A6, 1, 0, 0, slice(in, 14, in.length));
    }

    @Test
    void neighbourAdvertisementsCarryTheRouterFlagWhileForwarding() {
        byte[] ns = Packets.eth("33:33:ff:00:00:01", A, 0x86dd, ipv6(A6, "ff02::1:ff00:1", 58, 255,
                Packets.icmp6(A6, "ff02::1:ff00:1", 135, 0, 0, cat(ip("2001:db8:1::1"), new byte[] {1, 1},
                        Packets.mac(A)))));
        vp0.inject(ns);
        assertEquals(0, u8(single(vp0.takeSent()), 58) & 0x80, "not a router");
        forwarding(true);
        vp0.inject(ns);
        assertEquals(0x80, u8(single(vp0.takeSent()), 58) & 0x80, "a router (RFC 4861 §4.4)");
    }

    // ---- steady state ---------------------------------------------------------------

    @Test
    void pktgenSendsCopiesOfAWholeFrameForTheRouterToForward() {
        byte[] frame = Hex.bytes(UDP_A_TO_B);
        assertEquals(3, stack.transmit("vp0", frame, 3, 2).offered());
        assertEquals(List.of(Hex.of(frame), Hex.of(frame), Hex.of(frame)), vp0.takeSent());
    }

    @Test
    void forwardingAllocatesNothingPerFrame() {
        forwarding(true);
        assertSteadyStateAllocatesNothing(() -> { });
    }

}
