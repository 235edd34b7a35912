package io.pktstack.fuzz;

/**
 * One fuzz target as the runner and the regression test know it: a name, what
 * it drives, and the class with Jazzer's entry point
 * {@code public static void fuzzerTestOneInput(byte[])}. A target fails by
 * throwing: any exception or error out of the code under test, or an
 * {@link AssertionError} when a property the target checks does not hold.
 *
 * @param name the name {@code bin/pktstack fuzz} takes
 * @param className the class holding {@code fuzzerTestOneInput}
 * @param what one line for {@code --list}
 */
public record FuzzTarget(String name, String className, String what) {
}
