package io.pktstack.core.internal;

import static io.pktstack.core.internal.Packets.cat;
import static io.pktstack.core.internal.Packets.eth;
import static io.pktstack.core.internal.Packets.icmp4;
import static io.pktstack.core.internal.Packets.ip;
import static io.pktstack.core.internal.Packets.ipv6;
import static io.pktstack.core.internal.Packets.slice;
import static io.pktstack.core.internal.Packets.u16;
import static io.pktstack.core.internal.Packets.u8;
import static io.pktstack.core.internal.Packets.udp4;
import static io.pktstack.core.internal.Packets.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.UdpSocket;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fragments in and out: reassembly of IPv4 (RFC 791, RFC 815) and IPv6
 * (RFC 8200 §4.5) datagrams for the stack in any order, overlapping
 * fragments abandoning the datagram (RFC 5722), duplicates, bad lengths,
 * the limits and the timeout on the fake clock; and the stack's own
 * datagrams larger than the MTU leaving in fragments. Fragments are cut by
 * the test's own code from packets built byte by byte.
 */
class FragmentsTest extends RouterTestBase {

    static final int PORT = 7000;

    /** {@code ip}, an IPv4 packet without options, cut into fragments of {@code chunk} data bytes (a multiple of 8). */
    static List<byte[]> fragments4(byte[] ip, int chunk) {
        List<byte[]> out = new ArrayList<>();
        int data = ip.length - 20;
        for (int pos = 0; pos < data; pos += chunk) {
            int len = Math.min(chunk, data - pos);
            byte[] h = slice(ip, 0, 20);
            h[2] = (byte) ((20 + len) >>> 8);
            h[3] = (byte) (20 + len);
            int fo = (pos + len < data ? 0x2000 : 0) | (pos / 8);
            h[6] = (byte) (fo >>> 8);
            h[7] = (byte) fo;
            h[10] = 0;
            h[11] = 0;
            int c = Hex.internetChecksum(h, 0, 20, 0);
            h[10] = (byte) (c >>> 8);
            h[11] = (byte) c;
            out.add(eth(R0, A, 0x0800, cat(h, slice(ip, 20 + pos, 20 + pos + len))));
        }
        return out;
    }

    /** {@code ip}, an IPv6 packet without extension headers, cut into fragments with a Fragment header. */
    static List<byte[]> fragments6(byte[] ip, int chunk, long id) {
        List<byte[]> out = new ArrayList<>();
        int data = ip.length - 40;
        for (int pos = 0; pos < data; pos += chunk) {
            int len = Math.min(chunk, data - pos);
            byte[] frag = Packets.frag6(u8(ip, 6), pos, pos + len < data, id, slice(ip, 40 + pos, 40 + pos + len));
            byte[] h = slice(ip, 0, 40);
            h[4] = (byte) (frag.length >>> 8);
            h[5] = (byte) frag.length;
            h[6] = 44;
            out.add(eth(R0, A, 0x86dd, cat(h, frag)));
        }
        return out;
    }

    byte[] udpToUs(int id, byte[] data) {
        return Packets.ipv4("10.1.0.10", "10.1.0.1", 17, 64, id, 0, udp4("10.1.0.10", "10.1.0.1", 5000, PORT, data));
    }

    byte[] receive(UdpSocket s) {
        ByteBuffer b = ByteBuffer.allocate(70_000);
        UdpSocket.Datagram d = s.receive(b, Duration.ofMillis(100));
        if (d == null) {
            return null;
        }
        return slice(b.array(), 0, b.position());
    }

    // ---- IPv4 reassembly ------------------------------------------------------------

    @Test
    void fragmentsInOrderAndOutOfOrderMakeTheDatagram() {
        byte[] data = Packets.pattern(3000);
        try (UdpSocket s = stack.openUdp(PORT)) {
            List<byte[]> f = fragments4(udpToUs(0x0101, data), 1480);
            vp0.inject(f.get(0));
            vp0.inject(f.get(1));
            assertNull(receive(s));
            vp0.inject(f.get(2));
            assertArrayEquals(data, receive(s));

            List<byte[]> g = fragments4(udpToUs(0x0102, data), 1000);
            vp0.inject(g.get(3), g.get(1), g.get(0), g.get(2)); // last first, in one batch
            assertArrayEquals(data, receive(s));
        }
        assertEquals(2, stat("ip", "packets reassembled ok"));
        assertEquals(7, stat("ip", "fragments received"));
        assertEquals(0, stack.largeFrames().capacity() - stack.largeFrames().available());
    }

