package io.pktstack.vdev;

import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_INDIRECT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_NEXT;
import static io.pktstack.vdev.VirtqueueLayout.VIRTQ_DESC_F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hostile guest against the host's vdevpeer-net endpoint: after a clean
 * handshake (and a frame each way, to show the session works), the guest
 * breaks a ring rule by writing its shared memory directly. The host must
 * count a reset, report it, take the link down and close the connection,
 * without an exception escaping and without touching memory outside the
 * region; it then keeps serving, so a well-behaved guest comes up again.
 */
@Timeout(120)
class MaliciousPeerTest {

    static final String HOST_BIND = "/dev/vdevpeers/vp0";
    static final String GUEST_BIND = "/dev/qvm/g1/p2p";
    static final MacAddress HOST_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final MacAddress GUEST_MAC = MacAddress.parse("aa:aa:aa:aa:aa:01");
    /** A small queue, so that a looping chain is caught by the length limit of N descriptors (§2.7.5). */
    static final int N = 4;

    @TempDir
    Path root;
    FramePool pool;
    RecordingPort host;
    VdevLink hostLink;
    FakeDriverPeer guest;
    final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previous;

    Path map(String devicePath) {
        return root.resolve(devicePath.substring(1));
    }

    @BeforeEach
    void hostAndCleanGuest() throws Exception {
        previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        pool = new FramePool(512, FramePool.DEFAULT_SLOT_SIZE);
        host = new RecordingPort(pool);
        hostLink = new VdevLink(new EndpointConfig(HOST_BIND, map(HOST_BIND), GUEST_BIND, map(GUEST_BIND), false,
                HOST_MAC, LinkOptions.DEFAULT_MTU, false, root.resolve("shm"), LinkOptions.QUEUE_SIZE, "rw-------"),
                true, Map.of());
        hostLink.attach(host);
        guest = connectGuest();
    }

    FakeDriverPeer connectGuest() throws Exception {
        FakeDriverPeer g = new FakeDriverPeer(root.resolve("shm"), map(HOST_BIND), GUEST_BIND, GUEST_MAC, N);
        assertEquals(HOST_MAC, g.theirs.mac());
        assertEquals(Hello.DEVICE, g.theirs.role());
        assertTrue(host.nextCarrier());
        // Both directions work before anything goes wrong.
        byte[] up = VdevEndpointPairTest.frame(HOST_MAC, GUEST_MAC, 60, 1);
        g.send(up);
        assertArrayEquals(up, host.nextFrame());
        byte[] down = VdevEndpointPairTest.frame(GUEST_MAC, HOST_MAC, 1514, 2);
        assertEquals(1, hostLink.transmit(host.batch(down)));
        assertArrayEquals(down, g.receive());
        return g;
    }

