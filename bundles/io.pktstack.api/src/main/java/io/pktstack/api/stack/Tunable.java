package io.pktstack.api.stack;

/**
 * One of the stack's tunables, as {@code sysctl} shows it. Names follow
 * NetBSD's ({@code net.inet.ip.ttl}); every value is a whole number. A
 * tunable whose values stand for names (a congestion-control algorithm) lists
 * them in {@code symbols}: value {@code i} is {@code symbols.get(i)}, and
 * {@code sysctl} shows and takes the name.
 *
 * @param name dotted name
 * @param value the value in effect
 * @param min smallest value accepted
 * @param max largest value accepted
 * @param writable false for values fixed at start (e.g. the pool size)
 * @param description what it controls and its unit
 * @param symbols names of the values, or empty for a plain number (since 1.2)
 */
public record Tunable(String name, long value, long min, long max, boolean writable, String description,
        java.util.List<String> symbols) {

    public Tunable {
        symbols = java.util.List.copyOf(symbols);
    }

    /** A numeric tunable. */
    public Tunable(String name, long value, long min, long max, boolean writable, String description) {
        this(name, value, min, max, writable, description, java.util.List.of());
    }

    /** The value as {@code sysctl} prints it: its name for a symbolic tunable. */
    public String valueText() {
        return value >= 0 && value < symbols.size() ? symbols.get((int) value) : Long.toString(value);
    }
}