    @Test
    void anExactDuplicateIsDroppedAndTheDatagramStillCompletes() {
        byte[] data = Packets.pattern(2000);
        try (UdpSocket s = stack.openUdp(PORT)) {
            List<byte[]> f = fragments4(udpToUs(7, data), 1024);
            vp0.inject(f.get(0), f.get(0), f.get(1));
            assertArrayEquals(data, receive(s));
        }
        assertEquals(1, stat("ip", "fragments dropped (duplicates)"));
    }

    @Test
    void overlappingFragmentsAbandonTheDatagramAndItsLaterFragments() {
        byte[] data = Packets.pattern(3000);
        byte[] whole = udpToUs(8, data);
        List<byte[]> f = fragments4(whole, 1480);
        // A fragment at offset 1472, overlapping the first's last 8 bytes (a teardrop).
        byte[] sneaky = fragments4(whole, 8).get(184);
        try (UdpSocket s = stack.openUdp(PORT)) {
            vp0.inject(f.get(0), sneaky, f.get(1), f.get(2));
            assertNull(receive(s));
        }
        assertEquals(1, stat("ip", "datagrams abandoned (overlapping or inconsistent fragments)"));
        assertEquals(4, drops("vp0", DropReason.REASSEMBLY), "the first, the overlapping one, and the two after");
        assertEquals(1, stack.ipLayer().reassembly4.pending(), "held, abandoned, until its timer");
        advanceSeconds(30);
        assertEquals(0, stack.ipLayer().reassembly4.pending());
        assertEquals(List.of(), vp0.takeSent(), "no error about an abandoned datagram");
    }

    @Test
    void aFragmentEndingPast65535IsDropped() {
        // Offset 8189 * 8 = 65512 with 40 bytes of data: the "ping of death".
        byte[] h = Packets.ipv4("10.1.0.10", "10.1.0.1", 1, 64, 9, 0x2000 | 8189, new byte[40]);
        vp0.inject(eth(R0, A, 0x0800, h));
        assertEquals(1, stat("ip", "fragments dropped (bad length or offset)"));
        assertEquals(0, stack.ipLayer().reassembly4.pending());
    }

    @Test
    void aMiddleFragmentWhoseLengthIsNotAMultipleOfEightIsDropped() {
        vp0.inject(eth(R0, A, 0x0800, Packets.ipv4("10.1.0.10", "10.1.0.1", 17, 64, 9, 0x2000, new byte[13])));
        vp0.inject(eth(R0, A, 0x0800, Packets.ipv4("10.1.0.10", "10.1.0.1", 17, 64, 10, 0x2000, new byte[0])));
        assertEquals(2, stat("ip", "fragments dropped (bad length or offset)"));
    }

    @Test
    void aDatagramNotWholeInTimeIsDroppedAndItsSourceToldIfTheFirstFragmentCame() {
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        List<byte[]> f = fragments4(udpToUs(11, Packets.pattern(3000)), 1480);
        vp0.inject(f.get(0), f.get(2));
        List<byte[]> g = fragments4(udpToUs(12, Packets.pattern(3000)), 1480);
        vp0.inject(g.get(1)); // no first fragment: nothing to quote
        advanceSeconds(29);
        assertEquals(List.of(), vp0.takeSent());
        advanceSeconds(1);

        // RFC 792: time exceeded, code 1 (fragment reassembly time exceeded), quoting the first fragment.
        assertIcmpV4Error(single(vp0.takeSent()), A, R0, "10.1.0.1", "10.1.0.10", 11, 1, 0,
                slice(f.get(0), 14, 14 + 548));
        assertEquals(3, stat("ip", "fragments dropped after timeout"));
        assertEquals(0, stack.ipLayer().reassembly4.pending());
    }

    @Test
    void theTimeoutIsATunable() {
        stack.setTunables(Map.of("net.inet.ip.fragttl", 5L));
        vp0.inject(fragments4(udpToUs(11, Packets.pattern(3000)), 1480).get(1));
        advanceSeconds(5);
        assertEquals(1, stat("ip", "fragments dropped after timeout"));
    }

    @Test
    void aNewDatagramBeyondMaxfragpacketsEvictsTheOldest() {
        stack.setTunables(Map.of("net.inet.ip.maxfragpackets", 2L));
        byte[] data = Packets.pattern(3000);
        List<byte[]> a = fragments4(udpToUs(21, data), 1480);
        List<byte[]> b = fragments4(udpToUs(22, data), 1480);
        List<byte[]> c = fragments4(udpToUs(23, data), 1480);
        try (UdpSocket s = stack.openUdp(PORT)) {
            vp0.inject(a.get(0));
            advanceSeconds(1);
            vp0.inject(b.get(0));
            advanceSeconds(1);
            vp0.inject(c.get(0)); // evicts a
            vp0.inject(a.get(1), a.get(2)); // a starts again, evicting b, and stays incomplete
            vp0.inject(c.get(1), c.get(2));
            assertArrayEquals(data, receive(s));
            assertNull(receive(s));
        }
        assertEquals(2, stat("ip", "reassembly limits reached (maxfragpackets, maxfragsperpacket, maxfrags)"));
        assertEquals(1, stack.ipLayer().reassembly4.pending());
    }

