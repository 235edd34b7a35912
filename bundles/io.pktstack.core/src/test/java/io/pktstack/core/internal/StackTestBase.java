package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.stack.InterfaceAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;

/**
 * A stack built with {@code new}, a small pool and a clock the test moves.
 * After each test the stack is deactivated and every frame must be back in
 * the pool: a test that leaks a frame fails.
 */
abstract class StackTestBase {

    /** Where the test clock starts: arbitrary, far from 0, so "time 0" is not special. */
    static final long T0 = TimeUnit.HOURS.toNanos(5);

    /** The stack logs every link coming and going; tests keep only warnings and errors. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.pktstack.core");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    final AtomicLong clock = new AtomicLong(T0);
    final FramePool pool = new FramePool(512, FramePool.DEFAULT_SLOT_SIZE);
    final StackComponent stack = new StackComponent(pool, clock::get);

    /** Registers {@code link} as a driver would: the stack names it prefix + lowest free unit. */
    FakeLink add(FakeLink link, String prefix) {
        stack.addLink(link, Map.of(Link.DRIVER, "fake", Link.INSTANCE, "fake-1", Link.PREFIX, prefix));
        return link;
    }

    void address(String ifName, String address) {
        stack.addAddress(ifName, InterfaceAddress.parse(address));
    }

    /** Moves the stack's clock and runs the timer tasks that came due (retries, timeouts). */
    void advanceSeconds(long s) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(s));
        stack.timer().runDue();
    }

    /** The named drop counter of an interface, as nicinfo shows it (0 when it never counted). */
    long drops(String ifName, DropReason reason) {
        Object v = stack.interfaceInfo(ifName).details().get("drop: " + reason.text);
        return v == null ? 0 : ((Number) v).longValue();
    }

    @AfterEach
    void noFrameLeaked() {
        stack.deactivate();
        assertEquals(pool.capacity(), pool.available(), "frames still out of the pool after the test");
        assertEquals(stack.largeFrames().capacity(), stack.largeFrames().available(),
                "large frames (reassembly) still out after the test");
    }
}
