package io.pktstack.vdev;

import static io.pktstack.vdev.RingTestSupport.lastWritable;
import static io.pktstack.vdev.RingTestSupport.readChain;

import static io.pktstack.vdev.RingTestSupport.region;
import static io.pktstack.vdev.RingTestSupport.setAvailIdx;
import static io.pktstack.vdev.RingTestSupport.writeAvail;
import static io.pktstack.vdev.RingTestSupport.writeDesc;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_INDIRECT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_NEXT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device side against a hostile driver: every malformed input gives a
 * RingViolation naming the rule, never an out-of-bounds access. The region is
 * exactly as large as rings plus buffer area, so a stray access would throw.
 */
class DeviceQueueTest {

    private static final int N = 4;
    private static final VirtqueueLayout L = VirtqueueLayout.of(N, 0);
    private static final long BUF_START = 128;
    private static final long BUF_END = BUF_START + 4096;

    private MemorySegment r;
    private DeviceQueue d;
    private final long[] addrs = new long[8];
    private final int[] lens = new int[8];

    @BeforeEach
    void setUp() {
        r = region(BUF_END);
        d = new DeviceQueue(r, L, BUF_START, BUF_END, true);
    }

    /** Makes chain {@code head} the single available entry and pops it. */
    private int offer(int head) throws RingViolation {
        writeAvail(r, L, 0, head);
        setAvailIdx(r, L, 1);
        assertEquals(1, d.available());
        return d.pop();
    }

    private RingViolation chainFails(int head) throws RingViolation {
        int h = offer(head);
        return assertThrows(RingViolation.class, () -> readChain(d, h, addrs, lens, addrs.length));
    }

    private static void assertMentions(RingViolation e, String text) {
        assertTrue(e.getMessage().contains(text), e.getMessage());
    }

