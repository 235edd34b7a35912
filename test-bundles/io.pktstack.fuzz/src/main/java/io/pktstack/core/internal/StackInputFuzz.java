package io.pktstack.core.internal;

import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.api.wire.UdpDatagram;
import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fuzz target {@code stack-input}: frames from the wire into a whole stack
 * (forwarder, bridge, ARP and ND, IPv4 and IPv6 input, ICMP, UDP, TCP) with
 * addresses, a bridge, a UDP socket and a TCP listener, on a clock the
 * fuzzer moves. Frames are raw, or Ethernet/ARP/IPv4/IPv6 headers the target
 * builds around the fuzzer's bytes (addressed to the stack, checksums right
 * when the fuzzer says so) so the input path is reached deep. Nothing may
 * throw; every frame the stack sends is well formed ({@link FuzzLink}); and
 * when the stack stops, every frame is back in the pool.
 */
public final class StackInputFuzz {

    static final long T0 = TimeUnit.HOURS.toNanos(3);
    /**
     * One pool for every input: making and closing 256 frames' memory costs
     * more than the rest of an input. Each input ends with all of them back,
     * which is checked; the one frame held over deactivate keeps the stack
     * from closing the pool (it closes a pool only when every frame came back).
     */
    private static final FramePool POOL = new FramePool(256, FramePool.DEFAULT_SLOT_SIZE);
    private static final InterfaceAddress[] ADDRESSES = {InterfaceAddress.parse("10.0.0.1/24"),
        InterfaceAddress.parse("fd00::1/64"), InterfaceAddress.parse("10.1.0.1/24"), InterfaceAddress.parse("fd01::1/64")};
    private static final InetSocketAddress LISTEN = new InetSocketAddress(addrOf("10.0.0.1"), 80);
    private static final byte[] STACK_V6 = addr("fd00::1");
    private static final byte[] BRIDGE_V6 = addr("fd01::1");

