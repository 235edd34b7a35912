package io.pktstack.core.internal.wire;

/** IPv4 addresses as ints in network order (DHCP, pf): text, masks, and MACs as text. */
public final class Addresses {

    private Addresses() {
    }

    public static String text(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }

    /** The address in dotted-quad text {@code s}, or -1L if it is not one. */
    public static long tryParse(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            return -1;
        }
        long a = 0;
        for (String x : p) {
            if (x.isEmpty() || x.length() > 3 || !x.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            int v = Integer.parseInt(x);
            if (v > 255) {
                return -1;
            }
            a = (a << 8) | v;
        }
        return a;
    }

    /** Parses dotted-quad text, or throws naming it. */
    public static int parse(String s) {
        long a = tryParse(s);
        if (a < 0) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        }
        return (int) a;
    }

    /** The mask of a prefix length: 24 gives 255.255.255.0. */
    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** The prefix length of a contiguous mask, or -1. */
    public static int prefixLength(int mask) {
        int n = Integer.bitCount(mask);
        return mask(n) == mask ? n : -1;
    }

    public static String mac(long m) {
        StringBuilder b = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int v = (int) (m >>> (8 * i)) & 0xFF;
            b.append(Character.forDigit(v >>> 4, 16)).append(Character.forDigit(v & 15, 16));
            if (i > 0) {
                b.append(':');
            }
        }
        return b.toString();
    }
}
