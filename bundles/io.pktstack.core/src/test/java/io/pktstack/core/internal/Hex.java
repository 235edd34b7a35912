package io.pktstack.core.internal;

import java.util.HexFormat;

/** Hex fixtures: whitespace is ignored so frames can be laid out in 16-byte lines. */
final class Hex {

    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(norm(hex));
    }

    /** Lower-case hex without whitespace, for comparison with {@link FakeLink#takeSent}. */
    static String norm(String hex) {
        return hex.replaceAll("\\s", "").toLowerCase();
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * The RFC 1071 Internet checksum over {@code b[from, to)}, written here
     * independently of the stack's {@code Checksum}: a correct checksum field
     * makes this 0.
     */
    static int internetChecksum(byte[] b, int from, int to, long initial) {
        long sum = initial;
        for (int i = from; i < to; i += 2) {
            int hi = b[i] & 0xFF;
            int lo = i + 1 < to ? b[i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
