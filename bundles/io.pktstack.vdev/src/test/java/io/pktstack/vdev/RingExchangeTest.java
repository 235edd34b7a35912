package io.pktstack.vdev;

import static io.pktstack.vdev.RingTestSupport.lastWritable;
import static io.pktstack.vdev.RingTestSupport.readChain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A driver and a device over one region exchanging buffers in both directions:
 * a receive queue (device-writable) and a transmit queue (device-readable),
 * far enough for the 16-bit indices to wrap several times.
 */
class RingExchangeTest {

    private static final int N = 16;
    private static final int BUF = 256;
    private static final int TOTAL = 200_000; // > 3 * 65536 per queue

    /** Two queues and 2*N buffers in one region; buffer i of queue q at bufAddr(q, i). */
    private static final class Link {
        final VirtqueueLayout rxL = VirtqueueLayout.of(N, 0);
        final VirtqueueLayout txL = VirtqueueLayout.of(N, (rxL.end() + 15) & ~15L);
        final long bufStart = (txL.end() + 63) & ~63L;
        final long bufEnd = bufStart + 2L * N * BUF;
        final MemorySegment r;
        final DriverQueue rxDrv;
        final DriverQueue txDrv;
        final DeviceQueue rxDev;
        final DeviceQueue txDev;

        Link(boolean eventIdx) {
            r = RingTestSupport.region(bufEnd);
            rxDrv = new DriverQueue(r, rxL, eventIdx);
            txDrv = new DriverQueue(r, txL, eventIdx);
            rxDev = new DeviceQueue(r, rxL, bufStart, bufEnd, eventIdx);
            txDev = new DeviceQueue(r, txL, bufStart, bufEnd, eventIdx);
        }

        long rxBuf(int id) { return bufStart + (long) id * BUF; }

        long txBuf(int id) { return bufStart + (long) (N + id) * BUF; }

    }

    /** Checks that receive buffers come back in order with the bytes the device wrote. */
    private static final class RxChecker implements DriverQueue.UsedHandler {
        final Link link;
        long expectSeq;

        RxChecker(Link link) { this.link = link; }

        @Override
        public void used(int id, int len) {
            long a = link.rxBuf(id);
            assertEquals(expectSeq, link.r.get(ValueLayout.JAVA_LONG, a), "rx payload");
            assertEquals(lenFor(expectSeq), len, "rx len");
            expectSeq++;
        }
    }

    static int lenFor(long seq) {
        return 8 + (int) (seq % (BUF - 8 + 1));
    }

