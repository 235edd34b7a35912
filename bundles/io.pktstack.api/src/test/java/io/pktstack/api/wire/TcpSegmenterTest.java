package io.pktstack.api.wire;

import static io.pktstack.testfixtures.TsoFixtures.ETH_V4;
import static io.pktstack.testfixtures.TsoFixtures.IPV4;
import static io.pktstack.testfixtures.TsoFixtures.TCP;
import static io.pktstack.testfixtures.TsoFixtures.packet;
import static io.pktstack.testfixtures.TsoFixtures.pseudoV4;
import static io.pktstack.testfixtures.TsoFixtures.sum;
import static io.pktstack.testfixtures.TsoFixtures.u16;
import static io.pktstack.testfixtures.TsoFixtures.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Segmentation of large TCP segments against byte fixtures: a packet built
 * from hex, each output segment checked field by field and its checksums
 * verified with a plain RFC 1071 sum written in the fixtures (not the one
 * under test); partial checksums completed with {@link Checksum#completePartial}.
 */
class TcpSegmenterTest {

    /** A packet in a heap array, read the way a back-end reads a descriptor chain. */
    record Bytes(MemorySegment seg) implements TcpSegmenter.Source {
        @Override
        public long length() {
            return seg.byteSize();
        }

        @Override
        public void copyTo(long from, MemorySegment dst, long dstOffset, int len) {
            MemorySegment.copy(seg, from, dst, dstOffset, len);
        }
    }

    @Test
    void aTcpV4SegmentOfThreeThousandBytesBecomesThreeFramesWithinTheMtu() {
        byte[] in = packet(ETH_V4 + IPV4 + TCP, 3000);
        int hdrs = 14 + 20 + 32;
        TcpSegmenter o = new TcpSegmenter();
        Bytes pkt = new Bytes(MemorySegment.ofArray(in));
        assertTrue(o.prepare(pkt, TcpSegmenter.GSO_TCPV4, 1448, 1514), o.problem());
        assertEquals(3, o.segments());
        int[] sizes = {1448, 1448, 104};
        for (int k = 0; k < 3; k++) {
            byte[] out = new byte[1600];
            int len = o.build(k, pkt, MemorySegment.ofArray(out), 10, false);
            byte[] f = Arrays.copyOfRange(out, 10, 10 + len);
            assertEquals(hdrs + sizes[k], len, "segment " + k);
            assertTrue(len <= 1514);
            assertArrayEquals(Arrays.copyOfRange(in, 0, 14), Arrays.copyOfRange(f, 0, 14), "Ethernet header kept");
            assertEquals(20 + 32 + sizes[k], u16(f, 14 + 2), "IPv4 total length");
            assertEquals(0x1234 + k, u16(f, 14 + 4), "IPv4 id counts up");
            assertEquals(0xffff, sum(f, 14, 20, 0), "IPv4 header checksum verifies");
            assertEquals(0x01020304L + 1448L * k, u32(f, 34 + 4), "sequence number");
            int flags = f[34 + 13] & 0xff;
            int expected = 0x10 | (k == 0 ? 0x80 : 0) | (k == 2 ? 0x08 | 0x01 : 0); // ACK; CWR first; PSH|FIN last
            assertEquals(expected, flags, "TCP flags of segment " + k);
            assertArrayEquals(Arrays.copyOfRange(in, 34 + 14, 34 + 16), Arrays.copyOfRange(f, 34 + 14, 34 + 16),
                    "window kept");
            assertArrayEquals(Arrays.copyOfRange(in, 34 + 18, hdrs), Arrays.copyOfRange(f, 34 + 18, hdrs),
                    "urgent pointer and options kept");
            assertEquals(0xffff, sum(f, 34, len - 34, pseudoV4(f, 14, len - 34)), "TCP checksum verifies");
            assertArrayEquals(Arrays.copyOfRange(in, hdrs + 1448 * k, hdrs + 1448 * k + sizes[k]),
                    Arrays.copyOfRange(f, hdrs, len), "payload of segment " + k);
        }
    }

    @Test
    void theSegmentSizeIsCutToTheMtuWhateverTheGuestAsks() {
        byte[] in = packet(ETH_V4 + IPV4 + TCP, 4000);
        TcpSegmenter o = new TcpSegmenter();
        Bytes pkt = new Bytes(MemorySegment.ofArray(in));
        assertTrue(o.prepare(pkt, TcpSegmenter.GSO_TCPV4, 9000, 1514));
        int room = 1514 - 66;
        assertEquals((4000 + room - 1) / room, o.segments());
        byte[] out = new byte[2048];
        assertEquals(1514, o.build(0, pkt, MemorySegment.ofArray(out), 0, false));
    }

    @Test
    void aTcpV6SegmentGetsItsPayloadLengthAndChecksumPerFrame() {
        String eth = "020000000002" + "020000000001" + "86dd";
        String ip6 = "60000000" + "0000" + "06" + "40" + "fd000000000000000000000000000001"
                + "fd000000000000000000000000000002";
        String tcp = "03e8" + "07d0" + "fffffff0" + "00000001" + "50" + "18" + "ffff" + "0000" + "0000";
        byte[] in = packet(eth + ip6 + tcp, 2000);
        TcpSegmenter o = new TcpSegmenter();
        Bytes pkt = new Bytes(MemorySegment.ofArray(in));
        assertTrue(o.prepare(pkt, TcpSegmenter.GSO_TCPV6, 1440, 1514), o.problem());
        assertEquals(2, o.segments());
        for (int k = 0; k < 2; k++) {
            byte[] f = new byte[1514];
            int len = o.build(k, pkt, MemorySegment.ofArray(f), 0, false);
            int tcpLen = len - 54;
            assertEquals(tcpLen, u16(f, 14 + 4), "IPv6 payload length");
            assertEquals((0xfffffff0L + 1440L * k) & 0xffffffffL, u32(f, 54 + 4), "sequence number wraps");
            long pseudo = 0;
            for (int i = 0; i < 32; i += 2) {
                pseudo += u16(f, 22 + i);
            }
            pseudo += tcpLen + 6;
            assertEquals(0xffff, sum(f, 54, tcpLen, pseudo), "TCP checksum verifies");
            assertEquals(k == 1 ? 0x18 : 0x10, f[54 + 13] & 0xff, "PSH on the last segment only");
        }
    }

    @Test
    void aPartialUdpChecksumIsCompleted() {
        // IPv4 UDP 10.0.0.1:5000 -> 10.0.0.2:6000, 11 bytes of data; the guest left the pseudo-header sum in place.
        String udp = "1388" + "1770" + "0013" + "0000";
        byte[] f = packet(ETH_V4 + "4500002700004000401100000a0000010a000002" + udp, 11);
        int pseudo = sum(f, 26, 8, 17 + 19) ; // addresses, protocol, UDP length
        f[34 + 6] = (byte) (pseudo >>> 8);
        f[34 + 7] = (byte) pseudo;
        assertTrue(Checksum.completePartial(MemorySegment.ofArray(f), 0, f.length, 34, 6));
        assertEquals(0xffff, sum(f, 34, 19, sum(f, 26, 8, 17 + 19) ), "UDP checksum verifies");
        assertTrue(u16(f, 40) != 0, "never 0 for UDP");
    }

    @Test
    void checksumOffsetsOutsideThePacketAreRefused() {
        byte[] f = packet(ETH_V4 + IPV4 + TCP, 10);
        MemorySegment s = MemorySegment.ofArray(f);
        assertFalse(Checksum.completePartial(s, 0, f.length, f.length, 0));
        assertFalse(Checksum.completePartial(s, 0, f.length, 34, f.length));
        assertFalse(Checksum.completePartial(s, 0, f.length, 34, 0xffff));
        assertFalse(Checksum.completePartial(s, 0, f.length, 2, 0), "inside the Ethernet header");
        assertFalse(Checksum.completePartial(s, 0, f.length, f.length - 1, 0), "no room for the field");
    }

    @Test
    void packetsThatCannotBeSegmentedAreRefusedWithTheReason() {
        TcpSegmenter o = new TcpSegmenter();
        byte[] v4 = packet(ETH_V4 + IPV4 + TCP, 3000);
        Bytes pkt = new Bytes(MemorySegment.ofArray(v4));
        assertFalse(o.prepare(pkt, TcpSegmenter.GSO_TCPV6, 1448, 1514), "TCPv6 type on an IPv4 packet");
        assertFalse(o.prepare(pkt, 3, 1448, 1514), "UDP fragmentation offload not offered");
        assertFalse(o.prepare(pkt, TcpSegmenter.GSO_TCPV4, 8, 1514), "a segment size that only makes work");
        assertTrue(o.problem().contains("segment size"), o.problem());
        byte[] udp = packet(ETH_V4 + IPV4.replace("4006", "4011") + TCP, 3000);
        assertFalse(o.prepare(new Bytes(MemorySegment.ofArray(udp)), TcpSegmenter.GSO_TCPV4, 1448, 1514));
        assertTrue(o.problem().contains("protocol 17"), o.problem());
        byte[] frag = packet(ETH_V4 + IPV4.replace("4000" + "4006", "2000" + "4006") + TCP, 3000);
        assertFalse(o.prepare(new Bytes(MemorySegment.ofArray(frag)), TcpSegmenter.GSO_TCPV4, 1448, 1514), "fragment");
        byte[] shortTcp = packet(ETH_V4 + IPV4, 10);
        assertFalse(o.prepare(new Bytes(MemorySegment.ofArray(shortTcp)), TcpSegmenter.GSO_TCPV4, 1448, 1514));
        byte[] badOffset = packet(ETH_V4 + IPV4 + TCP.replace("0a0b0c0d" + "80", "0a0b0c0d" + "f0"), 20);
        assertFalse(o.prepare(new Bytes(MemorySegment.ofArray(badOffset)), TcpSegmenter.GSO_TCPV4, 1448, 1514),
                "a TCP header longer than the packet");
        assertFalse(o.prepare(new Bytes(MemorySegment.ofArray(new byte[10])), TcpSegmenter.GSO_TCPV4, 1448, 1514));
    }

    @Test
    void aVlanTaggedSegmentIsCutBehindTheTag() {
        String eth = "020000000002" + "020000000001" + "8100" + "0064" + "0800";
        byte[] in = packet(eth + IPV4 + TCP, 1500);
        TcpSegmenter o = new TcpSegmenter();
        Bytes pkt = new Bytes(MemorySegment.ofArray(in));
        assertTrue(o.prepare(pkt, TcpSegmenter.GSO_TCPV4, 1400, 1518), o.problem());
        byte[] f = new byte[1600];
        int len = o.build(1, pkt, MemorySegment.ofArray(f), 0, false);
        assertEquals(18 + 20 + 32 + 100, len);
        assertEquals(0xffff, sum(f, 18, 20, 0));
        assertEquals(0x1235, u16(f, 18 + 4));
        assertEquals(0x8100, u16(f, 12));
    }

    @Test
    void aPartialSegmentCarriesThePseudoHeaderSumThatCompletesToTheWholeChecksum() {
        byte[] in = packet(ETH_V4 + IPV4 + TCP, 3000);
        TcpSegmenter o = new TcpSegmenter();
        Bytes pkt = new Bytes(MemorySegment.ofArray(in));
        assertTrue(o.prepare(pkt, TcpSegmenter.GSO_TCPV4, 1448, 1514), o.problem());
        assertEquals(34, o.transportOffset());
        assertEquals(66, o.headerLength());
        byte[] f = new byte[1514];
        int len = o.build(1, pkt, MemorySegment.ofArray(f), 0, true);
        int tcpLen = len - 34;
        assertEquals(sumFolded(pseudoV4(f, 14, tcpLen)), u16(f, 34 + 16), "the pseudo-header sum, not complemented");
        assertTrue(Checksum.completePartial(MemorySegment.ofArray(f), 0, len, 34, 16));
        assertEquals(0xffff, sum(f, 34, tcpLen, pseudoV4(f, 14, tcpLen)), "completed, it verifies");
        assertEquals(0xffff, sum(f, 14, 20, 0), "the IPv4 header checksum is whole either way");
    }

    private static int sumFolded(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }
}
