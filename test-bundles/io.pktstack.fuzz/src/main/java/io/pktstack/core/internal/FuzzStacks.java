package io.pktstack.core.internal;

import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Stacks for fuzz targets outside the core's package: built with the package-private constructor, on a fake clock. */
public final class FuzzStacks {

    private static final FramePool POOL = new FramePool(256, FramePool.DEFAULT_SLOT_SIZE);

    /**
     * A stack and how to stop it, checking that every frame came back.
     *
     * @param corruption set once any interface is told to corrupt frames: its links then accept malformed packets
     */
    public record Built(StackComponent stack, AtomicBoolean corruption) implements AutoCloseable {

        /**
         * Reads back every interface's impairment: once one corrupts frames
         * ({@code impair IF corrupt N}), what the links see may be malformed
         * on purpose, in either direction and after the setting is gone
         * (frames it delayed), so the links stop checking packets for good.
         */
        public void noteImpairments() {
            for (var nif : stack.interfaces()) {
                var i = impairmentOf(nif.name());
                if (i != null && i.corruptPercent() > 0) {
                    corruption.set(true);
                }
            }
        }

        private io.pktstack.api.stack.Impairment impairmentOf(String name) {
            try {
                return stack.impairment(name);
            } catch (IllegalArgumentException e) {
                return null; // gone meanwhile
            }
        }

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
        AtomicBoolean corruption = new AtomicBoolean();
        for (int i = 0; i < 2; i++) {
            stack.addLink(new FuzzLink(new MacAddress(0x0200_0000_0010L + i), delivered, corruption::get),
                    Map.of(Link.DRIVER, "fuzz", Link.INSTANCE, "fuzz.0", Link.PREFIX, "vp", Link.KEY, "k" + i));
        }
        stack.createBridge("bridge0");
        return new Built(stack, corruption);
    }
}
