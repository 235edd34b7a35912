package io.pktstack.core.internal;

import io.pktstack.core.internal.time.StackTimer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ARP table / neighbour cache with time passed in: expiry, and resolution that holds frames instead of blocking. */
class NeighborCacheTest {

    final AtomicLong clock = new AtomicLong(TimeUnit.DAYS.toNanos(3));
    final StackTimer timer = new StackTimer(clock::get);
    final FramePool pool = new FramePool(16, FramePool.DEFAULT_SLOT_SIZE);
    final NetInterface vp0 = new NetInterface(1, "vp0", NetInterface.Kind.LINK, "fake", null,
            MacAddress.parse("52:55:0a:00:02:02"), 1514, null, null);
    final Routing.Route route = new Routing.Route(vp0, InterfaceAddress.parse("10.0.2.2/24"));
    final List<InetAddress> solicited = new ArrayList<>();
    final List<Frame> sent = new ArrayList<>();
    final List<DropReason> dropped = new ArrayList<>();
    final PathContext ctx = new PathContext();
    final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    final NeighborCache cache = new NeighborCache(timer, (via, target, c) -> solicited.add(target),
            (l3, f, c) -> sent.add(f), () -> ctx, (nif, reason, n) -> dropped.add(reason), refused::incrementAndGet);
    static final MacAddress M1 = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress M2 = MacAddress.parse("52:54:00:ab:cd:ef");

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @AfterEach
    void nothingLeaked() {
        sent.forEach(Frame::release);
        cache.clear();
        assertEquals(pool.capacity(), pool.available());
    }

