package io.pktstack.vdev;

import static io.pktstack.vdev.RingTestSupport.region;
import static io.pktstack.vdev.RingTestSupport.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** Notification suppression in both directions (VIRTIO 1.2 §2.7.7, §2.7.10). */
class NotificationTest {

    private static final int N = 4;
    private static final VirtqueueLayout L = VirtqueueLayout.of(N, 0);
    private static final long BUF = 128;
    private static final DriverQueue.UsedHandler IGNORE = (id, len) -> { };

    private final MemorySegment r = region(BUF + 4096);

    private DeviceQueue device(boolean eventIdx) {
        return new DeviceQueue(r, L, BUF, BUF + 4096, eventIdx);
    }

    private static void postPublish(DriverQueue q, int id) {
        assertTrue(q.post(id, BUF + 64L * id, 64, true));
        q.publish();
    }

    /** Every buffer posted, published and taken by the device: N in flight. */
    private static void fillRing(DriverQueue q, DeviceQueue d) throws RingViolation {
        for (int i = 0; i < N; i++) {
            postPublish(q, i);
            popOne(d);
        }
    }

    /** The device returns buffers 0, 1, 2, ... (posted in that order): only the nth of them (from 1) notifies. */
    private static void notifiesOnlyOnTheNth(DeviceQueue d, int nth) throws RingViolation {
        for (int i = 1; i <= nth; i++) {
            d.pushUsed(i - 1, 0);
            d.publishUsed();
            assertEquals(i == nth, d.needsKick(), "notified after " + i + " used");
        }
    }

    private static int popOne(DeviceQueue d) throws RingViolation {
        if (d.available() == 0) {
            throw new AssertionError("nothing available");
        }
        return d.pop();
    }

