package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.hostio.SharedMemory;
import io.pktstack.testfixtures.TsoFixtures;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import io.pktstack.vdev.VirtioNetHeader;
import io.pktstack.vdev.VirtqueueLayout;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile front-end against the host's back-end: each broken vhost-user
 * rule (a wrong message size, a missing or extra or wrong descriptor, a field
 * out of range, a request out of order) and each broken ring rule (a buffer
 * outside guest memory, a looping chain) resets that link only: the back-end
 * closes the connection, counts and reports it, leaks no descriptor, mapping
 * or frame, and comes back for the next front-end, with which frames flow.
 */
@Timeout(120)
class HostileFrontEndTest {

    static final MacAddress HOST_MAC = MacAddress.parse("02:00:00:00:00:01");
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final long FEATURES = BackendSession.OFFERED;

    @TempDir
    Path root;
    FramePool pool;
    Endpoint host;
    ScriptedFrontEnd guest;
    long fdsBefore;
    final RecordingListener events = new RecordingListener();

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @BeforeEach
    void hostWaitingForAGuest() throws Exception {
        fdsBefore = openFds();
        pool = new FramePool(512, FramePool.DEFAULT_SLOT_SIZE);
        Path node = root.resolve("dev/qvm/g1/p2p");
        guest = new ScriptedFrontEnd(node);
        host = new Endpoint(new EndpointConfig("/dev/vdevpeers/vp0", root.resolve("dev/vdevpeers/vp0"),
                "/dev/qvm/g1/p2p", node, false, HOST_MAC, LinkOptions.DEFAULT_MTU, false, LinkOptions.QUEUE_SIZE,
                "rw-------", LinkOptions.ALL_FEATURES));
        host.start(pool, events);
        guest.accept();
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        guest.close();
        host.close();
        assertEquals(pool.capacity(), pool.available(), "frames not returned to the pool");
        pool.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openFds() != fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(fdsBefore, openFds(), "descriptors leaked");
    }

