package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.Impairment;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code impair} on a link: each fault on both directions, counted, with
 * held frames going on from the timer and none lost from the pool when the
 * impairment is removed. Echo requests in and replies out make the traffic.
 */
class ImpairerTest extends StackTestBase {

    FakeLink vp0;

    @BeforeEach
    void gateway() {
        vp0 = add(new FakeLink("52:55:0a:00:02:02"), "vp");
        address("vp0", "10.0.2.2/24");
        vp0.takeSent();
    }

    void impair(double loss, double dup, double reorder, long delayMs, double corrupt) {
        stack.setImpairment("vp0", new Impairment(loss, dup, reorder, delayMs, corrupt));
    }

    long counter(String name) {
        return stack.impairment("vp0").counters().get(name);
    }

    @Test
    void totalLossDropsEverythingInAndCountsIt() {
        impair(100, 0, 0, 0, 0);
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST, StackProtocolsTest.ICMP_ECHO_REQUEST);
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(2, counter("dropped"));
    }

    @Test
    void duplicationSendsEachFrameTwiceTheCopyFromTheTimer() {
        impair(0, 100, 0, 0, 0);
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST);
        // In: the request and its copy; out: two replies, each duplicated again.
        advanceSeconds(0);
        assertEquals(4, vp0.takeSent().size());
        assertTrue(counter("duplicated") >= 3);
    }

    @Test
    void delayedFramesWaitOnTheStackClock() {
        impair(0, 0, 0, 50, 0);
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST);
        assertEquals(List.of(), vp0.takeSent());
        clock.addAndGet(49_000_000L);
        stack.timer().runDue();
        assertEquals(List.of(), vp0.takeSent());
        clock.addAndGet(1_000_000L);
        stack.timer().runDue(); // the request is delivered; its reply is delayed in turn
        assertEquals(List.of(), vp0.takeSent());
        clock.addAndGet(50_000_000L);
        stack.timer().runDue();
        assertEquals(List.of(Hex.norm(StackProtocolsTest.ICMP_ECHO_REPLY)), vp0.takeSent());
        assertEquals(2, counter("delayed"));
    }

    @Test
    void corruptionIsCaughtByAChecksum() {
        impair(0, 0, 0, 0, 100);
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST);
        assertEquals(1, counter("corrupted"));
        long caught = drops("vp0", DropReason.BAD_CHECKSUM) + drops("vp0", DropReason.MALFORMED)
                + drops("vp0", DropReason.NOT_FOR_US) + drops("vp0", DropReason.UNKNOWN_PROTOCOL);
        List<String> sent = vp0.takeSent();
        assertTrue(caught == 1 || sent.isEmpty(), "a flipped bit is dropped somewhere: " + sent);
    }

    @Test
    void reorderedFramesAreOvertakenByLaterOnes() {
        impair(0, 0, 100, 0, 0);
        vp0.inject(StackProtocolsTest.ARP_REQUEST);
        assertEquals(List.of(), vp0.takeSent(), "held back");
        clock.addAndGet(Impairer.REORDER_EXTRA_NANOS);
        stack.timer().runDue(); // the request goes in; the reply is held in turn
        clock.addAndGet(Impairer.REORDER_EXTRA_NANOS);
        stack.timer().runDue();
        assertEquals(List.of(Hex.norm(StackProtocolsTest.ARP_REPLY)), vp0.takeSent());
        assertEquals(2, counter("reordered"));
    }

    @Test
    void removingTheImpairmentReturnsWhatItHeldToThePool() {
        impair(0, 0, 0, 1000, 0);
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST, StackProtocolsTest.ICMP_ECHO_REQUEST);
        assertEquals(2, counter("held now"));
        assertEquals(pool.capacity() - 2, pool.available());
        impair(0, 0, 0, 0, 0);
        assertNull(stack.impairment("vp0"));
        assertEquals(pool.capacity(), pool.available());
    }
}
