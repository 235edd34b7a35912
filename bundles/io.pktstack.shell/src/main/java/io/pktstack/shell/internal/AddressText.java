package io.pktstack.shell.internal;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Addresses as the BSD tools print them, for every command's report, those in
 * this package's subpackages (iperf3, inetd) included.
 */
public final class AddressText {

    private AddressText() {
    }

    /** An address as people write it: dotted IPv4, RFC 5952 IPv6 without a scope. */
    public static String format(InetAddress a) {
        String host = a.getHostAddress();
        int pct = host.indexOf('%');
        return a instanceof Inet4Address ? host : compress(pct < 0 ? host : host.substring(0, pct));
    }

    /** RFC 5952 text form: lower case, longest zero run as "::". */
    public static String compress(String full) {
        String[] parts = full.split(":");
        if (parts.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (Integer.parseInt(parts[i], 16) == 0) {
                int j = i;
                while (j < 8 && Integer.parseInt(parts[j], 16) == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(Integer.parseInt(parts[i], 16)));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