    @Test
    void moreFragmentsThanMaxfragsperpacketAbandonTheDatagram() {
        stack.setTunables(Map.of("net.inet.ip.maxfragsperpacket", 2L));
        try (UdpSocket s = stack.openUdp(PORT)) {
            vp0.inject(fragments4(udpToUs(31, Packets.pattern(3000)), 1000).toArray(new byte[0][]));
            assertNull(receive(s));
        }
        assertEquals(1, stat("ip", "datagrams abandoned (overlapping or inconsistent fragments)"));
    }

    @Test
    void noReassemblyWithMaxfragpacketsZero() {
        stack.setTunables(Map.of("net.inet.ip.maxfragpackets", 0L));
        vp0.inject(fragments4(udpToUs(31, Packets.pattern(3000)), 1480).toArray(new byte[0][]));
        assertEquals(3, drops("vp0", DropReason.REASSEMBLY));
    }

    @Test
    void reassembledDatagramsWaitingInASocketAreBoundedByTheLargeFrames() {
        int n = stack.largeFrames().capacity();
        try (UdpSocket s = stack.openUdp(PORT)) {
            for (int i = 0; i <= n; i++) {
                vp0.inject(fragments4(udpToUs(100 + i, Packets.pattern(3000)), 1480).toArray(new byte[0][]));
            }
            assertEquals(0, stack.largeFrames().available());
            assertEquals(1, stat("ip", "datagrams dropped for lack of a reassembly buffer"));
        }
        assertEquals(n, stack.largeFrames().available(), "closing the socket returns them");
    }

    @Test
    void aFragmentedEchoRequestGetsAFragmentedReply() {
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] echo = icmp4(8, 0, 0x0abc_0001L, Packets.pattern(3992)); // ping -s 3992: 4020 bytes of IP
        byte[] request = Packets.ipv4("10.1.0.10", "10.1.0.1", 1, 64, 0x5151, 0, echo);
        vp0.inject(fragments4(request, 1480).toArray(new byte[0][]));

