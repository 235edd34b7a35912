package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pktstack.api.stack.Tunable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TunablesTest {

    /** The definitions run once, on the first use, and the values are the live ones. */
    @Test
    void definedOnFirstUseOnly() {
        AtomicInteger runs = new AtomicInteger();
        AtomicLong ttl = new AtomicLong(64);
        Tunables t = new Tunables(d -> {
            runs.incrementAndGet();
            d.define("net.inet.ip.ttl", 1, 255, "ttl", ttl::get, ttl::set);
        });
        assertEquals(0, runs.get(), "nothing defined before it is wanted");
        List<Tunable> set = t.set(Map.of("net.inet.ip.ttl", 33L));
        assertEquals(33, set.get(0).value());
        assertEquals(33, ttl.get());
        assertEquals(List.of("net.inet.ip.ttl"), t.all().stream().map(Tunable::name).toList());
        assertEquals(1, runs.get());
    }

    /** Definitions that fail leave none behind (not a partial table) and are tried again on the next use. */
    @Test
    void failedDefinitionsLeaveNoneAndRunAgain() {
        AtomicInteger runs = new AtomicInteger();
        Tunables t = new Tunables(d -> {
            d.define("a.first", 0, 1, "first", () -> 0, null);
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("not ready");
            }
            d.define("a.second", 0, 1, "second", () -> 1, null);
        });
        assertThrows(IllegalStateException.class, t::all);
        assertEquals(List.of("a.first", "a.second"), t.all().stream().map(Tunable::name).toList());
        assertEquals(2, runs.get());
    }
}
