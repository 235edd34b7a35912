package io.pktstack.shell.internal.iperf3;

import java.util.Locale;

/**
 * Numbers as iperf3 prints them (units.c unit_snprintf with the adaptive
 * formats): bytes in powers of 1024 ('A'), bit rates in powers of 1000 ('a'),
 * always four characters of number before the unit.
 */
final class Units {

    private static final String[] BYTE_LABELS = {"Byte", "KByte", "MByte", "GByte", "TByte"};
    private static final String[] BIT_LABELS = {"bit", "Kbit", "Mbit", "Gbit", "Tbit"};

    private Units() {
    }

    /** "1.17 GByte" (the report adds the plural s). */
    static String bytes(double n) {
        return adaptive(n, 1024.0, BYTE_LABELS);
    }

    /** A rate of {@code bytesPerSecond} in bits: "10.1 Gbit" (the report adds "s/sec"). */
    static String bits(double bytesPerSecond) {
        return adaptive(bytesPerSecond * 8, 1000.0, BIT_LABELS);
    }

    private static String adaptive(double n, double step, String[] labels) {
        int conv = 0;
        while (n >= step && conv < labels.length - 1) {
            n /= step;
            conv++;
        }
        String format;
        if (n < 9.995) {
            format = "%4.2f %s"; // 9.995 would round to 10.0
        } else if (n < 99.95) {
            format = "%4.1f %s";
        } else {
            format = "%4.0f %s";
        }
        return String.format(Locale.ROOT, format, n, labels[conv]);
    }
}
