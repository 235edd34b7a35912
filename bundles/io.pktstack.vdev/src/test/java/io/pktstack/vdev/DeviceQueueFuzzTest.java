package io.pktstack.vdev;

import static io.pktstack.vdev.RingTestSupport.lastWritable;
import static io.pktstack.vdev.RingTestSupport.readChain;

import static io.pktstack.vdev.RingTestSupport.U16;
import static io.pktstack.vdev.RingTestSupport.writeDesc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile driver scribbling over the whole ring area between (and, in the
 * second test, during) device operations. DeviceQueue may only return valid
 * values or throw RingViolation; every buffer it returns lies inside the
 * buffer area. The region ends where the buffer area ends, so any stray access
 * would surface as an exception and fail the test.
 */
class DeviceQueueFuzzTest {

    private static final int N = 8;
    private static final VirtqueueLayout L = VirtqueueLayout.of(N, 0);
    private static final long BUF_START = 256;
    private static final long BUF_END = BUF_START + 2048;

    /** The device side under test, with its bookkeeping of heads popped and not yet returned. */
    private static final class Device {
        final MemorySegment r;
        final DeviceQueue q;
        final long[] addrs = new long[N];
        final int[] lens = new int[N];
        final int[] held = new int[N];
        int heldCount;
        long chains;
        long segments;
        long violations;
        final Set<String> rulesBroken = new TreeSet<>();

        Device(MemorySegment r, boolean eventIdx) {
            this.r = r;
            this.q = new DeviceQueue(r, L, BUF_START, BUF_END, eventIdx);
        }

        /** One random device operation; a RingViolation resets the link. */
        void step(Random rnd, boolean reseedOnReset) {
            try {
                switch (rnd.nextInt(10)) {
                    case 0, 1, 2, 3 -> takeSome(rnd);
                    case 4 -> returnSome(rnd);
                    case 5 -> q.needsKick();
                    case 6 -> q.enableNotifications(rnd.nextBoolean());
                    case 7 -> q.hasAvailable();
                    case 8 -> checkChain(rnd.nextInt(N), rnd);
                    default -> q.publishUsed();
                }
            } catch (RingViolation e) {
                violations++;
                rulesBroken.add(rule(e.getMessage()));
                q.reset();
                heldCount = 0;
                if (reseedOnReset) {
                    freshRings(r, rnd);
                }
            }
        }

        private void takeSome(Random rnd) throws RingViolation {
            int a = q.available();
            assertTrue(a >= 0 && a <= N, "available() = " + a);
            int n = rnd.nextInt(a + 1);
            for (int i = 0; i < n; i++) {
                int head = q.pop();
                assertTrue(head >= -1 && head < N, "pop() = " + head);
                if (head < 0) {
                    break;
                }
                checkChain(head, rnd);
                if (heldCount == N) { // a well-behaved device returns what it took
                    returnSome(rnd);
                }
                held[heldCount++] = head;
            }
            if (a == n && q.pop() != -1) {
                fail("pop() returned a head beyond what available() counted");
            }
        }

        private void checkChain(int head, Random rnd) throws RingViolation {
            // Sometimes fewer than N segments, so both the segment limit and the loop limit trip.
            int max = rnd.nextBoolean() ? N : 1 + rnd.nextInt(N);
            int segs = readChain(q, head, addrs, lens, max);
            assertTrue(segs >= 1 && segs <= max, "readChain() = " + segs);
            for (int s = 0; s < segs; s++) {
                long a = addrs[s];
                int len = lens[s];
                if (a < BUF_START || len < 0 || a > BUF_END - len) {
                    fail("segment [" + a + ", +" + len + ") outside the buffer area");
                }
                if (len > 0) { // touch both ends, as a device copying the packet would
                    MemorySegment buf = r.asSlice(a, len);
                    buf.get(ValueLayout.JAVA_BYTE, 0);
                    if (lastWritable()) {
                        buf.set(ValueLayout.JAVA_BYTE, len - 1, (byte) 1);
                    } else {
                        buf.get(ValueLayout.JAVA_BYTE, len - 1);
                    }
                }
            }
            chains++;
            segments += segs;
        }

        private void returnSome(Random rnd) {
            int n = heldCount == 0 ? 0 : 1 + rnd.nextInt(heldCount);
            for (int i = 0; i < n; i++) {
                q.pushUsed(held[--heldCount], rnd.nextInt(64));
            }
            q.publishUsed();
        }
    }

    /** A word from each RingViolation message DeviceQueue can produce from ring contents. */
    private static final List<String> RULES = List.of("jumped", "outstanding", "avail ring head",
            "not inside", "a loop", "INDIRECT", "mixes", "next", "more than");

    private static String rule(String message) {
        for (String rule : RULES) {
            if (message.contains(rule)) {
                return rule;
            }
        }
        return message;
    }