    @Test
    void availEventSuppressesKicks() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, true);
        DeviceQueue d = device(true);

        postPublish(q, 0);
        assertTrue(q.needsKick(), "avail_event 0 asks for the first entry");
        postPublish(q, 1);
        assertFalse(q.needsKick(), "device has not caught up: no second kick");

        popOne(d);
        popOne(d);
        assertEquals(2, u16(r, L.availEvent()), "pop keeps avail_event at the next entry");
        postPublish(q, 2);
        assertTrue(q.needsKick());

        d.enableNotifications(false); // polling
        assertEquals(1, u16(r, L.availEvent()), "disabled: one behind the next entry");
        postPublish(q, 3);
        assertFalse(q.needsKick());

        // Re-enable, then re-check: the entry posted while polling is found, not lost.
        d.enableNotifications(true);
        assertTrue(d.hasAvailable());
        assertEquals(0, u16(r, L.usedFlags()), "with EVENT_IDX the device leaves flags at 0");

        assertFalse(q.needsKick(), "nothing published since the last check");
    }

    @Test
    void usedEventSuppressesInterrupts() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, true);
        DeviceQueue d = device(true);
        for (int i = 0; i < N; i++) {
            postPublish(q, i);
        }
        for (int i = 0; i < N; i++) {
            popOne(d);
        }

        d.pushUsed(0, 1);
        d.publishUsed();
        assertTrue(d.needsKick(), "used_event 0 asks for the first used entry");
        d.pushUsed(1, 1);
        d.publishUsed();
        assertFalse(d.needsKick(), "driver has not reaped yet");

        assertEquals(2, q.reap(IGNORE, 8));
        assertEquals(2, u16(r, L.usedEvent()), "reap moves used_event to the next entry");
        d.pushUsed(2, 1);
        d.publishUsed();
        assertTrue(d.needsKick());

        q.enableNotifications(false);
        assertEquals(1, q.reap(IGNORE, 8));
        assertEquals(2, u16(r, L.usedEvent()), "disabled: one behind the next entry (3)");
        d.pushUsed(3, 1);
        d.publishUsed();
        assertFalse(d.needsKick());

        q.enableNotifications(true);
        assertTrue(q.hasUsed(), "re-check after enabling finds the entry");
        assertEquals(0, u16(r, L.availFlags()), "with EVENT_IDX the driver leaves flags at 0");
        assertEquals(1, q.reap(IGNORE, 8));
    }

    @Test
    void delayedUsedEvent() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, true);
        DeviceQueue d = device(true);
        fillRing(q, d);
        q.setUsedEvent(q.lastUsedIdx() + 2); // notify when the third buffer is used
        for (int i = 0; i < 2; i++) {
            d.pushUsed(i, 0);
            d.publishUsed();
            assertFalse(d.needsKick());
        }
        d.pushUsed(2, 0);
        d.publishUsed();
        assertTrue(d.needsKick());
    }

    /** Delayed: notified only when three quarters of what is in flight are used, and told when they already are. */
    @Test
    void delayedNotificationsWaitForMostInFlight() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, true);
        DeviceQueue d = device(true);
        fillRing(q, d);
        assertTrue(q.enableNotificationsDelayed(192), "nothing used yet: wait");
        notifiesOnlyOnTheNth(d, 4); // three quarters of 4 are 3: the notification comes with the 4th
        assertFalse(q.enableNotificationsDelayed(192), "all 4 already used: reap, do not wait");
        assertEquals(4, q.reap(IGNORE, 8));
        postPublish(q, 0);
        postPublish(q, 1);
        popOne(d);
        popOne(d);
        assertTrue(q.enableNotificationsDelayed(0), "fraction 0: wait for the next one");
        notifiesOnlyOnTheNth(d, 1);
    }

    /** All of what is in flight cannot be asked for (one more would never come): all but one is. */
    @Test
    void delayedAtTheWholeRingWaitsForTheLastButOne() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, true);
        DeviceQueue d = device(true);
        fillRing(q, d);
        assertTrue(q.enableNotificationsDelayed(256));
        notifiesOnlyOnTheNth(d, N);
    }

    /** Without EVENT_IDX a delayed request is an ordinary one: flags cleared, a used entry reported. */
    @Test
    void delayedWithoutEventIdxIsImmediate() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, false);
        DeviceQueue d = device(false);
        postPublish(q, 0);
        popOne(d);
        q.enableNotifications(false);
        assertTrue(q.enableNotificationsDelayed(192));
        assertEquals(0, u16(r, L.availFlags()));
        d.pushUsed(0, 0);
        d.publishUsed();
        assertTrue(d.needsKick());
        assertFalse(q.enableNotificationsDelayed(192), "a used entry waits: reap it");
    }

    @Test
    void needEventAcrossTheIndexWrap() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, true);
        DeviceQueue d = device(true);
        // Run the indices to just below 2^16 with the device popping one at a time.
        for (int i = 0; i < 65534; i++) {
            postPublish(q, 0);
            q.needsKick();
            popOne(d);
            d.pushUsed(0, 0);
            d.publishUsed();
            d.needsKick();
            assertEquals(1, q.reap(IGNORE, 1));
        }
        for (int i = 0; i < 4; i++) { // 65534, 65535, 0, 1
            postPublish(q, 0);
            assertTrue(q.needsKick(), "kick " + i + " after wrap");
            popOne(d);
            d.pushUsed(0, 0);
            d.publishUsed();
            assertTrue(d.needsKick(), "interrupt " + i + " after wrap");
            assertEquals(1, q.reap(IGNORE, 1));
        }
    }

    @Test
    void flagsWithoutEventIdx() throws RingViolation {
        DriverQueue q = new DriverQueue(r, L, false);
        DeviceQueue d = device(false);

        postPublish(q, 0);
        assertTrue(q.needsKick());
        postPublish(q, 1);
        assertTrue(q.needsKick(), "flags 0: every publish kicks");
        d.enableNotifications(false);
        assertEquals(VirtqueueLayout.VIRTQ_USED_F_NO_NOTIFY, u16(r, L.usedFlags()));
        postPublish(q, 2);
        assertFalse(q.needsKick());
        d.enableNotifications(true);
        assertTrue(d.hasAvailable());
        postPublish(q, 3);
        assertTrue(q.needsKick());

        popOne(d);
        d.pushUsed(0, 0);
        d.publishUsed();
        assertTrue(d.needsKick());
        q.enableNotifications(false);
        assertEquals(VirtqueueLayout.VIRTQ_AVAIL_F_NO_INTERRUPT, u16(r, L.availFlags()));
        popOne(d);
        d.pushUsed(1, 0);
        d.publishUsed();
        assertFalse(d.needsKick());
        q.enableNotifications(true);
        assertTrue(q.hasUsed());
        assertEquals(0, u16(r, L.usedEvent()), "without EVENT_IDX used_event is not written");
        assertThrows(IllegalStateException.class, () -> q.setUsedEvent(3));
    }
}
