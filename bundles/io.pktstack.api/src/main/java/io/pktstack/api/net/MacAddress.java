package io.pktstack.api.net;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

/**
 * A 48-bit IEEE 802 MAC address, held as the low 48 bits of a {@code long} so
 * that the data path can compare and hash addresses without allocating.
 *
 * <p>Bit names follow IEEE 802-2014 §8.2: the I/G bit (multicast) is the least
 * significant bit of the first octet, the U/L bit (locally administered) the
 * next one.
 */
public record MacAddress(long bits) {

    /** The broadcast address ff:ff:ff:ff:ff:ff. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    private static final long MULTICAST_BIT = 0x01_0000_0000_00L;
    private static final long LOCAL_BIT = 0x02_0000_0000_00L;
    private static final RandomGenerator RANDOM = new SecureRandom();

    public MacAddress {
        if ((bits & ~MASK) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(bits));
        }
    }

    /**
     * Parses the two forms users write: colon (or dash) separated
     * ({@code aa:bb:cc:dd:ee:ff}, as qvm's {@code vdev virtio-net mac}) and
     * twelve bare hex digits ({@code aabbccddeeff}, as io-pkt's {@code mac=}).
     *
     * @throws IllegalArgumentException naming the text when it is neither
     */
    public static MacAddress parse(String text) {
        String t = text.strip();
        String digits;
        if (t.length() == 17) {
            char sep = t.charAt(2);
            if (sep != ':' && sep != '-') {
                throw bad(text);
            }
            StringBuilder sb = new StringBuilder(12);
            for (int i = 0; i < 6; i++) {
                if (i > 0 && t.charAt(i * 3 - 1) != sep) {
                    throw bad(text);
                }
                sb.append(t, i * 3, i * 3 + 2);
            }
            digits = sb.toString();
        } else if (t.length() == 12) {
            digits = t;
        } else {
            throw bad(text);
        }
        for (int i = 0; i < digits.length(); i++) {
            // HexFormat.isHexDigit, not Character.digit: the latter accepts non-ASCII
            // digits (fullwidth '１') that fromHexDigitsToLong then rejects without naming the text.
            if (!HexFormat.isHexDigit(digits.charAt(i))) {
                throw bad(text);
            }
        }
        return new MacAddress(HexFormat.fromHexDigitsToLong(digits));
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("malformed MAC address '" + text
                + "': expected 12 hex digits (aabbccddeeff) or aa:bb:cc:dd:ee:ff");
    }

    /**
     * A fresh random address with the locally administered bit set and the
     * multicast bit clear, as the seed asks of generated addresses: it differs
     * at every start.
     */
    public static MacAddress generateLocal() {
        long random = RANDOM.nextLong() & MASK;
        return new MacAddress((random | LOCAL_BIT) & ~MULTICAST_BIT);
    }

    /** Reads six octets, network order, starting at {@code bytes[offset]}. */
    public static long bitsOf(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return v;
    }

    public boolean isMulticast() {
        return (bits & MULTICAST_BIT) != 0;
    }

    public boolean isBroadcast() {
        return bits == MASK;
    }

    public boolean isLocallyAdministered() {
        return (bits & LOCAL_BIT) != 0;
    }

    public boolean isUnicast() {
        return !isMulticast();
    }

    /** Whether this is 00:00:00:00:00:00, which no station has (IEEE 802-2014 §8.2: a null address). */
    public boolean isZero() {
        return bits == 0;
    }

    /**
     * Whether a station (an interface) may have this address: a unicast
     * address other than all zeros. Multicast and broadcast addresses name
     * groups, never one station.
     *
     * @since 1.1
     */
    public boolean isStation() {
        return !isMulticast() && !isZero();
    }

    /**
     * Why an interface cannot have this address, or null when it can
     * ({@link #isStation()}): for messages that name the address.
     *
     * @since 1.1
     */
    public String whyNotStation() {
        if (isBroadcast()) {
            return this + " is the broadcast address; an interface needs a unicast MAC";
        }
        if (isMulticast()) {
            return this + " is a multicast address; an interface needs a unicast MAC";
        }
        if (isZero()) {
            return this + " is all zeros, which no station has; an interface needs a unicast MAC";
        }
        return null;
    }

    /** The six octets in network order. */
    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    /** The colon form, lower case: {@code aa:bb:cc:dd:ee:ff}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            int octet = (int) (bits >>> (40 - 8 * i)) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return sb.toString();
    }
}
