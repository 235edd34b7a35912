package io.pktstack.api.options;

import java.util.ArrayList;
import java.util.List;

/**
 * io-pkt's command line as written in a QNX startup script:
 * {@code -d DRIVER [suboptions] -d DRIVER [suboptions] …}.
 *
 * <p>Accepts what a copy from a board script brings along: the program name
 * ({@code io-pkt-v6-hc}) first, backslash-newline continuations that arrived
 * inside quotes, and a continuation line that the shell split off after a
 * trailing comma (it is joined back to the suboptions it continues).
 *
 * @param drivers the drivers in the order given
 */
public record IoPktCommandLine(List<DriverSpec> drivers) {

    /** What a driver name is (devnp-NAME.so's NAME). */
    private static final java.util.regex.Pattern DRIVER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public IoPktCommandLine {
        drivers = List.copyOf(drivers);
    }

    /**
     * Parses arguments (as a shell split them, or one string holding them all).
     *
     * @throws IllegalArgumentException naming the bad token
     */
    public static IoPktCommandLine parse(List<String> args) {
        List<String> tokens = tokenize(args);
        List<DriverSpec> out = new ArrayList<>();
        int i = 0;
        if (!tokens.isEmpty() && tokens.get(0).startsWith("io-pkt")) {
            i++;
        }
        while (i < tokens.size()) {
            String t = tokens.get(i++);
            String name;
            if (t.equals("-d")) {
                if (i >= tokens.size() || tokens.get(i).startsWith("-")) {
                    throw new IllegalArgumentException("'-d' needs a driver name");
                }
                name = tokens.get(i++);
            } else if (t.startsWith("-d") && t.length() > 2) {
                name = t.substring(2); // io-pkt also takes -dNAME
            } else {
                throw new IllegalArgumentException("unexpected argument '" + t + "' (expected -d DRIVER [options])");
            }
            if (!DRIVER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + t + (t.equals("-d") ? " " + name : "")
                        + "': a driver name is letters, digits, '.', '_' or '-', not starting with '-'");
            }
            StringBuilder opts = new StringBuilder();
            // Suboptions are the next token unless it is another flag; tokens that
            // follow a trailing comma continue the same list.
            while (i < tokens.size() && !tokens.get(i).startsWith("-")
                    && (opts.isEmpty() || opts.charAt(opts.length() - 1) == ',')) {
                opts.append(tokens.get(i++));
            }
            out.add(new DriverSpec(name, SubOptions.parse(opts.toString())));
        }
        return new IoPktCommandLine(out);
    }

    /** Parses one string holding a whole command line. */
    public static IoPktCommandLine parse(String line) {
        return parse(List.of(line));
    }

    private static List<String> tokenize(List<String> args) {
        List<String> tokens = new ArrayList<>();
        for (String a : args) {
            String joined = a.replace("\\\r\n", "").replace("\\\n", "");
            for (String t : joined.strip().split("\\s+")) {
                if (!t.isEmpty() && !t.equals("\\")) {
                    tokens.add(t);
                }
            }
        }
        return tokens;
    }
}
