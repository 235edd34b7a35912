package io.pktstack.core.internal.time;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The stack's one timer: retransmission, delayed ACK, TIME_WAIT, keepalive,
 * neighbour resolution retries and expiry, ping timeouts. Deadlines are read
 * on the stack's injected clock, so a unit test moves time and calls
 * {@link #runDue()} instead of sleeping; in a running stack a daemon thread
 * ({@link #start()}) sleeps until the earliest deadline.
 *
 * <p>A {@link Task} is an object its owner keeps and re-arms (a TCP
 * connection has one per timer), so scheduling and cancelling allocate
 * nothing: the queue is a binary heap of tasks, each knowing its own position.
 * Tasks run on the thread that calls {@link #runDue()}, one at a time, outside
 * the timer's lock; a task may re-arm itself or any other.
 */
public final class StackTimer implements AutoCloseable {

    /** A re-armable timer task. Not shared between timers. */
    public abstract static class Task {
        long deadline;
        /** Position in the heap, or -1 when not scheduled. Guarded by the timer's lock. */
        int heapIndex = -1;

        /** Runs on the timer's thread when the deadline has passed, {@code now} being the clock then. */
        protected abstract void run(long now);

        /** The deadline this task was last armed for. */
        public long deadline() {
            return deadline;
        }
    }

    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The deadline the timer thread sleeps until, or MAX_VALUE while it works.
     * Arming a task earlier than this wakes it; anything later does not, so a
     * TCP connection re-arming its retransmission timer on every ACK costs no
     * wake-up. The thread parks rather than waiting on a condition, which
     * would allocate a node per wait.
     */
    private volatile long sleepingUntil = Long.MAX_VALUE;
    private Task[] heap = new Task[64];
    private int size;
    private volatile Thread thread;
    private volatile boolean closed;

    public StackTimer(LongSupplier clock) {
        this.clock = clock;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** Arms {@code task} to run {@code delayNanos} from now, replacing any deadline it had. */
    public void schedule(Task task, long delayNanos) {
        scheduleAt(task, clock.getAsLong() + delayNanos);
    }

    /** Arms {@code task} for the absolute clock value {@code deadline}. */
    public void scheduleAt(Task task, long deadline) {
        lock.lock();
        try {
            task.deadline = deadline;
            if (task.heapIndex < 0) {
                if (size == heap.length) {
                    heap = Arrays.copyOf(heap, size * 2);
                }
                task.heapIndex = size;
                heap[size++] = task;
                up(task.heapIndex);
            } else {
                int i = task.heapIndex;
                up(i);
                down(task.heapIndex);
            }
        } finally {
            lock.unlock();
        }
        Thread t = thread;
        if (t != null && deadline - sleepingUntil < 0) {
            LockSupport.unpark(t); // earlier than the thread sleeps for
        }
    }

    /** Disarms {@code task}; harmless if it is not armed. */
    public void cancel(Task task) {
        lock.lock();
        try {
            int i = task.heapIndex;
            if (i < 0) {
                return;
            }
            Task last = heap[--size];
            heap[size] = null;
            task.heapIndex = -1;
            if (last != task) {
                heap[i] = last;
                last.heapIndex = i;
                up(i);
                down(last.heapIndex);
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isScheduled(Task task) {
        lock.lock();
        try {
            return task.heapIndex >= 0;
        } finally {
            lock.unlock();
        }
    }

    /** The earliest deadline armed, or {@link Long#MAX_VALUE} if none (tests jump their clock to it). */
    public long nextDeadline() {
        lock.lock();
        try {
            return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
        } finally {
            lock.unlock();
        }
    }

    /** Tasks armed now (for tests and leak checks). */
    public int scheduled() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs every task whose deadline has passed on the clock, earliest first,
     * including tasks that come due because an earlier one re-armed them in the
     * past. Returns how many ran.
     */
    public int runDue() {
        int ran = 0;
        while (true) {
            Task t;
            long now = clock.getAsLong();
            lock.lock();
            try {
                if (size == 0 || heap[0].deadline - now > 0) {
                    return ran;
                }
                t = heap[0];
                Task last = heap[--size];
                heap[size] = null;
                t.heapIndex = -1;
                if (size > 0) {
                    heap[0] = last;
                    last.heapIndex = 0;
                    down(0);
                }
            } finally {
                lock.unlock();
            }
            t.run(now);
            ran++;
        }
    }

    /** Starts the thread that runs tasks as they come due (a running stack; unit tests call runDue). */
    public void start() {
        Thread t = new Thread(this::loop, "pktstack-timer");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop() {
        System.Logger log = System.getLogger("io.pktstack.core");
        while (!closed) {
            try {
                runDue();
            } catch (RuntimeException | Error e) {
                // A task's bug must not stop every other timer of the stack.
                log.log(System.Logger.Level.ERROR, "timer task failed", e);
            }
            long next = nextDeadline();
            long wait = Math.min(next - clock.getAsLong(), TimeUnit.SECONDS.toNanos(1));
            if (wait > 0) {
                sleepingUntil = next;
                // Armed earlier meanwhile? Then schedule() may have missed the published deadline: look again.
                if (nextDeadline() == next && !closed) {
                    LockSupport.parkNanos(this, wait);
                }
                sleepingUntil = Long.MAX_VALUE;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void up(int i) {
        Task t = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            Task parent = heap[p];
            if (parent.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = parent;
            parent.heapIndex = i;
            i = p;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void down(int i) {
        Task t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int c = 2 * i + 1;
            int r = c + 1;
            if (r < size && heap[r].deadline - heap[c].deadline < 0) {
                c = r;
            }
            if (t.deadline - heap[c].deadline <= 0) {
                break;
            }
            heap[i] = heap[c];
            heap[i].heapIndex = i;
            i = c;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
