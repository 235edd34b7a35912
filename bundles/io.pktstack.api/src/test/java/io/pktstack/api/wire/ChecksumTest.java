package io.pktstack.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.testfixtures.WireFixtures;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** The textbook definition: big-endian 16-bit words, odd byte padded right, carries folded. */
    private static int naiveSum(byte[] b, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i += 2) {
            int hi = b[i] & 0xFF;
            int lo = i + 1 < to ? b[i + 1] & 0xFF : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (carries folded).
        MemorySegment seg = WireFixtures.segment("0001 f203 f4f5 f6f7");
        assertEquals(0xddf2, Checksum.fold(Checksum.sum(seg, 0, 8)));
        assertEquals(0x220d, Checksum.compute(seg, 0, 8));
    }

    @Test
    void wellKnownIpv4HeaderExample() {
        // The widely published example header 192.168.0.1 -> 192.168.0.199, checksum b861.
        MemorySegment zeroed = WireFixtures.segment("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xb861, Checksum.compute(zeroed, 0, 20));
        MemorySegment filled = WireFixtures.segment("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertEquals(0xFFFF, Checksum.fold(Checksum.sum(filled, 0, 20)));
    }

    @Test
    void matchesNaiveSumAtEveryLengthAndOffset() {
        Random rnd = new Random(1071);
        for (int round = 0; round < 20; round++) {
            byte[] b = new byte[300];
            rnd.nextBytes(b);
            if (round % 4 == 0) {
                java.util.Arrays.fill(b, (byte) 0xFF); // maximal carries
            }
            MemorySegment seg = MemorySegment.ofArray(b);
            for (int from = 0; from < 8; from++) {
                for (int to = from; to <= b.length; to++) {
                    assertEquals(naiveSum(b, from, to), Checksum.fold(Checksum.sum(seg, from, to - from)),
                            "range [" + from + ", " + to + ")");
                }
            }
        }
    }

    @Test
    void partialSumsCombineAtEvenSplits() {
        Random rnd = new Random(7);
        byte[] b = new byte[101];
        rnd.nextBytes(b);
        MemorySegment seg = MemorySegment.ofArray(b);
        int whole = Checksum.fold(Checksum.sum(seg, 0, b.length));
        for (int split = 0; split <= b.length; split += 2) {
            long acc = Checksum.sum(seg, 0, split);
            acc = Checksum.add(acc, seg, split, b.length - split);
            assertEquals(whole, Checksum.fold(acc), "split at " + split);
        }
    }

    @Test
    void pseudoHeaderV4MatchesExplicitBytes() {
        // RFC 768: src, dst, zero, protocol, UDP length.
        byte[] ph = WireFixtures.bytes("0a00 020f 0a00 0203 0011 0025");
        long acc = Checksum.addPseudoHeaderV4(0, 0x0a00_020f, 0x0a00_0203, 17, 37);
        assertEquals(naiveSum(ph, 0, ph.length), Checksum.fold(acc));
    }

    @Test
    void pseudoHeaderV6MatchesExplicitBytes() {
        // RFC 8200 §8.1: src, dst, 32-bit length, three zero bytes, next header.
        byte[] ph = WireFixtures.bytes("fe80 0000 0000 0000 5054 00ff fe12 3456"
                + "ff02 0000 0000 0000 0000 0001 ff00 0002 0000 0020 0000 003a");
        long acc = Checksum.addPseudoHeaderV6(0, 0xfe80_0000_0000_0000L, 0x5054_00ff_fe12_3456L,
                0xff02_0000_0000_0000L, 0x0000_0001_ff00_0002L, 58, 32);
        assertEquals(naiveSum(ph, 0, ph.length), Checksum.fold(acc));
    }

    @Test
    void foldAndCarryEdges() {
        assertEquals(0, Checksum.fold(0));
        assertEquals(0xFFFF, Checksum.fold(0xFFFF));
        assertEquals(1, Checksum.fold(0x1_0000));
        assertEquals(0xFFFF, Checksum.fold(-1L));
        assertEquals(1, Checksum.add(-1L, 1)); // end-around carry out of bit 63
        assertEquals(0xFFFF, Checksum.finish(0));
        assertEquals(0, Checksum.finish(0xFFFF));
    }
}