    private void assertReset(String expected, String counter) throws Exception {
        assertTrue(guest.closedByBackEnd(), "the back-end kept the connection");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.messages.stream().noneMatch(m -> m.contains(expected)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(events.messages.stream().anyMatch(m -> m.contains(expected) && m.endsWith("link reset")),
                "expected '" + expected + "' in " + events.messages);
        assertEquals(counter, host.details().get("resets: ring rules/protocol"));
        // The link only: the back-end comes back, and a correct front-end gets a working link.
        guest.channel.close();
        guest.accept();
        guest.setUp(FEATURES);
        events.awaitUp();
        sendOneFrame(0);
    }

    /** Transmits one plain frame from the guest and sees it arrive. */
    private void sendOneFrame(int id) throws Exception {
        MemorySegment mem = guest.memory();
        long addr = guest.region.txBuffer(id);
        byte[] frame = new byte[60];
        frame[0] = 2;
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        frame[20] = (byte) id;
        VirtioNetHeader.write(mem, addr, 12, 0);
        MemorySegment.copy(frame, 0, mem, ValueLayout.JAVA_BYTE, addr + 12, 60);
        guest.txq.post(id, addr, 72, false);
        guest.txq.publish();
        guest.kicks[1].signal();
        byte[] got = events.frames.poll(20, TimeUnit.SECONDS);
        assertArrayEquals(frame, got);
    }

    static Stream<Arguments> brokenMessages() {
        return Stream.of(
                Arguments.of("SET_FEATURES of 4 bytes", "SET_FEATURES with 4 bytes",
                        (Function<ScriptedFrontEnd, VhostMessage>) g -> g.start(VhostUser.SET_FEATURES).putU32(1)),
                Arguments.of("GET_FEATURES with a descriptor", "GET_FEATURES with 0 bytes and 1 descriptors",
                        fn(g -> g.start(VhostUser.GET_FEATURES).attach(g.wake.fd()))),
                Arguments.of("SET_VRING_KICK without its descriptor", "SET_VRING_KICK with 8 bytes and 0 descriptors",
                        fn(g -> g.start(VhostUser.SET_VRING_KICK).putU64(0))),
                Arguments.of("SET_VRING_CALL with a socket", "not an eventfd",
                        fn(g -> g.start(VhostUser.SET_VRING_CALL).putU64(1).attach(g.listen.fd()))),
                Arguments.of("ring 2", "for ring 2", fn(g -> g.start(VhostUser.SET_VRING_NUM).putU32(2).putU32(256))),
                Arguments.of("a ring of 300", "SET_VRING_NUM 300",
                        fn(g -> g.start(VhostUser.SET_VRING_NUM).putU32(0).putU32(300))),
                Arguments.of("a base beyond 16 bits", "SET_VRING_BASE 65536",
                        fn(g -> g.start(VhostUser.SET_VRING_BASE).putU32(0).putU32(65536))),
                Arguments.of("protocol version 2", "protocol version 2",
                        fn(g -> g.msg.start(VhostUser.GET_FEATURES, 2))),
                Arguments.of("a payload of 5000 bytes", "payload of 5000 bytes", fn(g -> {
                    VhostMessage m = g.start(VhostUser.SET_FEATURES);
                    m.buf.set(U32, 8, 5000);
                    return m;
                })),
                Arguments.of("an unknown request", "request 99 is not supported", fn(g -> g.start(99))),
                Arguments.of("a kick before the ring's size", "SET_VRING_KICK for ring 0 before its size",
                        fn(g -> g.start(VhostUser.SET_VRING_KICK).putU64(0).attach(g.wake.fd()))),
                Arguments.of("SET_MEM_TABLE with 1 region and no descriptor", "came with 0 descriptors",
                        fn(g -> g.start(VhostUser.SET_MEM_TABLE).putU32(1).putU32(0).putU64(0).putU64(4096)
                                .putU64(0x7000_0000_0000L).putU64(0))),
                Arguments.of("SET_MEM_TABLE with 9 regions", "with 9 regions", fn(g -> {
                    VhostMessage m = g.start(VhostUser.SET_MEM_TABLE).putU32(9).putU32(0);
                    for (int i = 0; i < 9; i++) {
                        m.putU64(4096L * i).putU64(4096).putU64(0x1000_0000L + 4096L * i).putU64(0);
                    }
                    return m;
                })),
                Arguments.of("SET_MEM_TABLE with a short payload", "SET_MEM_TABLE of 36 bytes for 1 regions",
                        fn(g -> g.start(VhostUser.SET_MEM_TABLE).putU32(1).putU32(0).putU64(0).putU64(4096)
                                .putU64(0).putU32(0).attach(g.wake.fd()))),
                Arguments.of("a SET_CONFIG beyond the config space", "SET_CONFIG of 6 bytes at 10",
                        fn(g -> g.start(VhostUser.SET_CONFIG).putU32(10).putU32(6).putU32(0)
                                .putBytes(new byte[6]))));
    }

    static Function<ScriptedFrontEnd, VhostMessage> fn(Function<ScriptedFrontEnd, VhostMessage> f) {
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenMessages")
    void aBrokenMessageResetsTheLinkOnly(String what, String expected, Function<ScriptedFrontEnd, VhostMessage> message)
            throws Exception {
        assertEquals(BackendSession.OFFERED, guest.ask(guest.start(VhostUser.GET_FEATURES)));
        long pf = guest.ask(guest.start(VhostUser.GET_PROTOCOL_FEATURES));
        guest.send(guest.start(VhostUser.SET_PROTOCOL_FEATURES).putU64(pf));
        guest.send(message.apply(guest));
        assertReset(expected, "0/1");
    }

    @Test
    void regionsBeyondTheirFileOrOverlappingAreRefusedBeforeAnythingIsMapped() throws Exception {
        try (SharedMemory a = ScriptedFrontEnd.memfd(8192); SharedMemory b = ScriptedFrontEnd.memfd(8192)) {
            guest.send(guest.start(VhostUser.SET_MEM_TABLE).putU32(2).putU32(0)
                    .putU64(0).putU64(8192).putU64(0x10000).putU64(0)
                    .putU64(4096).putU64(8192).putU64(0x20000).putU64(0)
                    .attach(a.fd()).attach(b.fd()));
            assertReset("regions 0 and 1 overlap", "0/1");
            guest.channel.close();
            guest.accept();
            guest.send(guest.start(VhostUser.SET_MEM_TABLE).putU32(1).putU32(0)
                    .putU64(0).putU64(8192).putU64(0x10000).putU64(4096).attach(a.fd()));
            assertReset("lies beyond the end", "0/2");
        }
    }

    @Test
    void aTransmitBufferOutsideGuestMemoryResetsTheLink() throws Exception {
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        sendOneFrame(0);
        guest.txq.post(1, 1L << 40, 100, false);
        guest.txq.publish();
        guest.kicks[1].signal();
        assertTrue(guest.closedByBackEnd());
        assertTrue(!events.nextCarrier(), "carrier dropped");
        assertReset("is not inside guest memory", "1/0");
    }

    /**
     * The stack's side of the guest's receive queue breaks too: a receive
     * buffer outside guest memory is found by a transmit from a stack thread,
     * and the reset is logged with the reason (the session's thread reports
     * it, not the stack thread that found it).
     */
    @Test
    void aReceiveBufferOutsideGuestMemoryResetsTheLinkAndSaysWhy() throws Exception {
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        sendOneFrame(0);
        // Descriptor 0, the first receive buffer the back-end will take, now points far outside the memfd.
        guest.memory().set(U64, guest.region.rxQueue().descriptor(0), 1L << 40);
        FrameBatch batch = new FrameBatch();
        batch.add(pool.take().length(60));
        assertEquals(0, host.transmit(batch));
        assertTrue(batch.isEmpty(), "the frame is the driver's to release");
        assertTrue(guest.closedByBackEnd());
        assertTrue(!events.nextCarrier(), "carrier dropped");
        assertReset("guest broke the ring rules on receive: ", "1/0");
        assertTrue(events.messages.stream().anyMatch(m -> m.contains("not inside guest memory")), events.messages.toString());
    }

    /**
     * The guest shrinks its memory file behind the back-end's mapping: the
     * next read of its rings faults (SIGBUS, which the JVM turns into an
     * InternalError). The host resets that link, says why, and serves the
     * next front-end.
     */
    @Test
    void aTruncatedRegionResetsTheLinkAndSaysWhy() throws Exception {
        guest.sealed = false;
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        sendOneFrame(0);
        guest.region.memory().truncate(0);
        guest.sealed = true;
        guest.kicks[1].signal(); // the back-end looks at its transmit ring: every page of it is gone
        assertTrue(guest.closedByBackEnd());
        assertTrue(!events.nextCarrier(), "carrier dropped");
        assertReset("guest memory became inaccessible (a region file was truncated)", "1/0");
    }

    @Test
    void aLoopingChainResetsTheLink() throws Exception {
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        // Descriptor 3 -> 3 -> ...: posted by hand, as a driver's queue would never do.
        VirtqueueLayout l = guest.region.txQueue();
        MemorySegment mem = guest.memory();
        long d = l.descriptor(3);
        mem.set(U64, d, guest.region.txBuffer(3));
        mem.set(U32, d + 8, 64);
        mem.set(U16, d + 12, (short) VirtqueueLayout.VIRTQ_DESC_F_NEXT);
        mem.set(U16, d + 14, (short) 3);
        mem.set(U16, l.availEntry(0), (short) 3);
        mem.set(U16, l.availIdx(), (short) 1);
        guest.kicks[1].signal();
        assertTrue(guest.closedByBackEnd());
        assertTrue(!events.nextCarrier());
        assertReset("a loop", "1/0");
    }

    /** The guest transmits {@code pkt} as one large TCPv4 segment (gso_size 1448, NEEDS_CSUM) in a chain of two buffers. */
    private void sendLargeSegment(byte[] pkt) throws Exception {
        sendLargeSegment(pkt, 1448);
    }

    private void sendLargeSegment(byte[] pkt, int gsoSize) throws Exception {
        MemorySegment mem = guest.memory();
        long a = guest.region.txBuffer(0);
        mem.asSlice(a, 12).fill((byte) 0);
        mem.set(ValueLayout.JAVA_BYTE, a, (byte) VirtioNetHeader.F_NEEDS_CSUM);
        mem.set(ValueLayout.JAVA_BYTE, a + 1, (byte) VirtioNetHeader.GSO_TCPV4);
        mem.set(U16, a + 4, (short) gsoSize);
        mem.set(U16, a + 6, (short) 34);
        mem.set(U16, a + 8, (short) 16);
        MemorySegment.copy(pkt, 0, mem, ValueLayout.JAVA_BYTE, a + 12, 2000);
        long b = guest.region.txBuffer(1);
        MemorySegment.copy(pkt, 2000, mem, ValueLayout.JAVA_BYTE, b, pkt.length - 2000);
        VirtqueueLayout l = guest.region.txQueue();
        long d = l.descriptor(0);
        mem.set(U64, d, a);
        mem.set(U32, d + 8, 2012);
        mem.set(U16, d + 12, (short) VirtqueueLayout.VIRTQ_DESC_F_NEXT);
        mem.set(U16, d + 14, (short) 1);
        d = l.descriptor(1);
        mem.set(U64, d, b);
        mem.set(U32, d + 8, pkt.length - 2000);
        mem.set(U16, d + 12, (short) 0);
        mem.set(U16, l.availEntry(0), (short) 0);
        mem.set(U16, l.availIdx(), (short) 1);
        guest.kicks[1].signal();
    }

    @Test
    void aLargeTcpSegmentFromTheGuestArrivesAsMtuSizedFrames() throws Exception {
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        byte[] pkt = TsoFixtures.packet(TsoFixtures.ETH_V4 + TsoFixtures.IPV4 + TsoFixtures.TCP, 4000);
        sendLargeSegment(pkt);
        int payload = 0;
        for (int k = 0; k < 3; k++) {
            byte[] f = events.frames.poll(20, TimeUnit.SECONDS);
            assertTrue(f != null && f.length <= 1514, "segment " + k);
            assertEquals(0xffff, TsoFixtures.sum(f, 14, 20, 0));
            assertEquals(0xffff, TsoFixtures.sum(f, 34, f.length - 34, TsoFixtures.pseudoV4(f, 14, f.length - 34)));
            payload += f.length - 66;
        }
        assertEquals(4000, payload);
        assertEquals("1/3", host.details().get("rx: segments cut / frames made"));
    }

    /** With the stack's large frames the segment crosses whole, checked, its checksum left partial at the TCP header. */
    @Test
    void aLargeTcpSegmentFromTheGuestArrivesWholeWhenTheStackTakesLargeFrames() throws Exception {
        events.large = new FramePool(4, 66 * 1024);
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        byte[] pkt = TsoFixtures.packet(TsoFixtures.ETH_V4 + TsoFixtures.IPV4 + TsoFixtures.TCP, 4000);
        sendLargeSegment(pkt);
        byte[] f = events.frames.poll(20, TimeUnit.SECONDS);
        assertArrayEquals(pkt, f, "whole, as the guest wrote it");
        assertEquals(Frame.GSO_TCPV4 + "/1448 partial at 34+16", events.gso.poll(20, TimeUnit.SECONDS));
        assertEquals("1/0", host.details().get("rx: large segments passed whole / cut for want of a large frame"));
        assertEquals("0/0", host.details().get("rx: segments cut / frames made"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (events.large.available() != 4 && System.nanoTime() < deadline) {
            Thread.sleep(1); // the listener releases the batch after recording it
        }
        assertEquals(4, events.large.available(), "the large frame went back");
    }

    /**
     * A segment of more pieces than a batch holds (gso_size 32: 300 of them) is cut here, from the chain,
     * although the stack has large frames: the stack could not cut it where it leaves.
     */
    @Test
    void aLargeSegmentOfMorePiecesThanABatchHoldsIsCutAtTheBackEnd() throws Exception {
        events.large = new FramePool(4, 66 * 1024);
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        byte[] pkt = TsoFixtures.packet(TsoFixtures.ETH_V4 + TsoFixtures.IPV4 + TsoFixtures.TCP, 300 * 32);
        sendLargeSegment(pkt, 32);
        int payload = 0;
        for (int k = 0; k < 300; k++) {
            byte[] f = events.frames.poll(20, TimeUnit.SECONDS);
            assertTrue(f != null && f.length == TsoFixtures.V4_HEADERS + 32, "piece " + k);
            assertEquals(0xffff, TsoFixtures.sum(f, 34, f.length - 34, TsoFixtures.pseudoV4(f, 14, f.length - 34)));
            payload += f.length - TsoFixtures.V4_HEADERS;
        }
        assertEquals(300 * 32, payload);
        assertEquals("1/300", host.details().get("rx: segments cut / frames made"));
        assertEquals("0/0", host.details().get("rx: large segments passed whole / cut for want of a large frame"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (events.large.available() != 4 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(4, events.large.available(), "the large frame it was first copied into went back");
    }

    /** A stack's large segment goes to a guest that took GUEST_TSO4 whole, across merged receive buffers. */
    @Test
    void aLargeSegmentReachesAGuestThatTookTsoWholeWithItsHeader() throws Exception {
        guest.setUp(FEATURES);
        assertTrue(events.nextCarrier());
        assertEquals(Link.OFFLOAD_CSUM | Link.OFFLOAD_TSO4 | Link.OFFLOAD_TSO6, host.offloads());
        byte[] pkt = TsoFixtures.packet(TsoFixtures.ETH_V4 + TsoFixtures.IPV4 + TsoFixtures.TCP, 3000);
        try (FramePool large = new FramePool(1, 66 * 1024)) {
            Frame f = large.take();
            MemorySegment.copy(pkt, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), pkt.length);
            f.length(pkt.length);
            f.checksumPartial(34, 16);
            f.segmentation(Frame.GSO_TCPV4, 1448);
            FrameBatch batch = new FrameBatch();
            batch.add(f);
            assertEquals(1, host.transmit(batch));
            assertEquals(1, large.available());
        }
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        int[] buffers = {0};
        MemorySegment mem = guest.memory();
        guest.rxq.reap((id, len) -> {
            byte[] b = mem.asSlice(guest.region.rxBuffer(id), len).toArray(ValueLayout.JAVA_BYTE);
            got.write(b, 0, b.length);
            buffers[0]++;
        }, 16);
        byte[] all = got.toByteArray();
        MemorySegment hdr = MemorySegment.ofArray(all);
        assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(hdr, 0));
        assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(hdr, 0));
        assertEquals(1448, VirtioNetHeader.gsoSize(hdr, 0));
        assertEquals(66, VirtioNetHeader.hdrLen(hdr, 0), "Ethernet, IPv4 and TCP with options");
        assertEquals(34, VirtioNetHeader.csumStart(hdr, 0));
        assertEquals(16, VirtioNetHeader.csumOffset(hdr, 0));
        assertEquals(2, VirtioNetHeader.numBuffers(hdr, 0), "3078 bytes in 2048-byte buffers");
        assertEquals(2, buffers[0]);
        assertArrayEquals(pkt, java.util.Arrays.copyOfRange(all, 12, all.length));
        assertEquals("1/0", host.details().get("tx: large segments handed whole / sent in pieces for want of a large buffer"));
    }
}
