package io.pktstack.core.internal;

import static io.pktstack.core.internal.Packets.eth;
import static io.pktstack.core.internal.Packets.ip;
import static io.pktstack.core.internal.Packets.ipv4;
import static io.pktstack.core.internal.Packets.slice;
import static io.pktstack.core.internal.Packets.u16;
import static io.pktstack.core.internal.Packets.u8;
import static io.pktstack.core.internal.Packets.udp4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.stack.ProtocolStatistics;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * A stack with two links for the router's tests: vp0 (10.1.0.1/24,
 * 2001:db8:1::1/64, host A 10.1.0.10 / 2001:db8:1::a behind it) and vp1
 * (10.2.0.1/24, 2001:db8:2::1/64, host B 10.2.0.20 / 2001:db8:2::14), with
 * helpers to teach it neighbours and to check ICMP errors field by field.
 */
abstract class RouterTestBase extends StackTestBase {

    static final String R0 = "02:00:00:00:01:01";
    static final String R1 = "02:00:00:00:02:01";
    static final String A = "52:54:00:00:01:0a";
    static final String B = "52:54:00:00:02:14";
    static final String A6 = "2001:db8:1::a";
    static final String B6 = "2001:db8:2::14";

    FakeLink vp0;
    FakeLink vp1;

    @BeforeEach
    void router() {
        vp0 = add(new FakeLink(R0), "vp");
        vp1 = add(new FakeLink(R1), "vp");
        address("vp0", "10.1.0.1/24");
        address("vp1", "10.2.0.1/24");
        address("vp0", "2001:db8:1::1/64");
        address("vp1", "2001:db8:2::1/64");
        vp0.takeSent();
        vp1.takeSent();
    }

    /** A third link, vp2 (10.3.0.1/24), whose frames are at most {@code mtu} bytes: a smaller next hop. */
    FakeLink smallNextHop(int mtu) {
        FakeLink small = new FakeLink("02:00:00:00:03:01");
        small.mtu = mtu;
        add(small, "vp");
        address("vp2", "10.3.0.1/24");
        small.takeSent();
        return small;
    }

    void forwarding(boolean on) {
        stack.setTunables(Map.of("net.inet.ip.forwarding", on ? 1L : 0L, "net.inet6.ip6.forwarding", on ? 1L : 0L));
    }

    long stat(String protocol, String text) {
        for (ProtocolStatistics p : stack.statistics()) {
            if (p.protocol().equals(protocol)) {
                Long v = p.counters().get(text);
                if (v == null) {
                    throw new AssertionError("no counter '" + text + "' in " + p.counters().keySet());
                }
                return v;
            }
        }
        throw new AssertionError("no protocol " + protocol);
    }

    /** Teaches the router a host's MAC: an ARP request from it for the router's address. */
    void learnV4(FakeLink link, String hostMac, String hostIp, String routerIp) {
        link.inject(eth("ff:ff:ff:ff:ff:ff", hostMac, 0x0806, Packets.arp(1, hostMac, hostIp, "00:00:00:00:00:00", routerIp)));
        link.takeSent(); // the ARP reply
    }

    void learnV6(FakeLink link, String hostMac, String hostIp, String routerMac, String routerIp) {
        link.inject(Packets.na(hostIp, hostMac, routerIp, routerMac, hostIp));
        link.takeSent();
    }

