package io.pktstack.api.wire;

/**
 * IP protocol numbers, the IPv4 Protocol and IPv6 Next Header field (IANA
 * "Assigned Internet Protocol Numbers"). Plain {@code int}s so unknown values
 * are kept and printed.
 */
public final class IpProtocol {

    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMPV6 = 58;

    private IpProtocol() {
    }

    /** A short name, or {@code ip-proto-N} (as tcpdump prints it) when unknown. */
    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "ICMP";
            case TCP -> "TCP";
            case UDP -> "UDP";
            case ICMPV6 -> "ICMPv6";
            default -> "ip-proto-" + (protocol & 0xFF);
        };
    }
}
