package io.pktstack.core.internal.tcp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Between {@link InetAddress} and the (hi, lo) longs of the data path; IPv4 as hi = 0, lo = the address. */
final class Addresses {

    private Addresses() {
    }

    static long hi(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? 0 : longAt(b, 0);
    }

    static long lo(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 ? ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF)
                : longAt(b, 8);
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }

    /** The IPv4 address of an IPv4-mapped IPv6 address (::ffff:a.b.c.d), else {@code a} itself. */
    static InetAddress unmapped(InetAddress a) {
        return a; // Java already returns Inet4Address for mapped literals
    }

    static InetAddress of(boolean v6, long hi, long lo) {
        try {
            if (!v6) {
                return InetAddress.getByAddress(new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8),
                        (byte) lo});
            }
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress socket(boolean v6, long hi, long lo, int port) {
        return new InetSocketAddress(of(v6, hi, lo), port);
    }

    static String toString(boolean v6, long hi, long lo, int port) {
        String a = of(v6, hi, lo).getHostAddress();
        return (v6 ? "[" + a + "]" : a) + ":" + port;
    }

    static boolean isWildcard(InetAddress a) {
        return a == null || a.isAnyLocalAddress();
    }

    static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
