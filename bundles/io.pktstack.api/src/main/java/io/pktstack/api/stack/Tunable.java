package io.pktstack.api.stack;

/**
 * One of the stack's tunables, as {@code sysctl} shows it. Names follow
 * NetBSD's ({@code net.inet.ip.ttl}); every value is a whole number.
 *
 * @param name dotted name
 * @param value the value in effect
 * @param min smallest value accepted
 * @param max largest value accepted
 * @param writable false for values fixed at start (e.g. the pool size)
 * @param description what it controls and its unit
 */
public record Tunable(String name, long value, long min, long max, boolean writable, String description) {
}
