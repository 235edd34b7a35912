package io.pktstack.core.internal.tcp;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Threads waiting on a connection (readers for data, writers for space, a
 * connect for the handshake), woken all at once when anything changes: a
 * {@link java.util.concurrent.locks.Condition} without its allocation of a
 * node per wait. Each thread reuses one node of its own, so a reader that
 * blocks between every segment allocates nothing. Works for virtual threads:
 * they park and unmount.
 *
 * <p>All methods but the park itself run under the connection's lock.
 */
final class WaitQueue {

    private static final ThreadLocal<Node> NODES = ThreadLocal.withInitial(Node::new);

    private static final class Node {
        final Thread thread = Thread.currentThread();
        volatile boolean woken;
        Node next;
    }

    private Node head;

    /**
     * Releases {@code lock}, waits until {@link #wakeAll}, the deadline
     * ({@code nanos} from now; 0 for none) or an interrupt, and takes the lock
     * again. Returns false on timeout; the caller re-checks its condition.
     */
    boolean await(ReentrantLock lock, long nanos) throws InterruptedException {
        Node n = NODES.get();
        n.woken = false;
        n.next = head;
        head = n;
        long deadline = System.nanoTime() + nanos;
        lock.unlock();
        try {
            while (!n.woken) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (nanos == 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
            return true;
        } finally {
            lock.lock();
            remove(n);
        }
    }

    private void remove(Node n) {
        if (head == n) {
            head = n.next;
        } else {
            for (Node p = head; p != null; p = p.next) {
                if (p.next == n) {
                    p.next = n.next;
                    break;
                }
            }
        }
        n.next = null;
    }

    /** Wakes every waiting thread (they take the lock again in turn). Caller holds the lock. */
    void wakeAll() {
        for (Node n = head; n != null; n = n.next) {
            if (!n.woken) {
                n.woken = true;
                LockSupport.unpark(n.thread);
            }
        }
    }
}