    Frame frame(int marker) {
        Frame f = pool.take();
        f.length(60);
        f.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, f.offset() + 20, (byte) marker);
        return f;
    }

    static int marker(Frame f) {
        return f.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, f.offset() + 20);
    }

    static long dstMac(Frame f) {
        return Forwarder.dstMac(f);
    }

    void advance(long nanos) {
        clock.addAndGet(nanos);
        timer.runDue();
    }

    @Test
    void entriesExpireAfterTheirLifetime() throws Exception {
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        clock.addAndGet(NeighborCache.LIFETIME_NANOS - 1);
        assertEquals(M1, cache.lookup(ip("10.0.2.15")));
        assertEquals(1, cache.snapshot().size());
        clock.addAndGet(2);
        assertNull(cache.lookup(ip("10.0.2.15")));
        assertEquals(List.of(), cache.snapshot());
    }

    @Test
    void refreshUpdatesOnlyExistingEntries() throws Exception {
        cache.refresh(ip("10.0.2.15"), M1, "vp0", ctx);
        assertNull(cache.lookup(ip("10.0.2.15")));
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        cache.refresh(ip("10.0.2.15"), M2, "vp0", ctx);
        assertEquals(M2, cache.lookup(ip("10.0.2.15")));
    }

    @Test
    void removingAnInterfaceForgetsItsNeighbours() throws Exception {
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        cache.put(ip("10.0.3.15"), M2, "vp1", ctx);
        cache.removeInterface("vp0");
        assertNull(cache.lookup(ip("10.0.2.15")));
        assertEquals(M2, cache.lookup(ip("10.0.3.15")));
    }

    @Test
    void aKnownNeighbourIsSentToAtOnce() throws Exception {
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        NeighborCache.Entry e = cache.resolveAndSend(route, ip("10.0.2.15"), frame(1), ctx);

        assertEquals(1, sent.size());
        assertEquals(M1.bits(), dstMac(sent.getFirst()));
        assertEquals(List.of(), solicited);
        assertSame(e, cache.reachableEntry(ip("10.0.2.15")), "the entry a sender may keep");
    }

    @Test
    void framesForAnUnknownNeighbourAreHeldUntilItAnswers() throws Exception {
        cache.resolveAndSend(route, ip("10.0.2.15"), frame(1), ctx);
        cache.resolveAndSend(route, ip("10.0.2.15"), frame(2), ctx);

        assertEquals(List.of(ip("10.0.2.15")), solicited, "one request for both frames");
        assertEquals(List.of(), sent);
        assertEquals(1, cache.incomplete());

        cache.put(ip("10.0.2.15"), M1, "vp0", ctx); // the reply

        assertEquals(List.of(1, 2), sent.stream().map(NeighborCacheTest::marker).toList(), "in order");
        assertEquals(M1.bits(), dstMac(sent.get(0)));
        assertEquals(0, cache.incomplete());
        assertEquals(0, timer.scheduled(), "the retry is cancelled");
    }

    @Test
    void aFullHoldQueueDropsTheOldestFrame() throws Exception {
        cache.setMaxHold(2);
        for (int i = 1; i <= 4; i++) {
            cache.resolveAndSend(route, ip("10.0.2.15"), frame(i), ctx);
        }
        assertEquals(List.of(DropReason.NEIGHBOR_HOLD_FULL, DropReason.NEIGHBOR_HOLD_FULL), dropped);

        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        assertEquals(List.of(3, 4), sent.stream().map(NeighborCacheTest::marker).toList());
    }

    @Test
    void theRequestIsRepeatedEverySecondThenTheHeldFramesAreDropped() throws Exception {
        cache.resolveAndSend(route, ip("10.0.2.15"), frame(1), ctx);
        advance(NeighborCache.RETRANS_NANOS - 1);
        assertEquals(1, solicited.size());
        advance(1);
        assertEquals(2, solicited.size());
        advance(NeighborCache.RETRANS_NANOS);
        assertEquals(NeighborCache.MAX_PROBES, solicited.size());
        assertEquals(List.of(), dropped);

        advance(NeighborCache.RETRANS_NANOS);

        assertEquals(NeighborCache.MAX_PROBES, solicited.size(), "no more requests");
        assertEquals(List.of(DropReason.NO_NEIGHBOR), dropped);
        assertEquals(0, cache.incomplete());
        assertEquals(pool.capacity(), pool.available());

        // A later send starts afresh.
        assertNotNull(cache.resolveAndSend(route, ip("10.0.2.15"), frame(2), ctx));
        assertEquals(NeighborCache.MAX_PROBES + 1, solicited.size());
    }

    @Test
    void anExpiredNeighbourIsResolvedAgainBeforeFramesGoToIt() throws Exception {
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        clock.addAndGet(NeighborCache.LIFETIME_NANOS);
        cache.resolveAndSend(route, ip("10.0.2.15"), frame(1), ctx);

        assertEquals(List.of(), sent);
        assertEquals(List.of(ip("10.0.2.15")), solicited);
        cache.put(ip("10.0.2.15"), M2, "vp0", ctx);
        assertEquals(M2.bits(), dstMac(sent.getFirst()));
    }

    @Test
    void aFullTableRefusesNewNeighboursUntilEntriesExpire() throws Exception {
        cache.setMaxEntries(1);
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx);
        assertNull(cache.resolveAndSend(route, ip("10.0.2.16"), frame(1), ctx));
        assertEquals(List.of(DropReason.NEIGHBOR_TABLE_FULL), dropped);
        cache.put(ip("10.0.2.17"), M2, "vp0", ctx);
        assertEquals(2, refused.get(), "a resolution and a learning refused, each counted");
        assertTrue(solicited.isEmpty());

        clock.addAndGet(NeighborCache.LIFETIME_NANOS);
        assertNotNull(cache.resolveAndSend(route, ip("10.0.2.16"), frame(2), ctx), "the expired entry made room");
        assertEquals(2, refused.get());
    }

    @Test
    void aFullTableOfLiveNeighboursIsSweptAtMostOnceASecond() throws Exception {
        long half = NeighborCache.PURGE_INTERVAL_NANOS / 2;
        cache.setMaxEntries(1);
        cache.put(ip("10.0.2.15"), M1, "vp0", ctx); // expires one lifetime from now
        clock.addAndGet(NeighborCache.LIFETIME_NANOS - half);
        cache.put(ip("10.0.2.16"), M2, "vp0", ctx); // full: swept, nothing expired yet, refused
        clock.addAndGet(half);
        cache.put(ip("10.0.2.16"), M2, "vp0", ctx); // .15 has just expired, but the last sweep was half a second ago
        assertEquals(2, refused.get());
        clock.addAndGet(half);
        cache.put(ip("10.0.2.16"), M2, "vp0", ctx);
        assertEquals(2, refused.get(), "swept again a second later: .15 gone, .16 learned");
        assertNotNull(cache.resolveAndSend(route, ip("10.0.2.16"), frame(1), ctx));
        assertEquals(1, sent.size(), "sent at once to the learned address");
    }
}
