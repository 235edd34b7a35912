package io.pktstack.core.internal;

import static io.pktstack.core.internal.Packets.ACK;
import static io.pktstack.core.internal.Packets.FIN;
import static io.pktstack.core.internal.Packets.RST;
import static io.pktstack.core.internal.Packets.SYN;
import static io.pktstack.core.internal.Packets.assertChecksums;
import static io.pktstack.core.internal.Packets.eth;
import static io.pktstack.core.internal.Packets.icmp4;
import static io.pktstack.core.internal.Packets.ip;
import static io.pktstack.core.internal.Packets.ipText;
import static io.pktstack.core.internal.Packets.ipv4;
import static io.pktstack.core.internal.Packets.slice;
import static io.pktstack.core.internal.Packets.tcp4;
import static io.pktstack.core.internal.Packets.u16;
import static io.pktstack.core.internal.Packets.u8;
import static io.pktstack.core.internal.Packets.udp4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.router.PacketFilter;
import io.pktstack.api.router.PfState;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pf on the router of {@link RouterTestBase}: vp0 is the guests' side
 * (A 10.1.0.10), vp1 the world's (B 10.2.0.20), with
 * {@code nat on vp1 from 10.1.0.0/24 to any -> (vp1)} and port forwards to A.
 * Translated packets are checked field by field and their checksums (updated
 * incrementally by pf) against an independent sum.
 */
class PacketFilterTest extends RouterTestBase {

    static final String RULES = """
            ext_if = "vp1"
            nat on $ext_if from 10.1.0.0/24 to any -> ($ext_if)
            rdr on $ext_if proto udp from any to ($ext_if) port 7000 -> 10.1.0.10 port 7
            rdr on $ext_if proto tcp from any to ($ext_if) port 8080 -> 10.1.0.10 port 80
            """;

    PacketFilter pf;

    @BeforeEach
    void pf() {
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        learnV4(vp1, B, "10.2.0.20", "10.2.0.1");
        pf = stack.packetFilter();
        pf.load(RULES, "pf.conf");
        pf.enable(true);
    }

    byte[] fromA(int protocol, String dst, byte[] l4) {
        return eth(R0, A, 0x0800, ipv4("10.1.0.10", dst, protocol, 64, 0x1000, Packets.DF, l4));
    }

    byte[] fromB(int protocol, String dst, byte[] l4) {
        return eth(R1, B, 0x0800, ipv4("10.2.0.20", dst, protocol, 64, 0x2000, Packets.DF, l4));
    }

    static byte[] one(FakeLink l) {
        byte[] f = single(l.takeSent());
        assertChecksums(f);
        return f;
    }

