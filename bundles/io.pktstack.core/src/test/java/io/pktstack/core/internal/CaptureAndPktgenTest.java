package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.PacketCapture;
import io.pktstack.api.stack.PacketGenerator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The capture tap (both directions, bounded) and the packet generator's send loop over a fake link. */
class CaptureAndPktgenTest extends StackTestBase {

    FakeLink vp0;

    @BeforeEach
    void gateway() {
        vp0 = add(new FakeLink("52:55:0a:00:02:02"), "vp");
        address("vp0", "10.0.2.2/24");
        vp0.takeSent();
    }

    @Test
    void captureSeesWhatComesInAndWhatGoesOut() throws Exception {
        try (PacketCapture.Session s = stack.start("vp0", 10)) {
            vp0.inject(StackProtocolsTest.ARP_REQUEST);

            PacketCapture.Frame in = s.next(Duration.ofSeconds(5));
            PacketCapture.Frame out = s.next(Duration.ofSeconds(5));
            assertFalse(in.outbound());
            assertEquals(Hex.norm(StackProtocolsTest.ARP_REQUEST), Hex.of(in.bytes()));
            assertTrue(out.outbound());
            assertEquals(Hex.norm(StackProtocolsTest.ARP_REPLY), Hex.of(out.bytes()));
            assertEquals(0, s.dropped());
            assertThrows(IllegalArgumentException.class, () -> stack.start("vp0", 1), "one capture per interface");
        }
        vp0.inject(StackProtocolsTest.ARP_REQUEST);
        try (PacketCapture.Session s = stack.start("vp0", 10)) {
            assertNull(s.next(Duration.ofMillis(20)), "a closed capture saw nothing and a new one starts empty");
        }
    }

    @Test
    void captureStopsAtItsLimit() throws Exception {
        try (PacketCapture.Session s = stack.start("vp0", 1)) {
            vp0.inject(StackProtocolsTest.ARP_REQUEST, StackProtocolsTest.ARP_REQUEST);
            assertNotNull(s.next(Duration.ofSeconds(5)), "the first frame is captured");
            assertNull(s.next(Duration.ofMillis(20)), "the rest are not");
            assertEquals(0, s.dropped());
        }
    }

    @Test
    void aCopyDroppedOnAFullQueueDoesNotCountTowardsTheLimit() throws Exception {
        Capture c = new Capture(1, 2);
        io.pktstack.api.frame.Frame f = pool.take().length(60);
        try {
            c.tap(f, false, 1);
            c.tap(f, false, 2); // the queue holds one: dropped, and not one of the two
            assertEquals(1, c.dropped.get());
            assertEquals(1, c.next(0).epochMicros());
            c.tap(f, false, 3);
            c.tap(f, false, 4); // the limit is reached: not taken, not dropped
            assertEquals(3, c.next(0).epochMicros());
            assertNull(c.next(0));
            assertEquals(1, c.dropped.get());
        } finally {
            f.release();
        }
    }

    @Test
    void generatorSendsTheFramesItCountsWithItsHeader() {
        MacAddress dst = MacAddress.parse("52:54:00:12:34:56");
        long before = stack.interfaceInfo("vp0").counters().outPackets(); // the announcements
        PacketGenerator.Result r = stack.transmit("vp0", dst, 60, 10, 4);

        assertEquals(10, r.offered());
        assertEquals(0, r.noBuffer());
        List<String> sent = vp0.takeSent();
        assertEquals(10, sent.size(), String.join("\n", sent));
        for (String f : sent) {
            assertEquals(120, f.length());
            assertTrue(f.startsWith("52540012345652550a00020288b5"), f);
        }
        assertEquals(before + 10, stack.interfaceInfo("vp0").counters().outPackets());
    }

    @Test
    void generatorWaitsForAFullRingInsteadOfDropping() {
        vp0.room = 1; // the driver takes one frame per call
        PacketGenerator.Result r = stack.transmit("vp0", MacAddress.BROADCAST, 64, 8, 8);
        assertEquals(8, r.offered());
        assertEquals(8, vp0.takeSent().size());
        assertEquals(0, drops("vp0", DropReason.TX_RING_FULL));
    }

    @Test
    void generatorRefusesFramesThatDoNotFitAndNonLinks() {
        assertThrows(IllegalArgumentException.class, () -> stack.transmit("vp0", MacAddress.BROADCAST, 1515, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> stack.transmit("vp0", MacAddress.BROADCAST, 13, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> stack.transmit("lo0", MacAddress.BROADCAST, 60, 1, 1));
    }
}
