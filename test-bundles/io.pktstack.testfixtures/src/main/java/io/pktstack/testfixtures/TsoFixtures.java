package io.pktstack.testfixtures;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Large TCP segments as segmentation offload hands them (a header in hex, a
 * counted payload) and a plain RFC 1071 sum written here, not the one under
 * test, to verify the segments cut from them: shared by the segmenter's tests
 * (api), the stack's egress (core) and the guest links' (vdev).
 */
public final class TsoFixtures {

    private static final HexFormat HEX = HexFormat.of();

    /** Ethernet 02:..:02 <- 02:..:01, IPv4. */
    public static final String ETH_V4 = "020000000002" + "020000000001" + "0800";
    /** IPv4, id 0x1234, DF, TTL 64, TCP, 10.0.0.1 -> 10.0.0.2 (lengths and checksum left 0). */
    public static final String IPV4 = "4500" + "0000" + "1234" + "4000" + "4006" + "0000" + "0a000001" + "0a000002";
    /** TCP 1000 -> 2000, seq 0x01020304, ack 0x0a0b0c0d, 12 bytes of options, CWR|PSH|ACK|FIN, window 0x7210. */
    public static final String TCP = "03e8" + "07d0" + "01020304" + "0a0b0c0d" + "80" + "99" + "7210" + "0000" + "0000"
            + "0101080a" + "00000001" + "00000002";
    /** Bytes of {@code ETH_V4 + IPV4 + TCP}. */
    public static final int V4_HEADERS = 14 + 20 + 32;

    private TsoFixtures() {
    }

    /** {@code headers} (hex) then {@code payload} counted bytes ({@code i * 7 + 3}). */
    public static byte[] packet(String headers, int payload) {
        byte[] h = HEX.parseHex(headers);
        byte[] p = Arrays.copyOf(h, h.length + payload);
        for (int i = 0; i < payload; i++) {
            p[h.length + i] = (byte) (i * 7 + 3);
        }
        return p;
    }

    /** {@link #packet} with the IPv4 total length filled in, as a stack builds one (checksums left 0). */
    public static byte[] ipv4Packet(int payload) {
        byte[] p = packet(ETH_V4 + IPV4 + TCP, payload);
        int total = p.length - 14;
        p[16] = (byte) (total >>> 8);
        p[17] = (byte) total;
        return p;
    }

    /** RFC 1071, the plain way: 16-bit big-endian words, end-around carry. */
    public static int sum(byte[] b, int off, int len, long start) {
        long s = start;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    public static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    /** The IPv4 pseudo-header sum of a TCP segment of {@code tcpLen} bytes behind the header at {@code ip}. */
    public static long pseudoV4(byte[] f, int ip, int tcpLen) {
        return u16(f, ip + 12) + u16(f, ip + 14) + u16(f, ip + 16) + u16(f, ip + 18) + 6 + tcpLen;
    }

    /** Whether the IPv4 header at {@code ip} and the TCP segment behind it carry checksums that verify. */
    public static boolean checksumsVerify(byte[] f, int ip) {
        int ihl = (f[ip] & 0x0f) * 4;
        int total = u16(f, ip + 2);
        if (ihl < 20 || total < ihl + 20 || total > f.length - ip) {
            return false; // lengths that do not fit the frame (a corrupted header) verify nothing
        }
        int tcpLen = total - ihl;
        return sum(f, ip, ihl, 0) == 0xffff && sum(f, ip + ihl, tcpLen, pseudoV4(f, ip, tcpLen)) == 0xffff;
    }
}
