package io.pktstack.vdev.internal;

import java.util.function.LongSupplier;

/**
 * When a worker that found no work stops polling and sleeps on its eventfds
 * (adaptive polling, as Linux's {@code net.core.busy_poll}): it keeps looking
 * for the budget after the first empty look, then sleeps. Work resets it.
 * The budget ({@code sysctl net.link.vdev.busy_poll}, µs) is read at every
 * idle period's start, so a change applies to running workers; 0 never polls.
 *
 * <p>Between empty looks the worker yields its CPU ({@link #pause()}): on a
 * machine with fewer cores than busy threads, a polling worker gives way to a
 * thread with work instead of holding the core for its time slice. Time is
 * passed in, so the logic is testable without clocks.
 */
final class PollBudget {

    private final LongSupplier micros;
    private boolean idle;
    private long idleSince;
    private long budgetNanos;

    PollBudget(LongSupplier micros) {
        this.micros = micros;
    }

    /** The last look found work. */
    void worked() {
        idle = false;
    }

    /**
     * The last look at {@code now} found nothing: whether to look again (true)
     * or sleep (false). After a sleep the next empty look starts a new budget.
     */
    boolean keepPolling(long now) {
        if (!idle) {
            idle = true;
            idleSince = now;
            budgetNanos = Math.max(0, micros.getAsLong()) * 1000;
        }
        if (now - idleSince < budgetNanos) {
            return true;
        }
        idle = false; // the worker sleeps now; its next empty look starts a fresh budget
        return false;
    }

    /** Between two empty looks while polling: lets a runnable thread with work have the CPU. */
    static void pause() {
        Thread.yield();
    }
}
