package io.pktstack.core.internal;

import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Stacks for fuzz targets outside the core's package: built with the package-private constructor, on a fake clock. */
public final class FuzzStacks {

    private static final FramePool POOL = new FramePool(256, FramePool.DEFAULT_SLOT_SIZE);

    /** A stack and how to stop it, checking that every frame came back. */
    public record Built(StackComponent stack) implements AutoCloseable {
        @Override
        public void close() {
            var held = POOL.take();
            stack.deactivate();
            if (held != null) {
                held.release();
            }
            if (POOL.available() != POOL.capacity()) {
                throw new AssertionError((POOL.capacity() - POOL.available()) + " frames not back in the pool");
            }
        }
    }

    private FuzzStacks() {
    }

    /** vp0 and vp1 (links with carrier) and bridge0, nothing configured. */
    public static Built twoLinksAndABridge() {
        StackComponent stack = new StackComponent(POOL, () -> TimeUnit.HOURS.toNanos(1));
        HashSet<java.nio.ByteBuffer> delivered = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            stack.addLink(new FuzzLink(new MacAddress(0x0200_0000_0010L + i), delivered),
                    Map.of(Link.DRIVER, "fuzz", Link.INSTANCE, "fuzz.0", Link.PREFIX, "vp", Link.KEY, "k" + i));
        }
        stack.createBridge("bridge0");
        return new Built(stack);
    }
}