    @AfterEach
    void closeAndCheck() throws Exception {
        try {
            guest.close();
            hostLink.close();
            assertEquals(pool.capacity(), pool.available(), "frames not returned to the pool");
            assertEquals(List.of(), uncaught, "exceptions escaped a thread");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /** Ways to break the guest's transmit queue, which the host reads as the device. */
    enum TxViolation {
        AVAIL_INDEX_JUMPS_PAST_RING_SIZE,
        AVAIL_ENTRY_NOT_A_DESCRIPTOR,
        CHAIN_LOOPS,
        NEXT_INDEX_OUT_OF_RANGE,
        LENGTH_RUNS_PAST_REGION,
        ADDRESS_OUTSIDE_REGION,
        ADDRESS_HUGE_UNSIGNED,
        ADDRESS_IN_THE_RINGS,
        INDIRECT_NOT_NEGOTIATED,
        DEVICE_WRITABLE_TX_BUFFER,
    }

    /** Writes the violation as one new chain (or a bad avail.idx) and kicks. */
    void breakTransmitQueue(TxViolation v) throws Exception {
        var mem = guest.mem;
        SharedRegion r = guest.region;
        VirtqueueLayout l = r.txQueue();
        int idx = RingTestSupport.u16(mem, l.availIdx()); // the guest's published avail.idx (1 after connect)
        long buf = r.txBuffer(0);
        int len = 12 + 60;
        int head = 0;
        switch (v) {
            case AVAIL_INDEX_JUMPS_PAST_RING_SIZE -> {
                RingTestSupport.setAvailIdx(mem, l, idx + N + 1);
                guest.kick();
                return;
            }
            case AVAIL_ENTRY_NOT_A_DESCRIPTOR -> head = N + 3;
            case CHAIN_LOOPS -> {
                RingTestSupport.writeDesc(mem, l, 0, buf, 16, VIRTQ_DESC_F_NEXT, 1);
                RingTestSupport.writeDesc(mem, l, 1, buf + 16, 16, VIRTQ_DESC_F_NEXT, 0);
            }
            case NEXT_INDEX_OUT_OF_RANGE -> RingTestSupport.writeDesc(mem, l, 0, buf, 16, VIRTQ_DESC_F_NEXT, 500);
            case LENGTH_RUNS_PAST_REGION -> RingTestSupport.writeDesc(mem, l, 0, r.bufferAreaEnd() - 16, 4096, 0, 0);
            case ADDRESS_OUTSIDE_REGION -> RingTestSupport.writeDesc(mem, l, 0, r.bufferAreaEnd() + 4096, len, 0, 0);
            case ADDRESS_HUGE_UNSIGNED -> RingTestSupport.writeDesc(mem, l, 0, -64L, len, 0, 0);
            case ADDRESS_IN_THE_RINGS -> RingTestSupport.writeDesc(mem, l, 0, l.base(), len, 0, 0);
            case INDIRECT_NOT_NEGOTIATED -> RingTestSupport.writeDesc(mem, l, 0, buf, len, VIRTQ_DESC_F_INDIRECT, 0);
            case DEVICE_WRITABLE_TX_BUFFER -> RingTestSupport.writeDesc(mem, l, 0, buf, len, VIRTQ_DESC_F_WRITE, 0);
            default -> throw new AssertionError(v);
        }
        RingTestSupport.writeAvail(mem, l, idx % N, head);
        RingTestSupport.setAvailIdx(mem, l, idx + 1);
        guest.kick();
    }

    void expectResetThenRecovery(String direction) throws Exception {
        expectResetThenRecovery("broke the ring rules on " + direction, 1);
    }

    /** @param resets resets expected (at least): two threads may both see a truncated region */
    void expectResetThenRecovery(String event, long resets) throws Exception {
        assertFalse(host.nextCarrier(), "link down after the violation");
        assertFalse(hostLink.carrier());
        assertTrue(guest.hungUp(), "the host closed the rule breaker's connection");
        long counted = (Long) hostLink.details().get("link resets");
        assertTrue(counted >= resets && counted <= 2, "link resets " + counted);
        assertTrue(host.events.stream().anyMatch(e -> e.contains(event) && e.contains("link reset")),
                host.events.toString());
        assertTrue(host.received.isEmpty(), "nothing from the broken chain was delivered");

        // The host keeps running: a well-behaved guest (a restarted one) comes up again.
        guest.close();
        guest = connectGuest();
        assertTrue(hostLink.carrier());
        assertEquals(counted, hostLink.details().get("link resets"));
    }

    private void truncate(long size) throws Exception {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(guest.region.file().toFile(), "rw")) {
            f.setLength(size); // what a hostile guest can do to its own file at any time
        }
    }

    @Test
    void aGuestThatTruncatesItsRegionGetsItsLinkReset() throws Exception {
        truncate(0);
        guest.kick();
        expectResetThenRecovery("shared memory became inaccessible on receive", 1);
    }

    @Test
    void truncatingTheBuffersUnderAFrameResetsTheLinkWithoutLosingAPoolFrame() throws Exception {
        SharedRegion r = guest.region;
        guest.tx.reap((id, len) -> { }, N);
        long addr = r.txBuffer(1);
        VirtioNetHeader.writeSimple(guest.mem, addr, false);
        assertTrue(guest.tx.post(1, addr, VirtioNetHeader.SIZE + 60, false));
        truncate(r.bufferAreaStart()); // the rings stay, the buffer goes
        guest.tx.publish();
        guest.kick();
        expectResetThenRecovery("shared memory became inaccessible on receive", 1);
    }

    @Test
    void aTruncatedRegionResetsTheLinkOnTransmitInsteadOfThrowingIntoTheStack() throws Exception {
        truncate(0);
        FrameBatch b = host.batch(VdevEndpointPairTest.frame(GUEST_MAC, HOST_MAC, 60, 3));

        assertEquals(0, hostLink.transmit(b));
        assertTrue(b.isEmpty());
        expectResetThenRecovery("shared memory became inaccessible on transmit", 1);
    }

    @ParameterizedTest
    @EnumSource(TxViolation.class)
    void aBrokenTransmitQueueResetsTheLink(TxViolation v) throws Exception {
        breakTransmitQueue(v);
        expectResetThenRecovery("receive");
    }

    /** Ways to break the guest's receive queue, which the host fills as the device when it transmits. */
    enum RxViolation {
        ADDRESS_OUTSIDE_REGION,
        LENGTH_RUNS_PAST_REGION,
        READ_ONLY_RECEIVE_BUFFER,
        AVAIL_ENTRY_NOT_A_DESCRIPTOR,
    }

    @ParameterizedTest
    @EnumSource(RxViolation.class)
    void aBrokenReceiveQueueResetsTheLinkOnTransmit(RxViolation v) throws Exception {
        var mem = guest.mem;
        SharedRegion r = guest.region;
        VirtqueueLayout l = r.rxQueue();
        // The host used receive buffer 0 for its frame at connect; the next one it pops is buffer 1.
        int next = 1;
        switch (v) {
            case ADDRESS_OUTSIDE_REGION -> RingTestSupport.writeDesc(mem, l, next, r.segment().byteSize(),
                    r.bufferSize(), VIRTQ_DESC_F_WRITE, 0);
            case LENGTH_RUNS_PAST_REGION -> RingTestSupport.writeDesc(mem, l, next, r.bufferAreaEnd() - 8,
                    r.bufferSize(), VIRTQ_DESC_F_WRITE, 0);
            case READ_ONLY_RECEIVE_BUFFER -> RingTestSupport.writeDesc(mem, l, next, r.rxBuffer(next),
                    r.bufferSize(), 0, 0);
            case AVAIL_ENTRY_NOT_A_DESCRIPTOR -> RingTestSupport.writeAvail(mem, l, next, 0x7fff);
            default -> throw new AssertionError(v);
        }
        FrameBatch b = host.batch(VdevEndpointPairTest.frame(GUEST_MAC, HOST_MAC, 60, 3));

        assertEquals(0, hostLink.transmit(b), "nothing sent into a broken ring");
        assertTrue(b.isEmpty(), "the frames were dropped, not left to the caller");
        expectResetThenRecovery("transmit");
    }

    @Test
    void aHeaderAskingForOffloadsIsDroppedNotFatal() throws Exception {
        // A bad virtio_net_hdr breaks no ring rule: the frame is dropped and counted, the link stays up.
        byte[] f = VdevEndpointPairTest.frame(HOST_MAC, GUEST_MAC, 60, 4);
        byte[] bad = new byte[VirtioNetHeader.SIZE + f.length];
        bad[1] = 4; // gso_type VIRTIO_NET_HDR_GSO_TCPV6, never negotiated (VIRTIO 1.2 §5.1.6.2.1)
        System.arraycopy(f, 0, bad, VirtioNetHeader.SIZE, f.length);
        guest.sendRaw(bad);
        byte[] after = VdevEndpointPairTest.frame(HOST_MAC, GUEST_MAC, 60, 5);
        guest.send(after);

        assertArrayEquals(after, host.nextFrame(), "the bad frame was skipped, the next one delivered");
        assertEquals(1L, hostLink.details().get("rx drops: bad header/length"));
        assertEquals(0L, hostLink.details().get("link resets"));
        assertTrue(hostLink.carrier());
    }

    @Test
    void aFrameShorterThanAnEthernetHeaderIsDroppedNotFatal() throws Exception {
        guest.sendRaw(new byte[VirtioNetHeader.SIZE + 13]);
        byte[] after = VdevEndpointPairTest.frame(HOST_MAC, GUEST_MAC, 14, 6);
        guest.send(after);

        assertArrayEquals(after, host.nextFrame());
        assertEquals(1L, hostLink.details().get("rx drops: bad header/length"));
        assertTrue(hostLink.carrier());
    }
}