    @ParameterizedTest(name = "eventIdx={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(120)
    void manyBuffersBothDirectionsSingleThread(boolean eventIdx) throws RingViolation {
        Link k = new Link(eventIdx);
        Random rnd = new Random(1234);
        RxChecker rx = new RxChecker(k);
        long[] addrs = new long[4];
        int[] lens = new int[4];
        TxFree txFree = new TxFree(new int[N]);
        for (int i = 0; i < N; i++) {
            txFree.ids[txFree.count++] = i;
            assertTrue(k.rxDrv.post(i, k.rxBuf(i), BUF, true));
        }
        k.rxDrv.publish();
        long rxSeqDev = 0;
        long txSeqDrv = 0;
        long txSeqDev = 0;
        int kicks = 0;
        int publishes = 0;

        while (rx.expectSeq < TOTAL || txSeqDev < TOTAL) {
            // Driver: transmit a random batch.
            int batch = rnd.nextInt(N + 1);
            int posted = 0;
            while (posted < batch && txFree.count > 0 && txSeqDrv < TOTAL) {
                int id = txFree.ids[--txFree.count];
                long a = k.txBuf(id);
                k.r.set(ValueLayout.JAVA_LONG, a, txSeqDrv);
                assertTrue(k.txDrv.post(id, a, lenFor(txSeqDrv), false));
                txSeqDrv++;
                posted++;
            }
            if (posted > 0) {
                k.txDrv.publish();
                publishes++;
                kicks += k.txDrv.needsKick() ? 1 : 0;
            }

            // Device: take some transmitted buffers and fill some receive buffers.
            int avail = k.txDev.available();
            int take = Math.min(avail, rnd.nextInt(N + 1));
            for (int i = 0; i < take; i++) {
                int head = k.txDev.pop();
                assertEquals(1, readChain(k.txDev, head, addrs, lens, addrs.length));
                assertFalse(lastWritable());
                assertEquals(txSeqDev, k.r.get(ValueLayout.JAVA_LONG, addrs[0]), "tx payload");
                assertEquals(lenFor(txSeqDev), lens[0], "tx len");
                txSeqDev++;
                k.txDev.pushUsed(head, 0);
            }
            k.txDev.publishUsed();
            k.txDev.needsKick();

            int rxAvail = k.rxDev.available();
            int fill = Math.min(rxAvail, rnd.nextInt(N + 1));
            for (int i = 0; i < fill && rxSeqDev < TOTAL; i++) {
                int head = k.rxDev.pop();
                assertEquals(1, readChain(k.rxDev, head, addrs, lens, addrs.length));
                assertTrue(lastWritable());
                assertEquals(BUF, lens[0]);
                k.r.set(ValueLayout.JAVA_LONG, addrs[0], rxSeqDev);
                k.rxDev.pushUsed(head, lenFor(rxSeqDev));
                rxSeqDev++;
            }
            k.rxDev.publishUsed();
            k.rxDev.needsKick();

            // Driver: reap both queues and refill receive buffers.
            k.txDrv.reap(txFree, rnd.nextInt(N) + 1);
            int before = (int) rx.expectSeq;
            int got = k.rxDrv.reap(rx, rnd.nextInt(N) + 1);
            assertEquals(got, (int) rx.expectSeq - before);
            for (int id = 0; id < N; id++) {
                if (!k.rxDrv.isInFlight(id)) {
                    k.rxDrv.post(id, k.rxBuf(id), BUF, true);
                }
            }
            k.rxDrv.publish();
            k.rxDrv.needsKick();
        }
        assertEquals(TOTAL, rx.expectSeq);
        assertEquals(TOTAL, txSeqDev);
        assertTrue(TOTAL > 3 * 65536);
        assertTrue(kicks > 0 && kicks <= publishes);
    }

    /** Returns transmit ids to a free stack. */
    private static final class TxFree implements DriverQueue.UsedHandler {
        final int[] ids;
        int count;

        TxFree(int[] ids) { this.ids = ids; }

        @Override
        public void used(int id, int len) {
            assertEquals(0, len);
            ids[count++] = id;
        }
    }

    /**
     * Two threads, one per side, sleeping on semaphores ("kicks") when idle and
     * waking each other only when needsKick() says so. A lost wakeup would leave a
     * side asleep with work pending and hit the 10 s timeout.
     */
    @ParameterizedTest(name = "eventIdx={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(120)
    void twoThreadsWithNotificationSuppression(boolean eventIdx) throws Exception {
        final int total = 150_000;
        try (Arena arena = Arena.ofShared()) {
            VirtqueueLayout l = VirtqueueLayout.of(N, 0);
            long bufStart = (l.end() + 63) & ~63L;
            MemorySegment r = arena.allocate(bufStart + (long) N * BUF, 4096);
            DriverQueue drv = new DriverQueue(r, l, eventIdx);
            DeviceQueue dev = new DeviceQueue(r, l, bufStart, bufStart + (long) N * BUF, eventIdx);
            Semaphore toDevice = new Semaphore(0);
            Semaphore toDriver = new Semaphore(0);
            AtomicReference<Throwable> failure = new AtomicReference<>();

            Thread device = Thread.ofPlatform().name("device").start(() -> {
                try {
                    long[] addrs = new long[2];
                    int[] lens = new int[2];
                    long seq = 0;
                    dev.enableNotifications(false);
                    while (seq < total) {
                        int n = dev.available();
                        if (n == 0) {
                            dev.enableNotifications(true);
                            if (!dev.hasAvailable() && !toDevice.tryAcquire(10, TimeUnit.SECONDS)) {
                                throw new AssertionError("device missed a kick at seq " + seq);
                            }
                            dev.enableNotifications(false);
                            continue;
                        }
                        for (int i = 0; i < n; i++) {
                            int head = dev.pop();
                            readChain(dev, head, addrs, lens, 2);
                            if (r.get(ValueLayout.JAVA_LONG, addrs[0]) != seq || lens[0] != lenFor(seq)) {
                                throw new AssertionError("bad payload at seq " + seq);
                            }
                            seq++;
                            dev.pushUsed(head, 0);
                        }
                        dev.publishUsed();
                        if (dev.needsKick()) {
                            toDriver.release();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });

            int[] free = new int[N];
            TxFree freeIds = new TxFree(free);
            for (int i = 0; i < N; i++) {
                free[freeIds.count++] = i;
            }
            long seq = 0;
            drv.enableNotifications(false);
            try {
                while ((seq < total || drv.inFlight() > 0) && failure.get() == null) {
                    int reaped = drv.reap(freeIds, N);
                    int posted = 0;
                    while (freeIds.count > 0 && seq < total) {
                        int id = free[--freeIds.count];
                        long a = bufStart + (long) id * BUF;
                        r.set(ValueLayout.JAVA_LONG, a, seq);
                        drv.post(id, a, lenFor(seq), false);
                        seq++;
                        posted++;
                    }
                    if (posted > 0) {
                        drv.publish();
                        if (drv.needsKick()) {
                            toDevice.release();
                        }
                    }
                    if (reaped == 0 && posted == 0) {
                        drv.enableNotifications(true);
                        if (!drv.hasUsed() && !toDriver.tryAcquire(10, TimeUnit.SECONDS)) {
                            fail("driver missed an interrupt at seq " + seq);
                        }
                        drv.enableNotifications(false);
                    }
                }
            } finally {
                device.join(20_000);
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(0, drv.inFlight());
        }
    }
}