    /**
     * The guest after a link reset: zeroed rings whose descriptors are all valid, so
     * the scribbles that follow explore beyond the first check.
     */
    private static void freshRings(MemorySegment r, Random rnd) {
        r.asSlice(0, L.end()).fill((byte) 0);
        for (int i = 0; i < N; i++) {
            writeDesc(r, L, i, BUF_START + rnd.nextInt(1024), rnd.nextInt(256), 0, 0);
        }
    }

    /** One hostile write somewhere in the rings, biased towards almost-valid values. */
    private static void scribble(MemorySegment r, Random rnd) {
        switch (rnd.nextInt(10)) {
            case 0 -> r.set(ValueLayout.JAVA_BYTE, rnd.nextInt((int) L.end()), (byte) rnd.nextInt());
            case 1, 2, 3 -> { // advance avail.idx a little, sometimes too far or backwards
                int idx = r.get(U16, L.availIdx()) & 0xffff;
                r.set(U16, L.availIdx(), (short) (idx + rnd.nextInt(N + 3) - 1));
            }
            case 4, 5 -> r.set(U16, L.availEntry(rnd.nextInt(N)),
                    (short) (rnd.nextInt(10) == 0 ? rnd.nextInt(65536) : rnd.nextInt(N)));
            case 6, 7, 8 -> writeDesc(r, L, rnd.nextInt(N), addr(rnd), len(rnd), flags(rnd), rnd.nextInt(N + 2));
            default -> { // the device-owned parts and the event fields
                long[] fields = {L.availFlags(), L.usedEvent(), L.usedFlags(), L.usedIdx(), L.availEvent()};
                r.set(U16, fields[rnd.nextInt(fields.length)], (short) rnd.nextInt(65536));
            }
        }
    }

    private static long addr(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextLong();
            case 1 -> BUF_START - 1 - rnd.nextInt(BUF_START_INT);
            case 2 -> BUF_END - rnd.nextInt(64);
            case 3 -> Long.MAX_VALUE - rnd.nextInt(4096);
            case 4 -> Long.MIN_VALUE + rnd.nextInt(4096);
            default -> BUF_START + rnd.nextInt(1024);
        };
    }

    private static final int BUF_START_INT = (int) BUF_START;

    private static int len(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextInt();
            case 1 -> -1 - rnd.nextInt(16);
            case 2 -> (int) (BUF_END - BUF_START) - rnd.nextInt(4);
            default -> rnd.nextInt(256);
        };
    }

    private static int flags(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextInt(65536);
            case 1 -> VirtqueueLayout.VIRTQ_DESC_F_INDIRECT;
            case 2, 3 -> VirtqueueLayout.VIRTQ_DESC_F_NEXT;
            case 4 -> VirtqueueLayout.VIRTQ_DESC_F_NEXT | VirtqueueLayout.VIRTQ_DESC_F_WRITE;
            case 5 -> VirtqueueLayout.VIRTQ_DESC_F_WRITE;
            default -> 0;
        };
    }

    @ParameterizedTest(name = "eventIdx={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(120)
    void scribblesBetweenOperations(boolean eventIdx) {
        MemorySegment r = RingTestSupport.region(BUF_END);
        Device dev = new Device(r, eventIdx);
        Random rnd = new Random(eventIdx ? 0x5eed : 0xfeed);
        freshRings(r, rnd);
        for (int i = 0; i < 200_000; i++) {
            int writes = rnd.nextInt(3);
            for (int w = 0; w < writes; w++) {
                scribble(r, rnd);
            }
            dev.step(rnd, true);
        }
        // The fuzzing reached both outcomes in quantity, so it explored past the first check.
        assertTrue(dev.chains > 10_000, "chains read: " + dev.chains);
        assertTrue(dev.segments > dev.chains, "multi-segment chains seen");
        assertTrue(dev.violations > 1_000, "violations: " + dev.violations);
        assertEquals(new TreeSet<>(RULES), dev.rulesBroken, "every rule was broken at least once");
        assertEquals(BUF_END, r.byteSize());
    }

    @ParameterizedTest(name = "eventIdx={0}")
    @ValueSource(booleans = {true, false})
    @Timeout(120)
    void scribblesDuringOperations(boolean eventIdx) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment r = arena.allocate(BUF_END, 4096);
            Device dev = new Device(r, eventIdx);
            AtomicBoolean stop = new AtomicBoolean();
            Thread guest = Thread.ofPlatform().name("hostile-guest").start(() -> {
                Random g = new Random(7);
                while (!stop.get()) {
                    scribble(r, g);
                    if (g.nextInt(64) == 0) {
                        Thread.yield();
                    }
                }
            });
            try {
                Random rnd = new Random(11);
                for (int i = 0; i < 100_000; i++) {
                    dev.step(rnd, false);
                }
            } finally {
                stop.set(true);
                guest.join();
            }
            assertTrue(dev.chains + dev.violations > 0);
        }
    }
}