        List<String> sent = vp0.takeSent();
        assertEquals(3, sent.size());
        ByteArrayOutputStream icmp = new ByteArrayOutputStream();
        int id = -1;
        for (int i = 0; i < sent.size(); i++) {
            byte[] f = Hex.bytes(sent.get(i));
            assertTrue(f.length <= 1514);
            assertArrayEquals(Packets.mac(A), slice(f, 0, 6), "to the requester");
            assertArrayEquals(Packets.mac(R0), slice(f, 6, 12), "from vp0");
            assertEquals(0, Hex.internetChecksum(f, 14, 34, 0));
            assertEquals(i * 1480 / 8, u16(f, 20) & 0x1FFF);
            id = i == 0 ? u16(f, 18) : id;
            assertEquals(id, u16(f, 18), "one identification");
            icmp.writeBytes(slice(f, 34, f.length));
        }
        byte[] reply = icmp.toByteArray();
        assertEquals(echo.length, reply.length);
        assertEquals(0, u8(reply, 0), "echo reply");
        assertEquals(0, Hex.internetChecksum(reply, 0, reply.length, 0));
        assertArrayEquals(slice(echo, 4, echo.length), slice(reply, 4, reply.length), "identifier, sequence, data");
    }

    // ---- IPv6 reassembly ----------------------------------------------------------------

    byte[] udp6ToUs(byte[] data) {
        return ipv6(A6, "2001:db8:1::1", 17, 64, udp6(A6, "2001:db8:1::1", 5000, PORT, data));
    }

    @Test
    void ipv6FragmentsOutOfOrderMakeThePacket() {
        byte[] data = Packets.pattern(4000);
        try (UdpSocket s = stack.openUdp(PORT)) {
            List<byte[]> f = fragments6(udp6ToUs(data), 1448, 0xdeadbeefL);
            vp0.inject(f.get(2), f.get(0), f.get(1));
            assertArrayEquals(data, receive(s));
        }
        assertEquals(1, stat("ip6", "packets reassembled ok"));
    }

    @Test
    void ipv6OverlappingFragmentsAreAllDiscarded() {
        byte[] packet = udp6ToUs(Packets.pattern(3000));
        List<byte[]> f = fragments6(packet, 1448, 5);
        byte[] overlap = fragments6(packet, 8, 5).get(180); // offset 1440, inside the first
        try (UdpSocket s = stack.openUdp(PORT)) {
            vp0.inject(f.get(0), overlap, f.get(1), f.get(2));
            assertNull(receive(s));
        }
        assertEquals(1, stat("ip6", "datagrams abandoned (overlapping or inconsistent fragments)"));
    }

    @Test
    void ipv6FragmentOfABadLengthGetsAParameterProblem() {
        learnV6(vp0, A, A6, R0, "2001:db8:1::1");
        byte[] frag = Packets.frag6(17, 0, true, 9, new byte[13]);
        byte[] in = eth(R0, A, 0x86dd, ipv6(A6, "2001:db8:1::1", 44, 64, frag));
        vp0.inject(in);

        // RFC 8200 §4.5: parameter problem code 0 pointing at the Payload Length field.
        assertIcmpV6Error(single(vp0.takeSent()), A, R0, "2001:db8:1::1", A6, 4, 0, 4, slice(in, 14, in.length));
    }

    @Test
    void ipv6TimeoutTellsTheSourceAfterSixtySeconds() {
        learnV6(vp0, A, A6, R0, "2001:db8:1::1");
        List<byte[]> f = fragments6(udp6ToUs(Packets.pattern(3000)), 1448, 77);
        vp0.inject(f.get(0));
        advanceSeconds(59);
        assertEquals(List.of(), vp0.takeSent());
        advanceSeconds(1);
        assertIcmpV6Error(single(vp0.takeSent()), A, R0, "2001:db8:1::1", A6, 3, 1, 0, slice(f.get(0), 14, 14 + 1232));
    }

    // ---- the stack's own datagrams ------------------------------------------------------

    @Test
    void aLargeUdpDatagramLeavesInFragmentsThatMakeItAgain() throws Exception {
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        byte[] data = Packets.pattern(5000);
        try (UdpSocket s = stack.openUdp(6000)) {
            s.send(InetAddress.getByName("10.1.0.10"), 7, ByteBuffer.wrap(data));
        }
        List<String> sent = vp0.takeSent();
        assertEquals(4, sent.size(), "5008 bytes of UDP in 1480-byte pieces");
        ByteArrayOutputStream udp = new ByteArrayOutputStream();
        for (String h : sent) {
            byte[] f = Hex.bytes(h);
            assertEquals(0, Hex.internetChecksum(f, 14, 34, 0));
            assertTrue(u16(f, 18) != 0, "a fragmented datagram has an identification (RFC 6864)");
            udp.writeBytes(slice(f, 34, f.length));
        }
        byte[] u = udp.toByteArray();
        assertEquals(0, Hex.internetChecksum(u, 0, u.length, Packets.pseudo4("10.1.0.1", "10.1.0.10", 17, u.length)));
        assertArrayEquals(data, slice(u, 8, u.length));
        assertEquals(4, stat("ip", "fragments created"));
    }

    @Test
    void aLargeUdpDatagramOverIpv6CarriesFragmentHeaders() throws Exception {
        learnV6(vp0, A, A6, R0, "2001:db8:1::1");
        byte[] data = Packets.pattern(3000);
        try (UdpSocket s = stack.openUdp(6000)) {
            s.send(InetAddress.getByName(A6), 7, ByteBuffer.wrap(data));
        }
        List<String> sent = vp0.takeSent();
        assertEquals(3, sent.size());
        ByteArrayOutputStream udp = new ByteArrayOutputStream();
        long id = -1;
        for (int i = 0; i < sent.size(); i++) {
            byte[] f = Hex.bytes(sent.get(i));
            assertEquals(44, u8(f, 20), "next header: Fragment");
            assertEquals(17, u8(f, 54), "the Fragment header's next header: UDP");
            int word = u16(f, 56);
            assertEquals(i * 1448, word & 0xFFF8);
            assertEquals(i < 2 ? 1 : 0, word & 1);
            long fid = ((long) u16(f, 58) << 16) | u16(f, 60);
            id = i == 0 ? fid : id;
            assertEquals(id, fid);
            assertTrue(f.length <= 1514);
            udp.writeBytes(slice(f, 62, f.length));
        }
        byte[] u = udp.toByteArray();
        assertEquals(0, Hex.internetChecksum(u, 0, u.length, Packets.pseudo6("2001:db8:1::1", A6, 17, u.length)));
        assertArrayEquals(data, slice(u, 8, u.length));
    }
}
