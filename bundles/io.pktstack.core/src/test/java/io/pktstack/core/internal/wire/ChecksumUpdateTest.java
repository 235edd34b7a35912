package io.pktstack.core.internal.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Incremental checksum updates (RFC 1624) agree with summing the changed data again. */
class ChecksumUpdateTest {

    /** RFC 1071 over 16-bit words, written plainly. */
    static int full(int[] words) {
        long s = 0;
        for (int w : words) {
            s += w;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    @Test
    void decrementingTheTtlAddsOneToTheHighByte() {
        // The IPv4 header of a forwarded packet, TTL 64 protocol 17 (word 5) becoming TTL 63.
        int[] h = {0x4500, 0x0028, 0x1234, 0x4000, 0x4011, 0, 0x0a01, 0x000a, 0x0a02, 0x0014};
        int before = full(h);
        assertEquals(0x1471, before);
        h[4] = 0x3f11;
        assertEquals(full(h), ChecksumUpdate.word(before, 0x4011, 0x3f11));
        assertEquals(0x1571, ChecksumUpdate.word(before, 0x4011, 0x3f11));
    }

    @Test
    void rfc1624sMinusZeroCase() {
        // RFC 1624 §4: a header summing to 0xCD7A changing word 0x5555 to 0x3285 must give 0x0000, not 0xFFFF.
        assertEquals(0x0000, ChecksumUpdate.word(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void randomWordsAddressesAndHalvesAgreeWithAFullSum() {
        Random r = new Random(1624);
        for (int round = 0; round < 10_000; round++) {
            int[] w = new int[12];
            for (int i = 0; i < w.length; i++) {
                w[i] = r.nextInt(0x10000);
            }
            int c = full(w);
            int a = (w[2] << 16) | w[3];
            int b = r.nextInt();
            int[] x = w.clone();
            x[2] = b >>> 16;
            x[3] = b & 0xFFFF;
            assertEquals(full(x), ChecksumUpdate.int32(c, a, b), "32-bit field");
            long old64 = ((long) a << 32) | ((w[4] & 0xFFFFL) << 16) | w[5];
            long new64 = r.nextLong();
            int[] y = w.clone();
            y[2] = (int) (new64 >>> 48) & 0xFFFF;
            y[3] = (int) (new64 >>> 32) & 0xFFFF;
            y[4] = (int) (new64 >>> 16) & 0xFFFF;
            y[5] = (int) new64 & 0xFFFF;
            assertEquals(full(y), ChecksumUpdate.int64(c, old64, new64), "64-bit field");
        }
    }

    @Test
    void aUdpChecksumOfZeroStaysAbsentAndAComputedZeroIsSentAsAllOnes() {
        assertEquals(0, ChecksumUpdate.udp(0, 0x1234));
        assertEquals(0xFFFF, ChecksumUpdate.udp(0x1111, 0));
        assertEquals(0x4321, ChecksumUpdate.udp(0x1111, 0x4321));
    }
}
