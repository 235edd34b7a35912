package io.pktstack.api.options;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An io-pkt suboption list, {@code key=value,flag,key=value,...}, kept in order
 * because some drivers repeat keys ({@code peer=…,bind=…,peer=…,bind=…}: one
 * interface per group).
 *
 * @param entries the options in the order written
 */
public record SubOptions(List<Entry> entries) {

    /** One option: a flag has a {@code null} value. */
    public record Entry(String key, String value) {
        public boolean isFlag() {
            return value == null;
        }

        /**
         * The value as a whole number within {@code [min, max]}.
         *
         * @throws IllegalArgumentException naming the option when it is not one
         */
        public int intValue(int min, int max) {
            try {
                int v = Integer.parseInt(value == null ? "" : value);
                if (v < min || v > max) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("option '" + this + "': expected a number " + min + ".." + max);
            }
        }

        @Override
        public String toString() {
            return value == null ? key : key + "=" + value;
        }
    }

    public static final SubOptions EMPTY = new SubOptions(List.of());

    public SubOptions {
        entries = List.copyOf(entries);
    }

    /**
     * Parses a comma-separated list. Empty items (a trailing comma left by a line
     * continuation) are skipped.
     *
     * @throws IllegalArgumentException naming the bad item: an empty key ({@code =x})
     */
    public static SubOptions parse(String text) {
        List<Entry> out = new ArrayList<>();
        if (text == null) {
            return EMPTY;
        }
        for (String item : text.split(",", -1)) {
            String t = item.strip();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq == 0) {
                throw new IllegalArgumentException("suboption '" + t + "' has no name before '='");
            }
            out.add(eq < 0 ? new Entry(t, null) : new Entry(t.substring(0, eq), t.substring(eq + 1)));
        }
        return new SubOptions(out);
    }

    /** The last value of {@code key}, or {@code null}. */
    public String get(String key) {
        String v = null;
        for (Entry e : entries) {
            if (e.key.equals(key)) {
                v = e.value == null ? "" : e.value;
            }
        }
        return v;
    }

    public boolean has(String key) {
        for (Entry e : entries) {
            if (e.key.equals(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fails on the first option whose key is not in {@code known}, naming it and
     * listing the accepted ones.
     */
    public void requireKnown(String driver, Set<String> known) {
        for (Entry e : entries) {
            if (!known.contains(e.key)) {
                throw new IllegalArgumentException("unknown option '" + e + "' for driver " + driver
                        + " (accepted: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(e);
        }
        return sb.toString();
    }
}
