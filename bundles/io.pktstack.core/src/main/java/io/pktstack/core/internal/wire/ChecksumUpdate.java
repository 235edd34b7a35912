package io.pktstack.core.internal.wire;

/**
 * Incremental update of an Internet checksum when a field covered by it
 * changes (RFC 1624 §3, equation 3: {@code HC' = ~(~HC + ~m + m')}), so a
 * router that decrements a TTL or a translator that rewrites an address and a
 * port does not sum the packet again.
 *
 * <p>Values are 16-bit words as they sit in the packet (network order). A
 * 32-bit field (an IPv4 address) is two words; a 128-bit one (an IPv6
 * address) eight, given as two longs.
 */
public final class ChecksumUpdate {

    private ChecksumUpdate() {
    }

    /** The checksum {@code checksum} after one 16-bit word covered by it went from {@code oldWord} to {@code newWord}. */
    public static int word(int checksum, int oldWord, int newWord) {
        int sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /** The checksum after a 32-bit field covered by it (an IPv4 address) went from {@code oldValue} to {@code newValue}. */
    public static int int32(int checksum, int oldValue, int newValue) {
        int sum = (~checksum & 0xFFFF)
                + (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF)
                + ((newValue >>> 16) & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /** The checksum after a 64-bit field (half an IPv6 address) went from {@code oldValue} to {@code newValue}. */
    public static int int64(int checksum, long oldValue, long newValue) {
        int c = int32(checksum, (int) (oldValue >>> 32), (int) (newValue >>> 32));
        return int32(c, (int) oldValue, (int) newValue);
    }

    /**
     * A UDP checksum after an update: over IPv4 a zero checksum means "none
     * computed" and stays zero (RFC 768); a computed zero is sent as 0xFFFF.
     */
    public static int udp(int checksum, int updated) {
        if (checksum == 0) {
            return 0;
        }
        return updated == 0 ? 0xFFFF : updated;
    }

    private static int fold(int sum) {
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (sum & 0xFFFF) + (sum >>> 16);
    }
}
