package io.pktstack.core.internal;

import io.pktstack.api.net.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Conversions between {@link InetAddress} and the primitive forms the data path uses. */
final class IpAddresses {

    private IpAddresses() {
    }

    static int v4(byte[] b) {
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    static long v6hi(byte[] b) {
        return longAt(b, 0);
    }

    static long v6lo(byte[] b) {
        return longAt(b, 8);
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static InetAddress fromV4(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetAddress fromV6(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static boolean sameV4Prefix(int a, int b, int prefix) {
        if (prefix == 0) {
            return true;
        }
        int mask = -1 << (32 - prefix);
        return (a & mask) == (b & mask);
    }

    static boolean sameV6Prefix(long ahi, long alo, long bhi, long blo, int prefix) {
        if (prefix <= 64) {
            long mask = prefix == 0 ? 0 : -1L << (64 - prefix);
            return (ahi & mask) == (bhi & mask);
        }
        long mask = -1L << (128 - prefix);
        return ahi == bhi && (alo & mask) == (blo & mask);
    }

    /** Modified EUI-64 interface identifier from a MAC (RFC 4291 appendix A). */
    static long eui64(MacAddress mac) {
        long m = mac.bits();
        long hi24 = (m >>> 24) ^ 0x02_0000L;
        long lo24 = m & 0xFF_FFFFL;
        return (hi24 << 40) | (0xFFFEL << 24) | lo24;
    }

    static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }
}