    /** Held: java.util.logging keeps loggers weakly, so a level set on one that is collected is lost. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.pktstack.core");

    static {
        QUIET.setLevel(java.util.logging.Level.OFF);
    }

    private StackInputFuzz() {
    }

    private static byte[] addr(String a) {
        return addrOf(a).getAddress();
    }

    private static InetAddress addrOf(String a) {
        return InetAddress.ofLiteral(a);
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        FuzzInput in = new FuzzInput(data);
        AtomicLong clock = new AtomicLong(T0);
        FramePool pool = POOL;
        StackComponent stack = new StackComponent(pool, clock::get);
        FuzzLink[] links = new FuzzLink[3];
        java.util.Set<ByteBuffer> delivered = new java.util.HashSet<>();
        try {
            for (int i = 0; i < 3; i++) {
                links[i] = new FuzzLink(new MacAddress(0x0200_0000_0001L + i), delivered, () -> false);
                stack.addLink(links[i], Map.of(Link.DRIVER, "fuzz", Link.INSTANCE, "fuzz.0", Link.PREFIX, "vp",
                        Link.KEY, "k" + i));
            }
            stack.addAddress("vp0", ADDRESSES[0]);
            stack.addAddress("vp0", ADDRESSES[1]);
            stack.createBridge("bridge0");
            stack.bridgeAdd("bridge0", "vp1");
            stack.bridgeAdd("bridge0", "vp2");
            stack.setUp("bridge0", true);
            stack.addAddress("bridge0", ADDRESSES[2]);
            stack.addAddress("bridge0", ADDRESSES[3]);
            var udp = stack.openUdp(5000);
            var listener = stack.listen(LISTEN, 4);
            int steps = 0;
            while (in.hasMore() && steps++ < 64) {
                int op = in.u8() % 8;
                switch (op) {
                    case 5 -> {
                        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(in.u16()));
                        stack.timer().runDue();
                    }
                    case 6 -> {
                        ByteBuffer b = ByteBuffer.allocate(2048);
                        udp.receive(b, java.time.Duration.ZERO);
                    }
                    case 7 -> {
                        try {
                            listener.accept(java.time.Duration.ofNanos(1)).close();
                        } catch (java.net.SocketTimeoutException e) {
                            // nothing was queued
                        }
                    }
                    default -> {
                        int link = in.intIn(0, 2);
                        links[link].deliver(frame(in, links[link].mac(), link == 0));
                    }
                }
            }
            clock.addAndGet(TimeUnit.SECONDS.toNanos(5));
            stack.timer().runDue();
            udp.close();
            listener.close();
        } finally {
            var held = pool.take();
            stack.deactivate();
            if (held != null) {
                held.release();
            }
            if (pool.available() != pool.capacity()) {
                int lost = pool.capacity() - pool.available();
                // Put the pool right for the next input, then report: this input leaked.
                throw new AssertionError(lost + " frames not back in the pool after the stack stopped");
            }
        }
    }

    /** One frame: raw bytes, or headers built around the fuzzer's bytes. */
    static byte[] frame(FuzzInput in, MacAddress own, boolean routed) {
        int kind = in.u8() % 6;
        long dst = switch (in.u8() & 3) {
            case 0 -> MacAddress.BROADCAST.bits();
            case 1 -> 0x3333_0000_0001L;
            default -> own.bits();
        };
        long src = 0x0200_00aa_0000L | in.u8();
        if (kind == 0) {
            return in.bytes(1600);
        }
        ByteBuffer b = ByteBuffer.allocate(1600);
        b.putShort((short) (dst >>> 32)).putInt((int) dst).putShort((short) (src >>> 32)).putInt((int) src);
        switch (kind) {
            case 1 -> { // ARP about the stack's address
                b.putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4)
                        .putShort((short) in.intIn(0, 3));
                b.putShort((short) (src >>> 32)).putInt((int) src).putInt(0x0a000000 | in.u8() | (routed ? 0 : 0x10000));
                b.putShort((short) 0).putInt(0).putInt(routed ? 0x0a000001 : 0x0a010001);
                b.put(in.bytes(32));
            }
            case 2, 3 -> ipv4(b, in, routed, kind == 3);
            default -> ipv6(b, in, routed);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void ipv4(ByteBuffer b, FuzzInput in, boolean routed, boolean fix) {
        b.putShort((short) 0x0800);
        int start = b.position();
        int proto = in.pickInt(1, 6, 17, 6, in.u8());
        int ihl = (in.u8() & 7) == 0 ? in.intIn(5, 15) : 5;
        byte[] payload = in.bytes(1400);
        int total = ihl * 4 + payload.length;
        int frag = (in.u8() & 7) == 0 ? in.u16() : 0x4000; // mostly DF, sometimes any flags/offset
        int dst = switch (in.u8() & 3) {
            case 0 -> 0xffffffff;
            case 1 -> in.u32();
            default -> routed ? 0x0a000001 : 0x0a010001;
        };
        int srcIp = (routed ? 0x0a000000 : 0x0a010000) | in.intIn(2, 254);
        b.put((byte) (0x40 | ihl)).put((byte) 0).putShort((short) (fix ? total : in.u16())).putShort((short) in.u16())
                .putShort((short) frag).put((byte) in.u8()).put((byte) proto).putShort((short) 0).putInt(srcIp).putInt(dst);
        for (int i = 20; i < ihl * 4; i++) {
            b.put((byte) in.u8());
        }
        int l4 = b.position();
        b.put(payload);
        MemorySegment s = MemorySegment.ofArray(b.array());
        if (fix) {
            new io.pktstack.api.wire.Ipv4Packet().wrap(s, start, total).fillChecksum();
            switch (proto) {
                case 1 -> {
                    IcmpPacket icmp = new IcmpPacket();
                    if (icmp.wrapChecked(s, l4, payload.length)) {
                        icmp.fillChecksum(payload.length);
                    }
                }
                case 6 -> {
                    TcpSegment tcp = new TcpSegment();
                    if (tcp.wrapChecked(s, l4, payload.length)) {
                        tcp.fillChecksumV4(srcIp, dst);
                    }
                }
                case 17 -> {
                    UdpDatagram udp = new UdpDatagram();
                    if (udp.wrapChecked(s, l4, payload.length)) {
                        udp.fillChecksumV4(srcIp, dst);
                    }
                }
                default -> { }
            }
        }
    }

    private static void ipv6(ByteBuffer b, FuzzInput in, boolean routed) {
        b.putShort((short) 0x86dd);
        int start = b.position();
        int next = in.pickInt(58, 6, 17, 0, 43, 44, 60, 59, in.u8());
        byte[] payload = in.bytes(1400);
        byte[] dst = switch (in.u8() & 3) {
            case 0 -> addr("ff02::1");
            case 1 -> {
                byte[] sn = addr("ff02::1:ff00:1"); // solicited-node of ::1
                yield sn;
            }
            default -> routed ? STACK_V6 : BRIDGE_V6;
        };
        byte[] src = (routed ? STACK_V6 : BRIDGE_V6).clone();
        src[15] = (byte) in.intIn(2, 254);
        if ((in.u8() & 7) == 0) {
            src = addr("fe80::2");
        }
        b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) next).put((byte) in.pickInt(255, 64, 1))
                .put(src).put(dst);
        int l4 = b.position();
        b.put(payload);
        if (in.bool()) { // right checksums, for ICMPv6 (ND included), TCP and UDP directly behind the header
            MemorySegment s = MemorySegment.ofArray(b.array());
            var ip = new io.pktstack.api.wire.Ipv6Packet().wrap(s, start, 40 + payload.length);
            switch (next) {
                case 58 -> {
                    Icmpv6Packet icmp = new Icmpv6Packet();
                    if (icmp.wrapChecked(s, l4, payload.length)) {
                        icmp.fillChecksum(ip);
                    }
                }
                case 6 -> {
                    TcpSegment tcp = new TcpSegment();
                    if (tcp.wrapChecked(s, l4, payload.length)) {
                        tcp.fillChecksumV6(ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
                    }
                }
                case 17 -> {
                    UdpDatagram udp = new UdpDatagram();
                    if (udp.wrapChecked(s, l4, payload.length)) {
                        udp.fillChecksum(ip);
                    }
                }
                default -> { }
            }
        }
    }
}
