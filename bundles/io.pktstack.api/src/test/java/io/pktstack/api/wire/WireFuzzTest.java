package io.pktstack.api.wire;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checked wraps against arbitrary bytes: they must never throw, and every
 * accessor of an accepted view must stay inside the accepted range. Each view
 * is wrapped on a slice of exactly its range, so a read outside it (before or
 * after) throws IndexOutOfBoundsException and fails the test.
 */
class WireFuzzTest {

    private static final long SEED = 0x70_6b74_7374L;
    private static final int ROUNDS = 100_000;
    private static final int MAX_LEN = 200;

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip4 = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final IcmpPacket icmp = new IcmpPacket();
    private final Icmpv6Packet icmp6 = new Icmpv6Packet();
    private final UdpDatagram udp = new UdpDatagram();

    private final int[] accepted = new int[8];
    private long sink;

    @Test
    void checkedWrapsNeverThrowNorReadOutOfRange() {
        Random rnd = new Random(SEED);
        byte[][] fixtures = WireFixtures.all();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] buf = nextBuffer(rnd, fixtures);
            try {
                MemorySegment seg = MemorySegment.ofArray(buf);
                frame(seg);
                // Also aim every view at the raw bytes and at offset 14, whatever the EtherType says.
                network(seg);
                transport(seg, 0, 0, 0, 0);
                if (buf.length > 14) {
                    network(seg.asSlice(14));
                }
                badArguments(seg, rnd);
            } catch (RuntimeException e) {
                fail("round " + round + ", seed " + SEED + ", bytes " + HexFormat.of().formatHex(buf), e);
            }
        }
        // The fuzzer must actually reach each view, or it proves nothing.
        String counts = Arrays.toString(accepted);
        for (int c : accepted) {
            assertTrue(c > 5_000, "views rarely accepted: " + counts);
        }
        assertNotEquals(42, sink); // keep the reads alive
    }

    private static byte[] nextBuffer(Random rnd, byte[][] fixtures) {
        if (rnd.nextInt(5) == 0) {
            byte[] b = new byte[rnd.nextInt(MAX_LEN + 1)];
            rnd.nextBytes(b);
            return b;
        }
        byte[] b = fixtures[rnd.nextInt(fixtures.length)].clone();
        int mutations = rnd.nextInt(5);
        for (int i = 0; i < mutations && b.length > 0; i++) {
            int at = rnd.nextInt(b.length);
            b[at] = switch (rnd.nextInt(4)) {
                case 0 -> (byte) rnd.nextInt(256);
                case 1 -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                case 2 -> 0;
                default -> (byte) 0xFF;
            };
        }
        return switch (rnd.nextInt(3)) {
            case 0 -> Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            case 1 -> {
                int n = b.length + rnd.nextInt(MAX_LEN - b.length + 1);
                byte[] longer = Arrays.copyOf(b, n);
                for (int i = b.length; i < n; i++) {
                    longer[i] = (byte) rnd.nextInt(256);
                }
                yield longer;
            }
            default -> b;
        };
    }

    private static MemorySegment exact(MemorySegment seg, long offset, int length) {
        return seg.asSlice(offset, length);
    }

    private void frame(MemorySegment seg) {
        if (!eth.wrapChecked(seg, 0, (int) seg.byteSize())) {
            return;
        }
        accepted[0]++;
        sink += eth.dstMac() + eth.srcMac() + eth.etherType() + eth.payload().byteSize();
        network(exact(seg, eth.payloadOffset(), eth.payloadLength()));
    }

    /** Every network-layer view on {@code seg}, which is exactly the bytes offered. */
    private void network(MemorySegment seg) {
        int n = (int) seg.byteSize();
        if (arp.wrapChecked(seg, 0, n)) {
            accepted[1]++;
            sink += arp.htype() + arp.ptype() + arp.hlen() + arp.plen() + arp.oper()
                    + arp.sha() + arp.spa() + arp.tha() + arp.tpa();
        }
        if (ip4.wrapChecked(seg, 0, n)) {
            accepted[2]++;
            sink += ip4.version() + ip4.ihl() + ip4.dscp() + ip4.ecn() + ip4.totalLength() + ip4.identification()
                    + ip4.flags() + ip4.fragmentOffset() + ip4.ttl() + ip4.protocol() + ip4.headerChecksum()
                    + ip4.srcAddr() + ip4.dstAddr() + ip4.computeChecksum() + (ip4.verifyChecksum() ? 1 : 0)
                    + ip4.payload().byteSize();
            MemorySegment payload = exact(seg, ip4.payloadOffset(), ip4.payloadLength());
            transport(payload, ip4.srcAddr(), ip4.dstAddr(), 0, 0);
        }
        if (ip6.wrapChecked(seg, 0, n)) {
            accepted[3]++;
            byte[] addr = new byte[16];
            ip6.copySrcTo(addr, 0);
            ip6.copyDstTo(addr, 0);
            sink += ip6.version() + ip6.trafficClass() + ip6.flowLabel() + ip6.payloadLength() + ip6.nextHeader()
                    + ip6.hopLimit() + ip6.srcHi() + ip6.srcLo() + ip6.dstHi() + ip6.dstLo() + addr[15]
                    + ip6.payload().byteSize();
            MemorySegment payload = exact(seg, ip6.payloadOffset(), ip6.payloadLength());
            transport(payload, 0, 0, ip6.srcHi(), ip6.dstLo());
        }
    }

    private void transport(MemorySegment seg, int src4, int dst4, long hi, long lo) {
        int n = (int) seg.byteSize();
        if (icmp.wrapChecked(seg, 0, n)) {
            accepted[4]++;
            sink += icmp.type() + icmp.code() + icmp.checksum() + icmp.restOfHeader() + icmp.identifier()
                    + icmp.sequence() + icmp.payloadLength() + icmp.computeChecksum(n) + (icmp.verifyChecksum() ? 1 : 0);
        }
        if (icmp6.wrapChecked(seg, 0, n)) {
            accepted[5]++;
            sink += icmp6.type() + icmp6.code() + icmp6.checksum() + icmp6.restOfHeader() + icmp6.identifier()
                    + icmp6.sequence() + icmp6.payloadLength() + icmp6.computeChecksum(hi, lo, lo, hi)
                    + (icmp6.verifyChecksum(hi, lo, lo, hi) ? 1 : 0)
                    + icmp6.findOption(Icmpv6Packet.OPT_SOURCE_LINK_ADDR) + icmp6.findOption(Icmpv6Packet.OPT_TARGET_LINK_ADDR)
                    + icmp6.sourceLinkLayerAddress() + icmp6.targetLinkLayerAddress() + icmp6.optionsOffset();
            int type = icmp6.type();
            if (type == Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION || type == Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT
                    || type == Icmpv6Packet.TYPE_REDIRECT) {
                accepted[6]++;
                byte[] target = new byte[16];
                icmp6.copyTargetTo(target, 0);
                sink += icmp6.targetHi() + icmp6.targetLo() + target[0] + (icmp6.routerFlag() ? 1 : 0)
                        + (icmp6.solicitedFlag() ? 1 : 0) + (icmp6.overrideFlag() ? 1 : 0);
                // An accepted ND message has well-formed options (RFC 4861 §4.6).
                assertTrue(icmp6.findOption(-1) == Icmpv6Packet.NO_OPTION);
            }
        }
        if (udp.wrapChecked(seg, 0, n)) {
            accepted[7]++;
            sink += udp.srcPort() + udp.dstPort() + udp.udpLength() + udp.checksum() + udp.payload().byteSize()
                    + udp.computeChecksumV4(src4, dst4) + udp.computeChecksumV6(hi, lo, lo, hi)
                    + (udp.verifyChecksumV4(src4, dst4) ? 1 : 0) + (udp.verifyChecksumV6(hi, lo, hi, lo) ? 1 : 0);
        }
    }

    /** Offsets and lengths that do not describe the segment must be refused, not thrown on. */
    private void badArguments(MemorySegment seg, Random rnd) {
        int size = (int) seg.byteSize();
        long off = rnd.nextInt(size + 20) - 10;
        int len = rnd.nextInt(size + 20) - 10;
        boolean inside = off >= 0 && len >= 0 && off + len <= size;
        boolean any = eth.wrapChecked(seg, off, len) | arp.wrapChecked(seg, off, len) | ip4.wrapChecked(seg, off, len)
                | ip6.wrapChecked(seg, off, len) | icmp.wrapChecked(seg, off, len) | icmp6.wrapChecked(seg, off, len)
                | udp.wrapChecked(seg, off, len);
        assertTrue(inside || !any, "accepted range [" + off + ", +" + len + ") of " + size);
    }
}
