package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pktstack.api.net.MacAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The ARP table / neighbour cache with time passed in. */
class NeighborCacheTest {

    final AtomicLong clock = new AtomicLong(TimeUnit.DAYS.toNanos(3));
    final NeighborCache cache = new NeighborCache(clock::get);
    static final MacAddress M1 = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress M2 = MacAddress.parse("52:54:00:ab:cd:ef");

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void entriesExpireAfterTheirLifetime() throws Exception {
        cache.put(ip("10.0.2.15"), M1, "vp0");
        clock.addAndGet(NeighborCache.LIFETIME_NANOS - 1);
        assertEquals(M1, cache.lookup(ip("10.0.2.15")));
        assertEquals(1, cache.snapshot().size());
        clock.addAndGet(2);
        assertNull(cache.lookup(ip("10.0.2.15")));
        assertEquals(List.of(), cache.snapshot());
    }

    @Test
    void refreshUpdatesOnlyExistingEntries() throws Exception {
        cache.refresh(ip("10.0.2.15"), M1, "vp0");
        assertNull(cache.lookup(ip("10.0.2.15")));
        cache.put(ip("10.0.2.15"), M1, "vp0");
        cache.refresh(ip("10.0.2.15"), M2, "vp0");
        assertEquals(M2, cache.lookup(ip("10.0.2.15")));
    }

    @Test
    void removingAnInterfaceForgetsItsNeighbours() throws Exception {
        cache.put(ip("10.0.2.15"), M1, "vp0");
        cache.put(ip("10.0.3.15"), M2, "vp1");
        cache.removeInterface("vp0");
        assertNull(cache.lookup(ip("10.0.2.15")));
        assertEquals(M2, cache.lookup(ip("10.0.3.15")));
    }

    @Test
    void awaitReturnsOnceAnotherThreadResolves() throws Exception {
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(20);
                cache.put(ip("10.0.2.15"), M1, "vp0");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(M1, cache.await(ip("10.0.2.15"), TimeUnit.SECONDS.toNanos(10)));
        t.join();
        assertNull(cache.await(ip("10.0.2.99"), TimeUnit.MILLISECONDS.toNanos(10)));
    }
}
