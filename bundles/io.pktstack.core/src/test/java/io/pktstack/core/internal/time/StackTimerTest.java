package io.pktstack.core.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stack timer on a clock the test moves, and once on the real clock with its thread. */
class StackTimerTest {

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final StackTimer timer = new StackTimer(clock::get);
    final List<String> ran = new ArrayList<>();

    StackTimer.Task task(String name) {
        return new StackTimer.Task() {
            @Override
            protected void run(long now) {
                ran.add(name);
            }
        };
    }

    @Test
    void tasksRunInDeadlineOrderOnlyOnceDue() {
        StackTimer.Task a = task("a");
        StackTimer.Task b = task("b");
        StackTimer.Task c = task("c");
        timer.schedule(c, 30);
        timer.schedule(a, 10);
        timer.schedule(b, 20);

        assertEquals(0, timer.runDue());
        clock.addAndGet(20);
        assertEquals(2, timer.runDue());
        assertEquals(List.of("a", "b"), ran);
        clock.addAndGet(10);
        timer.runDue();
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(0, timer.scheduled());
    }

    @Test
    void reschedulingMovesATaskAndCancellingRemovesIt() {
        StackTimer.Task a = task("a");
        StackTimer.Task b = task("b");
        timer.schedule(a, 10);
        timer.schedule(b, 20);
        timer.schedule(a, 30); // later than b now
        timer.cancel(b);
        timer.cancel(b); // harmless twice
        clock.addAndGet(25);
        timer.runDue();
        assertEquals(List.of(), ran);
        assertTrue(timer.isScheduled(a));
        clock.addAndGet(5);
        timer.runDue();
        assertEquals(List.of("a"), ran);
        assertFalse(timer.isScheduled(a));
    }

    @Test
    void aTaskThatReArmsItselfInThePastRunsAgainInTheSameCall() {
        int[] count = {0};
        StackTimer.Task t = new StackTimer.Task() {
            @Override
            protected void run(long now) {
                if (++count[0] < 3) {
                    timer.schedule(this, 0);
                }
            }
        };
        timer.schedule(t, 0);
        assertEquals(3, timer.runDue());
    }

    @Test
    void theHeapKeepsOrderUnderRandomSchedulingAndCancelling() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<Long> order = new ArrayList<>();
        List<StackTimer.Task> tasks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            StackTimer.Task t = new StackTimer.Task() {
                @Override
                protected void run(long now) {
                    order.add(deadline());
                }
            };
            tasks.add(t);
            timer.schedule(t, rnd.nextLong(1, 1_000_000));
        }
        for (int i = 0; i < 200; i++) {
            StackTimer.Task t = tasks.get(rnd.nextInt(tasks.size()));
            if (rnd.nextBoolean()) {
                timer.cancel(t);
            } else {
                timer.schedule(t, rnd.nextLong(1, 1_000_000));
            }
        }
        int armed = timer.scheduled();
        clock.addAndGet(2_000_000);
        assertEquals(armed, timer.runDue());
        for (int i = 1; i < order.size(); i++) {
            assertTrue(order.get(i - 1) <= order.get(i), "deadline order at " + i);
        }
    }

    @Test
    @Timeout(10)
    void theThreadRunsTasksAsTheyComeDueOnTheRealClock() throws Exception {
        StackTimer real = new StackTimer(System::nanoTime);
        real.start();
        try {
            CountDownLatch done = new CountDownLatch(1);
            StackTimer.Task t = new StackTimer.Task() {
                @Override
                protected void run(long now) {
                    done.countDown();
                }
            };
            real.schedule(t, TimeUnit.MILLISECONDS.toNanos(20));
            assertTrue(done.await(5, TimeUnit.SECONDS));
        } finally {
            real.close();
        }
    }
}
