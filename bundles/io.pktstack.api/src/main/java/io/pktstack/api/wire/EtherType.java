package io.pktstack.api.wire;

/**
 * EtherType values (IEEE 802-2014 §9.2, IANA "IEEE 802 Numbers"). Held as plain
 * {@code int}s so that any value a frame carries (0x88b5, say) survives
 * forwarding and printing.
 */
public final class EtherType {

    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    public static final int IPV6 = 0x86DD;

    /** Values below this are IEEE 802.3 length fields, not types (IEEE 802.3 §3.2.6). */
    public static final int MIN_ETHER_TYPE = 0x0600;

    private EtherType() {
    }

    /** A short name, or the value as four lower-case hex digits ({@code 0x88b5}) when unknown. */
    public static String name(int etherType) {
        return switch (etherType) {
            case IPV4 -> "IPv4";
            case ARP -> "ARP";
            case IPV6 -> "IPv6";
            default -> String.format("0x%04x", etherType & 0xFFFF);
        };
    }

    /** True for a type, false for an 802.3 length (values 0..1535). */
    public static boolean isEtherType(int value) {
        return value >= MIN_ETHER_TYPE;
    }
}
