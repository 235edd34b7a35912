package io.pktstack.itest;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls runtime state until it holds or a deadline passes. Service
 * registration, SCR activation and carrier all happen on other threads, so
 * the tests wait for a state rather than for a time: a condition that never
 * holds fails with the last value seen.
 */
final class Await {

    static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Returns the first value of {@code probe} that satisfies {@code done}. */
    static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done) {
        return until(what, DEFAULT, probe, done);
    }

    static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; last seen: " + value);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }
}
