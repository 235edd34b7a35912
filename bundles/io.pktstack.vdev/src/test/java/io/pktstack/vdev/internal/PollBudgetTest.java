package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The adaptive-polling decision on a clock the test moves. */
class PollBudgetTest {

    private final AtomicLong micros = new AtomicLong(50);
    private final PollBudget budget = new PollBudget(micros::get);

    @Test
    void pollsForTheBudgetAfterTheFirstEmptyLookThenSleeps() {
        assertTrue(budget.keepPolling(1_000_000));
        assertTrue(budget.keepPolling(1_049_999));
        assertFalse(budget.keepPolling(1_050_000));
    }

    @Test
    void workStartsTheBudgetAgain() {
        assertTrue(budget.keepPolling(0));
        budget.worked();
        assertTrue(budget.keepPolling(40_000));
        assertTrue(budget.keepPolling(89_999), "50 µs from the first empty look after the work");
        assertFalse(budget.keepPolling(90_000));
    }

    @Test
    void afterASleepTheNextEmptyLookStartsAFreshBudget() {
        assertTrue(budget.keepPolling(0));
        assertFalse(budget.keepPolling(60_000));
        // Woken by a notification that brought nothing (or the work was taken): poll again.
        assertTrue(budget.keepPolling(5_000_000));
        assertFalse(budget.keepPolling(5_050_000));
    }

    @Test
    void zeroNeverPolls() {
        micros.set(0);
        assertFalse(budget.keepPolling(0));
        budget.worked();
        assertFalse(budget.keepPolling(1));
    }

    @Test
    void aChangedBudgetAppliesFromTheNextIdlePeriod() {
        assertTrue(budget.keepPolling(0));
        micros.set(1000);
        assertFalse(budget.keepPolling(50_000), "the running period keeps the budget it started with");
        assertTrue(budget.keepPolling(100_000));
        assertTrue(budget.keepPolling(1_099_999));
        assertFalse(budget.keepPolling(1_100_000));
    }

    @Test
    void theClockMayWrap() {
        long start = Long.MAX_VALUE - 10_000;
        assertTrue(budget.keepPolling(start));
        assertTrue(budget.keepPolling(start + 49_999));
        assertFalse(budget.keepPolling(start + 50_000));
    }
}