    @Test
    void udpLeavesFromTheOutsideAddressAndTheReplyFindsItsWayBack() {
        vp0.inject(fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 5000, 53, "query".getBytes())));
        byte[] out = one(vp1);
        assertEquals("10.2.0.1", ipText(out, 26));
        assertEquals("10.2.0.20", ipText(out, 30));
        int port = u16(out, 34);
        assertTrue(port >= 50001, "from pf's nat range: " + port);
        assertEquals(53, u16(out, 36));
        assertEquals(63, u8(out, 22));

        vp1.inject(fromB(17, "10.2.0.1", udp4("10.2.0.20", "10.2.0.1", 53, port, "answer".getBytes())));
        byte[] back = one(vp0);
        assertEquals("10.2.0.20", ipText(back, 26));
        assertEquals("10.1.0.10", ipText(back, 30));
        assertEquals(5000, u16(back, 36));
        assertArrayEquals("answer".getBytes(), slice(back, 42, back.length));

        PfState s = pf.states().get(0);
        assertEquals("nat", s.rule());
        assertEquals("udp", s.protocol());
        assertArrayEquals(ip("10.1.0.10"), s.inside().getAddress());
        assertEquals(5000, s.insidePort());
        assertEquals(port, s.outsidePort());
        assertEquals("MULTIPLE:SINGLE", s.state());
        assertEquals(2, s.packets());
    }

    @Test
    void aUdpChecksumOfZeroStaysZero() {
        byte[] u = udp4("10.1.0.10", "10.2.0.20", 5000, 9, "x".getBytes());
        u[6] = 0;
        u[7] = 0;
        vp0.inject(fromA(17, "10.2.0.20", u));
        byte[] out = one(vp1);
        assertEquals(0, u16(out, 40));
    }

    @Test
    void pingGetsAMappedIdentifierAndTheReplyItsOwnBack() {
        vp0.inject(fromA(1, "10.2.0.20", icmp4(8, 0, 0x1234_0001L, "ping".getBytes())));
        byte[] out = one(vp1);
        assertEquals("10.2.0.1", ipText(out, 26));
        int id = u16(out, 38);
        assertTrue(id >= 50001);

        vp1.inject(fromB(1, "10.2.0.1", icmp4(0, 0, ((long) id << 16) | 1, "ping".getBytes())));
        byte[] back = one(vp0);
        assertEquals("10.1.0.10", ipText(back, 30));
        assertEquals(0x1234, u16(back, 38));
    }

    @Test
    void anEchoRequestFromTheWorldToTheHostIsNotTouched() {
        vp1.inject(fromB(1, "10.2.0.1", icmp4(8, 0, 0x0001_0001L, "hi".getBytes())));
        byte[] reply = one(vp1);
        assertEquals("10.2.0.1", ipText(reply, 26));
        assertEquals(List.of(), pf.states());
    }

    @Test
    void tcpStatesFollowTheHandshakeAndTheClose() {
        vp0.inject(fromA(6, "10.2.0.20", tcp4("10.1.0.10", "10.2.0.20", 40000, 80, 1, 0, SYN, new byte[0])));
        int port = u16(one(vp1), 34);
        assertEquals("SYN_SENT:CLOSED", pf.states().get(0).state());
        vp1.inject(fromB(6, "10.2.0.1", tcp4("10.2.0.20", "10.2.0.1", 80, port, 100, 2, SYN | ACK, new byte[0])));
        byte[] synAck = one(vp0);
        assertEquals(40000, u16(synAck, 36));
        assertEquals("ESTABLISHED:SYN_SENT", pf.states().get(0).state(), "the SYN-ACK acknowledged the opener's SYN");
        vp0.inject(fromA(6, "10.2.0.20", tcp4("10.1.0.10", "10.2.0.20", 40000, 80, 2, 101, ACK, "GET /".getBytes())));
        one(vp1);
        assertEquals("ESTABLISHED:ESTABLISHED", pf.states().get(0).state());
        assertTrue(pf.states().get(0).expiresInSeconds() > 80_000, "tcp.established: a day");
        vp0.inject(fromA(6, "10.2.0.20", tcp4("10.1.0.10", "10.2.0.20", 40000, 80, 7, 101, FIN | ACK, new byte[0])));
        one(vp1);
        assertEquals("CLOSING:ESTABLISHED", pf.states().get(0).state());
        vp1.inject(fromB(6, "10.2.0.1", tcp4("10.2.0.20", "10.2.0.1", 80, port, 101, 8, RST, new byte[0])));
        one(vp0);
        assertEquals("TIME_WAIT:TIME_WAIT", pf.states().get(0).state());
        assertEquals(90, pf.states().get(0).expiresInSeconds(), "tcp.closed");
    }

    @Test
    void aTcpSegmentWithoutStateIsDroppedNotLeakedWithItsInsideAddress() {
        vp0.inject(fromA(6, "10.2.0.20", tcp4("10.1.0.10", "10.2.0.20", 40000, 80, 5, 5, ACK, new byte[0])));
        assertEquals(List.of(), vp1.takeSent());
        assertEquals(1, pf.status().counters().get("state-mismatch (TCP without a SYN's state)"));
        assertEquals(1, drops("vp0", DropReason.PF));
    }

    @Test
    void rdrForwardsAPortOfTheHostToAGuestAndItsAnswerComesFromTheHost() {
        vp1.inject(fromB(17, "10.2.0.1", udp4("10.2.0.20", "10.2.0.1", 33333, 7000, "echo me".getBytes())));
        byte[] in = one(vp0);
        assertEquals("10.1.0.10", ipText(in, 30));
        assertEquals(7, u16(in, 36));
        assertEquals("10.2.0.20", ipText(in, 26), "the peer's own address: no source translation");

        vp0.inject(fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 7, 33333, "echo me".getBytes())));
        byte[] out = one(vp1);
        assertEquals("10.2.0.1", ipText(out, 26));
        assertEquals(7000, u16(out, 34));
        assertEquals("rdr", pf.states().get(0).rule());
        assertEquals(1, pf.states().size(), "the answer used the rdr state, no nat state of its own");
    }

    @Test
    void rdrOfATcpConnection() {
        vp1.inject(fromB(6, "10.2.0.1", tcp4("10.2.0.20", "10.2.0.1", 41000, 8080, 1, 0, SYN, new byte[0])));
        byte[] syn = one(vp0);
        assertEquals(80, u16(syn, 36));
        vp0.inject(fromA(6, "10.2.0.20", tcp4("10.1.0.10", "10.2.0.20", 80, 41000, 50, 2, SYN | ACK, new byte[0])));
        byte[] synAck = one(vp1);
        assertEquals(8080, u16(synAck, 34));
        assertEquals("10.2.0.1", ipText(synAck, 26));
        vp1.inject(fromB(6, "10.2.0.1", tcp4("10.2.0.20", "10.2.0.1", 41000, 8080, 2, 51, ACK, "hello".getBytes())));
        one(vp0);
        assertEquals("ESTABLISHED:ESTABLISHED", pf.states().get(0).state());
    }

    @Test
    void anIcmpErrorAboutATranslatedFlowIsTranslatedForTheInsideHost() {
        byte[] first = fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 5000, 9999, "closed?".getBytes()));
        vp0.inject(first);
        byte[] out = one(vp1);
        // B answers "port unreachable", quoting the translated datagram as it received it (TTL 63).
        byte[] quoted = slice(out, 14, out.length);
        vp1.inject(fromB(1, "10.2.0.1", icmp4(3, 3, 0, quoted)));
        byte[] err = one(vp0);
        assertEquals("10.1.0.10", ipText(err, 30));
        int inner = 34 + 8;
        assertEquals("10.1.0.10", ipText(err, inner + 12), "the quoted source is A again");
        assertEquals(5000, u16(err, inner + 20), "and its port");
        assertEquals(0, Hex.internetChecksum(err, inner, inner + 20, 0), "the quoted header's checksum");
        byte[] original = slice(first, 14, first.length);
        original[8] = 63; // it had been forwarded
        original[10] = 0;
        original[11] = 0;
        int c = Hex.internetChecksum(original, 0, 20, 0);
        original[10] = (byte) (c >>> 8);
        original[11] = (byte) c;
        assertArrayEquals(original, slice(err, inner, err.length), "A sees the datagram it sent");
    }

    @Test
    void statesExpireByTheirTimeout() {
        pf.load(RULES + "set timeout udp.first 5\nset timeout interval 1\n", "pf.conf");
        vp0.inject(fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 5000, 53, new byte[1])));
        vp1.takeSent();
        assertEquals(1, pf.states().size());
        advanceSeconds(3);
        assertEquals(1, pf.states().size());
        advanceSeconds(3);
        assertEquals(0, pf.states().size());
        assertEquals(1, pf.status().counters().get("removals"));
    }

    @Test
    void theStateLimitIsHeldAndCounted() {
        pf.load(RULES + "set limit states 1\n", "pf.conf");
        vp0.inject(fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 5000, 53, new byte[1])));
        vp0.inject(fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 5001, 53, new byte[1])));
        assertEquals(1, vp1.takeSent().size());
        assertEquals(1, pf.status().counters().get("state-limit (table full)"));
        assertEquals(1, pf.flushStates());
        assertEquals(List.of(), pf.states());
    }

    @Test
    void aBadRuleSetIsRefusedWholeAndTheOldOneStays() {
        List<String> before = pf.rules();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pf.load("nat on vp1 from 10.1.0.0/24 to any -> (vp1)\nrdr on vp1 proto tcp from any to (vp1) port 80 -> nowhere\n",
                        "broken.conf"));
        assertEquals("pfctl: broken.conf:line 2: an rdr target is one IPv4 address at 'nowhere'; rules unchanged",
                e.getMessage());
        assertEquals(before, pf.rules());
    }

    @Test
    void withPfDisabledNothingIsTranslated() {
        pf.enable(false);
        vp0.inject(fromA(17, "10.2.0.20", udp4("10.1.0.10", "10.2.0.20", 5000, 53, new byte[1])));
        assertEquals("10.1.0.10", ipText(one(vp1), 26));
        assertThrows(IllegalArgumentException.class, () -> pf.enable(false));
    }

    @Test
    void fragmentsAreReassembledTranslatedAndFragmentedAgain() {
        byte[] data = Packets.pattern(3000);
        byte[] whole = ipv4("10.1.0.10", "10.2.0.20", 17, 64, 0x3333, 0, udp4("10.1.0.10", "10.2.0.20", 5000, 53, data));
        List<byte[]> pieces = FragmentsTest.fragments4(whole, 1480);
        vp0.inject(pieces.get(1), pieces.get(0), pieces.get(2));

        List<String> sent = vp1.takeSent();
        assertEquals(3, sent.size());
        ByteArrayOutputStream udp = new ByteArrayOutputStream();
        for (String h : sent) {
            byte[] f = Hex.bytes(h);
            assertEquals(0, Hex.internetChecksum(f, 14, 34, 0));
            assertEquals("10.2.0.1", ipText(f, 26));
            udp.writeBytes(slice(f, 34, f.length));
        }
        byte[] u = udp.toByteArray();
        assertEquals(0, Hex.internetChecksum(u, 0, u.length, Packets.pseudo4("10.2.0.1", "10.2.0.20", 17, u.length)));
        assertArrayEquals(data, slice(u, 8, u.length));
    }

    @Test
    void translatingAllocatesNothingPerFrame() {
        assertSteadyStateAllocatesNothing(() -> pf.load("nat on vp2 from 10.1.0.0/24 to any -> (vp2)", "pf.conf"));
        assertEquals(1, pf.states().size());
    }
}