    byte[] udpAtoB(int ttl, int flags, byte[] data) {
        return eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.2.0.20", 17, ttl, 0x1234, flags,
                udp4("10.1.0.10", "10.2.0.20", 5000, 7, data)));
    }

    // ---- helpers --------------------------------------------------------------

    static byte[] single(List<String> sent) {
        assertEquals(1, sent.size(), "frames sent: " + sent);
        return Hex.bytes(sent.get(0));
    }

    /** An ICMP error as RFC 792 lays it out, checksums verified; the IP identification is the stack's choice. */
    static void assertIcmpV4Error(byte[] e, String dstMac, String srcMac, String src, String dst, int type, int code,
            long rest, byte[] quoted) {
        assertArrayEquals(Packets.mac(dstMac), slice(e, 0, 6));
        assertArrayEquals(Packets.mac(srcMac), slice(e, 6, 12));
        assertEquals(0x0800, u16(e, 12));
        assertEquals(0x45, u8(e, 14));
        assertEquals(20 + 8 + quoted.length, u16(e, 16));
        assertEquals(64, u8(e, 22));
        assertEquals(1, u8(e, 23));
        assertEquals(0, Hex.internetChecksum(e, 14, 34, 0), "IP header checksum");
        assertArrayEquals(ip(src), slice(e, 26, 30));
        assertArrayEquals(ip(dst), slice(e, 30, 34));
        assertEquals(type, u8(e, 34));
        assertEquals(code, u8(e, 35));
        assertEquals(0, Hex.internetChecksum(e, 34, e.length, 0), "ICMP checksum");
        assertArrayEquals(Packets.u32(rest), slice(e, 38, 42));
        assertArrayEquals(quoted, slice(e, 42, e.length));
    }

    static void assertIcmpV6Error(byte[] e, String dstMac, String srcMac, String src, String dst, int type, int code,
            long rest, byte[] quoted) {
        assertArrayEquals(Packets.mac(dstMac), slice(e, 0, 6));
        assertArrayEquals(Packets.mac(srcMac), slice(e, 6, 12));
        assertEquals(0x86dd, u16(e, 12));
        assertEquals(8 + quoted.length, u16(e, 18));
        assertEquals(58, u8(e, 20));
        assertArrayEquals(ip(src), slice(e, 22, 38));
        assertArrayEquals(ip(dst), slice(e, 38, 54));
        assertEquals(type, u8(e, 54));
        assertEquals(code, u8(e, 55));
        assertEquals(0, Hex.internetChecksum(e, 54, e.length, Packets.pseudo6(src, dst, 58, e.length - 54)),
                "ICMPv6 checksum");
        assertArrayEquals(Packets.u32(rest), slice(e, 58, 62));
        assertArrayEquals(quoted, slice(e, 62, e.length));
    }

    /**
     * Forwards 64-byte UDP frames from A on vp0 to 10.3.0.5 behind a third
     * link, batches of 32 straight into layer 2 (no test-harness copies), and
     * fails if the forwarding thread allocated, after warm-up, a tenth of a
     * byte per frame or more.
     */
    void assertSteadyStateAllocatesNothing(Runnable once3rdLinkIsUp) {
        FakeLink sink = add(new FakeLink("02:00:00:00:03:01"), "vp");
        address("vp2", "10.3.0.1/24");
        once3rdLinkIsUp.run();
        learnV4(sink, "52:54:00:00:03:05", "10.3.0.5", "10.3.0.1");
        sink.discard = true; // as a driver that puts frames on a wire, without copying them out
        byte[] packet = eth(R0, A, 0x0800, ipv4("10.1.0.10", "10.3.0.5", 17, 64, 1, Packets.DF,
                udp4("10.1.0.10", "10.3.0.5", 1, 2, new byte[18])));
        NetInterface in = stack.netInterface("vp0");
        PathContext ctx = new PathContext();
        FrameBatch batch = new FrameBatch();
        Frame[] frames = new Frame[32];
        Runnable round = () -> {
            pool.take(frames, 32);
            for (Frame f : frames) {
                MemorySegment.copy(packet, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), packet.length);
                f.length(packet.length);
                batch.add(f);
            }
            stack.forwarder().receive(in, batch, ctx);
        };
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        long before = threads.getCurrentThreadAllocatedBytes();
        int rounds = 10_000;
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < rounds * 32L / 10, allocated + " bytes allocated for " + rounds * 32 + " frames");
        assertEquals(pool.capacity(), pool.available());
    }
}