    @Test
    void validChainOfThree() throws RingViolation {
        writeDesc(r, L, 3, BUF_START, 12, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
        writeDesc(r, L, 1, BUF_START + 100, 1000, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
        writeDesc(r, L, 0, BUF_END - 10, 10, VIRTQ_DESC_F_WRITE, 3); // next ignored without NEXT
        int head = offer(3);
        assertEquals(3, head);
        assertEquals(3, readChain(d, head, addrs, lens, addrs.length));
        assertArrayEquals(new long[] {BUF_START, BUF_START + 100, BUF_END - 10},
                java.util.Arrays.copyOf(addrs, 3));
        assertArrayEquals(new int[] {12, 1000, 10}, java.util.Arrays.copyOf(lens, 3));
        assertTrue(lastWritable());
        assertEquals(-1, d.pop());
        d.pushUsed(head, 1022);
        d.publishUsed();
        assertEquals(0, d.outstanding());
    }

    @Test
    void readableChainAndEmptyBuffers() throws RingViolation {
        writeDesc(r, L, 0, BUF_END, 0, 0, 0); // empty range at the very end is inside
        int head = offer(0);
        assertEquals(1, readChain(d, head, addrs, lens, 1));
        assertFalse(lastWritable());
        assertEquals(0, lens[0]);
    }

    @Test
    void headOutOfRange() throws RingViolation {
        writeAvail(r, L, 0, N);
        setAvailIdx(r, L, 1);
        assertEquals(1, d.available());
        assertMentions(assertThrows(RingViolation.class, d::pop), "avail ring head 4 >= queue size 4");
    }

    @Test
    void headFfff() throws RingViolation {
        writeAvail(r, L, 0, 0xffff);
        setAvailIdx(r, L, 1);
        d.available();
        assertMentions(assertThrows(RingViolation.class, d::pop), "65535");
    }

    @Test
    void readChainRejectsAHeadOutOfRange() {
        assertThrows(RingViolation.class, () -> readChain(d, N, addrs, lens, 8));
        assertThrows(RingViolation.class, () -> readChain(d, -1, addrs, lens, 8));
    }

    @Test
    void nextOutOfRange() throws RingViolation {
        writeDesc(r, L, 0, BUF_START, 10, VIRTQ_DESC_F_NEXT, 7);
        assertMentions(chainFails(0), "next 7 >= queue size 4");
    }

    @ParameterizedTest(name = "addr={0} len={1}")
    @CsvSource({
        "127, 1",                      // starts before the area
        "4214, 11",                    // ends one past the area (BUF_END = 4224)
        "4224, 1",                     // starts at the end
        "4225, 0",                     // starts past the end
        "0, 4096",                     // inside the region, outside the area (the rings)
        "128, 4097",                   // longer than the area
        "128, -1",                     // len 0xffffffff
        "9223372036854775807, 1",      // addr + len overflows a long
        "9223372036854775800, 100",
        "-1, 1",                       // addr 0xffffffffffffffff: negative as a long
        "-9223372036854775808, 0",     // addr 2^63
    })
    void bufferOutsideTheArea(long addr, int len) throws RingViolation {
        writeDesc(r, L, 2, addr, len, VIRTQ_DESC_F_WRITE, 0);
        assertMentions(chainFails(2), "descriptor 2: buffer [0x");
    }

    @Test
    void lastSegmentOutsideTheArea() throws RingViolation {
        writeDesc(r, L, 0, BUF_START, 10, VIRTQ_DESC_F_NEXT, 1);
        writeDesc(r, L, 1, BUF_END - 5, 6, 0, 0);
        assertMentions(chainFails(0), "descriptor 1");
    }

    @Test
    void chainThatLoops() throws RingViolation {
        writeDesc(r, L, 0, BUF_START, 10, VIRTQ_DESC_F_NEXT, 1);
        writeDesc(r, L, 1, BUF_START, 10, VIRTQ_DESC_F_NEXT, 0);
        assertMentions(chainFails(0), "longer than queue size 4: a loop");
    }

    @Test
    void chainThatLoopsOnItself() throws RingViolation {
        writeDesc(r, L, 2, BUF_START, 10, VIRTQ_DESC_F_NEXT, 2);
        assertMentions(chainFails(2), "a loop");
    }

    @Test
    void loopLongerThanMaxSegments() throws RingViolation {
        writeDesc(r, L, 0, BUF_START, 10, VIRTQ_DESC_F_NEXT, 1);
        writeDesc(r, L, 1, BUF_START, 10, VIRTQ_DESC_F_NEXT, 0);
        int h = offer(0);
        assertMentions(assertThrows(RingViolation.class, () -> readChain(d, h, addrs, lens, 1)),
                "more than 1 buffers");
    }

    @Test
    void indirectDescriptor() throws RingViolation {
        writeDesc(r, L, 1, BUF_START, 64, VIRTQ_DESC_F_INDIRECT, 0);
        assertMentions(chainFails(1), "VIRTQ_DESC_F_INDIRECT");
    }

    @Test
    void indirectLaterInTheChain() throws RingViolation {
        writeDesc(r, L, 0, BUF_START, 10, VIRTQ_DESC_F_NEXT, 1);
        writeDesc(r, L, 1, BUF_START, 64, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2);
        assertMentions(chainFails(0), "VIRTQ_DESC_F_INDIRECT");
    }

    @Test
    void mixedDirections() throws RingViolation {
        writeDesc(r, L, 0, BUF_START, 10, VIRTQ_DESC_F_NEXT, 1);
        writeDesc(r, L, 1, BUF_START, 10, VIRTQ_DESC_F_WRITE, 0);
        assertMentions(chainFails(0), "mixes device-readable and device-writable");
    }

    @Test
    void availIndexJumpsByMoreThanN() {
        setAvailIdx(r, L, N + 1);
        assertMentions(assertThrows(RingViolation.class, d::available), "avail index jumped by 5 > queue size 4");
    }

    @Test
    void availIndexMovesBackwards() {
        setAvailIdx(r, L, 0xffff);
        assertMentions(assertThrows(RingViolation.class, d::available), "jumped by 65535");
    }

    @Test
    void moreChainsOutstandingThanDescriptors() throws RingViolation {
        for (int i = 0; i < N; i++) {
            writeDesc(r, L, i, BUF_START, 10, 0, 0);
            writeAvail(r, L, i, i);
        }
        setAvailIdx(r, L, N);
        assertEquals(N, d.available());
        for (int i = 0; i < N; i++) {
            d.pop();
        }
        // None returned yet, so a correct driver has no free descriptor to offer.
        setAvailIdx(r, L, N + 1);
        assertMentions(assertThrows(RingViolation.class, d::available), "5 chains outstanding");
    }

    @Test
    void popWithoutAvailableReturnsMinusOne() throws RingViolation {
        setAvailIdx(r, L, 1); // not yet observed through available()
        assertEquals(-1, d.pop());
        assertTrue(d.hasAvailable());
    }

    @Test
    void hostMisuseIsAnIllegalArgumentOrState() throws RingViolation {
        assertThrows(IllegalStateException.class, () -> d.pushUsed(0, 0));
        writeDesc(r, L, 0, BUF_START, 10, 0, 0);
        int h = offer(0);
        assertThrows(IllegalArgumentException.class, () -> d.pushUsed(N, 0));
        assertThrows(IllegalArgumentException.class, () -> new DescriptorChain(0));
    }

    @Test
    void constructorChecksTheBufferArea() {
        assertThrows(IllegalArgumentException.class, () -> new DeviceQueue(r, L, -1, 100, true));
        assertThrows(IllegalArgumentException.class, () -> new DeviceQueue(r, L, 200, 100, true));
        assertThrows(IllegalArgumentException.class, () -> new DeviceQueue(r, L, 0, BUF_END + 1, true));
        assertThrows(IllegalArgumentException.class, () -> new DeviceQueue(region(L.end() - 2), L, 0, 0, true));
    }

    @Test
    void descriptorFieldsAreReadOnce() throws RingViolation {
        // A chain read returns the values as they were at the single fetch; later changes
        // by the driver do not alter what was returned.
        writeDesc(r, L, 0, BUF_START, 10, 0, 0);
        int h = offer(0);
        assertEquals(1, readChain(d, h, addrs, lens, 8));
        writeDesc(r, L, 0, -1, -1, VIRTQ_DESC_F_INDIRECT, 9);
        assertEquals(BUF_START, addrs[0]);
        assertEquals(10, lens[0]);
    }
}
