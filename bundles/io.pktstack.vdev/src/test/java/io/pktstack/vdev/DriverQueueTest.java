package io.pktstack.vdev;

import static io.pktstack.vdev.RingTestSupport.hexDump;
import static io.pktstack.vdev.RingTestSupport.region;
import static io.pktstack.vdev.RingTestSupport.setUsedIdx;
import static io.pktstack.vdev.RingTestSupport.u16;
import static io.pktstack.vdev.RingTestSupport.writeUsed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DriverQueueTest {

    private static final VirtqueueLayout L4 = VirtqueueLayout.of(4, 0);

    /** Records what reap() hands out. */
    private static final class Recorder implements DriverQueue.UsedHandler {
        final List<int[]> seen = new ArrayList<>();

        @Override
        public void used(int id, int len) {
            seen.add(new int[] {id, len});
        }
    }

    @Test
    void postAndPublishWriteExactlyTheseBytes() {
        MemorySegment r = region(L4.end());
        DriverQueue q = new DriverQueue(r, L4, true);
        assertTrue(q.post(2, 0x1000, 1514, true));
        // Not visible before publish: avail.idx is still 0.
        assertEquals(0, u16(r, L4.availIdx()));
        q.publish();
        assertEquals("""
                0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0010: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0020: 00 10 00 00 00 00 00 00 ea 05 00 00 02 00 00 00
                0030: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0040: 00 00 01 00 02 00 00 00 00 00 00 00 00 00 00 00
                0050: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0060: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0070: 00 00 00 00 00 00
                """, hexDump(r, 0, L4.end()));
        assertEquals(1, q.inFlight());
        assertTrue(q.isInFlight(2));
    }

    @Test
    void roundTripThroughTheDeviceWritesExactlyTheseBytes() throws RingViolation {
        MemorySegment r = region(0x1000 + 2048);
        DriverQueue q = new DriverQueue(r, L4, true);
        DeviceQueue d = new DeviceQueue(r, L4, 0x1000, 0x1000 + 2048, true);
        q.post(2, 0x1000, 1514, true);
        q.publish();
        assertEquals(1, d.available());
        int head = d.pop();
        assertEquals(2, head);
        d.pushUsed(head, 60);
        d.publishUsed();
        Recorder rec = new Recorder();
        assertEquals(1, q.reap(rec, 8));
        assertEquals(2, rec.seen.get(0)[0]);
        assertEquals(60, rec.seen.get(0)[1]);
        // used_event = 1 (driver, after reap); used.idx = 1, used[0] = {2, 60}; avail_event = 1 (device, after pop).
        assertEquals("""
                0000: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0010: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0020: 00 10 00 00 00 00 00 00 ea 05 00 00 02 00 00 00
                0030: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0040: 00 00 01 00 02 00 00 00 00 00 00 00 01 00 00 00
                0050: 00 00 01 00 02 00 00 00 3c 00 00 00 00 00 00 00
                0060: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                0070: 00 00 00 00 01 00
                """, hexDump(r, 0, L4.end()));
        assertEquals(0, q.inFlight());
    }

    @Test
    void deviceReadableDescriptorHasNoWriteFlag() {
        MemorySegment r = region(L4.end());
        DriverQueue q = new DriverQueue(r, L4, false);
        q.post(0, 0x40, 60, false);
        assertEquals(0, u16(r, L4.descriptor(0) + 12));
        q.post(1, 0x80, 60, true);
        assertEquals(VirtqueueLayout.VIRTQ_DESC_F_WRITE, u16(r, L4.descriptor(1) + 12));
    }

    @Test
    void postRefusesAnIdInFlightAndRejectsBadArguments() {
        DriverQueue q = new DriverQueue(region(L4.end()), L4, false);
        assertTrue(q.post(1, 0, 10, true));
        assertFalse(q.post(1, 0, 10, true));
        assertEquals(1, q.inFlight());
        assertThrows(IllegalArgumentException.class, () -> q.post(4, 0, 10, true));
        assertThrows(IllegalArgumentException.class, () -> q.post(-1, 0, 10, true));
        assertThrows(IllegalArgumentException.class, () -> q.post(0, -1, 10, true));
        assertThrows(IllegalArgumentException.class, () -> q.post(0, 0, -1, true));
    }

    @Test
    void resetZeroesTheRingsAndForgetsBuffers() {
        MemorySegment r = region(L4.end());
        r.fill((byte) 0x5a);
        DriverQueue q = new DriverQueue(r, L4, true);
        assertEquals(hexDump(region(L4.end()), 0, L4.end()), hexDump(r, 0, L4.end()));
        q.post(0, 0, 10, true);
        q.publish();
        q.reset();
        assertEquals(0, q.inFlight());
        assertEquals(0, u16(r, L4.availIdx()));
        assertTrue(q.post(0, 0, 10, true));
    }

    @Test
    void rejectsRegionsTooSmallOrMisaligned() {
        assertThrows(IllegalArgumentException.class, () -> new DriverQueue(region(L4.end() - 1), L4, true));
        MemorySegment odd = MemorySegment.ofArray(new byte[256]);
        assertThrows(IllegalArgumentException.class, () -> new DriverQueue(odd, L4, true));
    }

    // ---- malformed used entries: the device is not trusted either ----------------------------

    private static DriverQueue posted(MemorySegment r, int... ids) {
        DriverQueue q = new DriverQueue(r, L4, true);
        for (int id : ids) {
            q.post(id, 0x100L * id, 100, true);
        }
        q.publish();
        return q;
    }

    @Test
    void usedIdOutOfRange() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0);
        writeUsed(r, L4, 0, 4, 10);
        setUsedIdx(r, L4, 1);
        RingViolation e = assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
        assertTrue(e.getMessage().contains("used id 4 >= queue size 4"), e.getMessage());
    }

    @Test
    void usedIdNegativeAsSigned() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0);
        writeUsed(r, L4, 0, -1, 10);
        setUsedIdx(r, L4, 1);
        RingViolation e = assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
    }

    @Test
    void usedIdNotInFlight() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0, 1);
        writeUsed(r, L4, 0, 2, 10);
        setUsedIdx(r, L4, 1);
        RingViolation e = assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
        assertTrue(e.getMessage().contains("used id 2 was not in flight"), e.getMessage());
    }

    @Test
    void usedIdReturnedTwice() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0, 1);
        writeUsed(r, L4, 0, 1, 10);
        writeUsed(r, L4, 1, 1, 10);
        setUsedIdx(r, L4, 2);
        Recorder rec = new Recorder();
        assertThrows(RingViolation.class, () -> q.reap(rec, 8));
        assertEquals(1, rec.seen.size()); // the first, valid entry was delivered
    }

    @Test
    void usedIdPostedButNotPublished() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0);
        q.post(1, 0x100, 100, true); // not published: invisible to the device
        writeUsed(r, L4, 0, 1, 10);
        setUsedIdx(r, L4, 1);
        RingViolation e = assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
        assertTrue(e.getMessage().contains("used id 1 was posted but not yet published"), e.getMessage());
    }

    @Test
    void usedIdReturnedAgainAfterTheHandlerReposted() throws RingViolation {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0, 1);
        writeUsed(r, L4, 0, 0, 10);
        writeUsed(r, L4, 1, 0, 10); // duplicate, while the handler has re-posted 0 unpublished
        setUsedIdx(r, L4, 2);
        DriverQueue.UsedHandler repost = (id, len) -> q.post(id, 0, 100, true);
        assertThrows(RingViolation.class, () -> q.reap(repost, 8));
    }

    @Test
    void usedLenLargerThanPosted() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 3);
        writeUsed(r, L4, 0, 3, 101);
        setUsedIdx(r, L4, 1);
        RingViolation e = assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
        assertTrue(e.getMessage().contains("used len 101 for id 3 exceeds the posted length 100"), e.getMessage());
    }

    @Test
    void usedLenHugeUnsigned() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 3);
        writeUsed(r, L4, 0, 3, 0x8000_0000);
        setUsedIdx(r, L4, 1);
        assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
    }

    @Test
    void usedIndexAdvancedPastWhatIsInFlight() {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0, 1);
        setUsedIdx(r, L4, 3);
        RingViolation e = assertThrows(RingViolation.class, () -> q.reap(new Recorder(), 8));
        assertTrue(e.getMessage().contains("advanced by 3 but only 2"), e.getMessage());
        // moved backwards
        DriverQueue q2 = posted(r, 0);
        setUsedIdx(r, L4, 0xffff);
        assertThrows(RingViolation.class, () -> q2.reap(new Recorder(), 8));
    }

    @Test
    void reapHonoursMaxAndHandlerMayRepost() throws RingViolation {
        MemorySegment r = region(L4.end());
        DriverQueue q = posted(r, 0, 1, 2);
        for (int i = 0; i < 3; i++) {
            writeUsed(r, L4, i, i, 7);
        }
        setUsedIdx(r, L4, 3);
        assertTrue(q.hasUsed());
        int[] reposted = {0};
        DriverQueue.UsedHandler repost = (id, len) -> reposted[0] += q.post(id, 0x100L * id, 100, true) ? 1 : 0;
        assertEquals(2, q.reap(repost, 2));
        assertEquals(2, reposted[0]);
        assertEquals(3, q.inFlight());
        assertEquals(1, q.reap(repost, 2));
        assertFalse(q.hasUsed());
        assertEquals(3, q.lastUsedIdx());
    }
}
