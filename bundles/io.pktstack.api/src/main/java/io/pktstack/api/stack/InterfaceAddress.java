package io.pktstack.api.stack;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An address assigned to an interface, with its prefix length.
 *
 * @param address IPv4 or IPv6 address
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record InterfaceAddress(InetAddress address, int prefixLength) {

    public InterfaceAddress {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length /" + prefixLength + " out of range for " + address.getHostAddress());
        }
    }

    /**
     * Parses {@code 10.0.0.1/24} or {@code fd00::1/64}; without a prefix, /24
     * for IPv4 (as BSD ifconfig's classful default for 10/8 would be too wide
     * for a lab segment) and /64 for IPv6.
     *
     * @throws IllegalArgumentException naming the text
     */
    public static InterfaceAddress parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        if (host.isEmpty() || !(host.indexOf(':') >= 0 || host.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("malformed address '" + text + "'");
        }
        InetAddress a;
        try {
            // ofLiteral, not getByName: getByName sends what is not a valid literal
            // (10.0.0.256, zz::1) to the host resolver, a DNS query for a typo.
            a = InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed address '" + text + "'");
        }
        int prefix;
        if (slash < 0) {
            prefix = a instanceof Inet4Address ? 24 : 64;
        } else {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed prefix length in '" + text + "'");
            }
        }
        return new InterfaceAddress(a, prefix);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength;
    }
}
