package io.pktstack.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * Command lines made of words: most from a vocabulary of the tokens a parser
 * knows (options, keywords, numbers at the edges of their ranges, addresses,
 * paths), some raw text from the fuzzer, so a parser is reached past its
 * first check and its edges are hit.
 */
public final class Words {

    private Words() {
    }

    /** Up to {@code max} words: each a vocabulary word (possibly glued to a second) or the fuzzer's text. */
    public static List<String> of(FuzzInput in, List<String> vocabulary, int max) {
        int n = in.intIn(0, max);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(word(in, vocabulary));
        }
        return out;
    }

    public static String word(FuzzInput in, List<String> vocabulary) {
        return switch (in.u8() & 7) {
            case 0 -> in.utf8(24);
            case 1 -> in.pick(vocabulary) + in.pick(vocabulary);
            case 2 -> in.pick(vocabulary) + in.utf8(6);
            default -> in.pick(vocabulary);
        };
    }

    /** Numbers at the edges of the ranges parsers check. */
    public static final List<String> NUMBERS = List.of("0", "1", "-1", "2", "7", "8", "15", "16", "63", "64", "65",
            "100", "127", "128", "255", "256", "1023", "1024", "1472", "1500", "1514", "4096", "9000", "65535", "65536",
            "2147483647", "2147483648", "-2147483648", "9223372036854775807", "99999999999999999999", "0x10", "010",
            "1e3", "0.5", "NaN", "Infinity", "-0", "+5", " 5", "5 ", "", "١٢", "３");

    /** Addresses good and bad, in both families. */
    public static final List<String> ADDRESSES = List.of("10.0.0.1", "10.0.0.1/24", "10.0.0.1/33", "10.0.0.256",
            "0.0.0.0", "255.255.255.255", "224.0.0.1", "127.0.0.1/8", "10.0.0.0/8", "::", "::1", "fe80::1%vp0",
            "fd00::1/64", "fd00::1/129", "ff02::1", "2001:db8::/32", "1.2.3", "1.2.3.4.5", "::ffff:10.0.0.1", "default",
            "a:b:c:d:e:f:g:h", "10.0.0.1/", "/24", "fd00::1/-1", "0x0a000001", "012.0.0.1");

    /** MACs good and bad. */
    public static final List<String> MACS = List.of("02:00:00:00:00:01", "020000000001", "01:00:5e:00:00:01",
            "ff:ff:ff:ff:ff:ff", "000000000000", "02-00-00-00-00-01", "02:00:00:00:00", "zz:00:00:00:00:01",
            "02:00:00:00:00:01:02", "0200000000zz");
}
