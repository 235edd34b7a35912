package io.pktstack.core.internal;

import io.pktstack.api.stack.InterfaceAddress;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Which addresses an interface may have. An interface's address names one
 * station on its prefix: never the unspecified address, a multicast or
 * broadcast one, nor the loopback range on anything but the loopback; on
 * IPv4 neither its prefix's network nor broadcast address (RFC 919, RFC 922;
 * /31 and /32 have neither, RFC 3021), nor the reserved 240/4 (RFC 1112);
 * and a prefix of length 0 would make the whole address space on-link.
 */
final class InterfaceAddressRules {

    private InterfaceAddressRules() {
    }

    /**
     * Why {@code a} cannot be an address of an interface, or null when it can.
     *
     * @param loopback whether the interface is the loopback
     */
    static String whyNot(InterfaceAddress a, boolean loopback) {
        InetAddress ip = a.address();
        String text = ip.getHostAddress();
        if (ip.isAnyLocalAddress()) {
            return text + " is the unspecified address";
        }
        if (ip.isMulticastAddress()) {
            return text + " is a multicast address";
        }
        if (ip.isLoopbackAddress() && !loopback) {
            return text + " is a loopback address (only lo0 has those)";
        }
        if (a.prefixLength() == 0) {
            return "prefix length 0 would put every address on this link";
        }
        if (ip instanceof Inet4Address) {
            int v = IpAddresses.v4(ip.getAddress());
            if (v == -1) {
                return text + " is the limited broadcast address";
            }
            if ((v >>> 28) == 0xF) {
                return text + " is in 240.0.0.0/4, reserved (RFC 1112)";
            }
            int len = a.prefixLength();
            if (len <= 30) {
                int host = (int) ((1L << (32 - len)) - 1);
                if ((v & host) == host) {
                    return text + " is the broadcast address of its prefix /" + len;
                }
                if ((v & host) == 0) {
                    return text + " is the network address of its prefix /" + len;
                }
            }
        }
        return null;
    }
}
