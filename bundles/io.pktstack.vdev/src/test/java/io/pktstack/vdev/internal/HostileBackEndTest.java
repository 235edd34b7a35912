package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.testfixtures.TsoFixtures;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import io.pktstack.vdev.VirtioNetHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
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
 * A virtio-net front-end against a back-end that lies in what it writes:
 * merged receive buffers (MRG_RXBUF) whose headers claim more buffers than a
 * packet may span, segmentation the front-end never took, sizes and offsets
 * that do not fit, headers that do not parse. Each such packet is dropped and
 * counted, its remaining buffers passed over, the link stays up and the next
 * packet arrives intact; a broken ring rule resets the link and says why.
 * And the transmit side under a back-end that holds buffers: a large segment
 * the worker sends when every large buffer is in flight goes in pieces.
 */
@Timeout(120)
class HostileBackEndTest {

    static final MacAddress GUEST_MAC = MacAddress.parse("aa:aa:aa:aa:aa:01");
    static final String BAD = "rx drops: bad header/length";

    @TempDir
    Path root;
    FramePool pool;
    FramePool large;
    Endpoint guest;
    EndpointConfig config;
    ScriptedBackEnd host;
    long fdsBefore;
    final RecordingListener received = new RecordingListener();
    /** Frames a test saw the front-end leave with a back-end that did not stop its rings. */
    int withheld;

    @BeforeEach
    void guestWaitingForItsBackEnd() throws Exception {
        fdsBefore = HostileFrontEndTest.openFds();
        // Shared, as a stack's are: a quarter of the pool goes on the receive ring, the rest of it is region buffers.
        pool = FramePool.shared(2048, FramePool.DEFAULT_SLOT_SIZE);
        large = FramePool.shared(FrontendTransmit.LARGE_TX_BUFFERS + 4, 66 * 1024);
        received.large = large;
        config = new EndpointConfig("/dev/qvm/g1/p2p", root.resolve("dev/qvm/g1/p2p"), "/dev/vdevpeers/vp0",
                root.resolve("dev/vdevpeers/vp0"), true, GUEST_MAC, LinkOptions.DEFAULT_MTU, false,
                LinkOptions.QUEUE_SIZE, "rw-------", LinkOptions.ALL_FEATURES);
        guest = new Endpoint(config);
        guest.start(pool, received);
        connect();
    }

    private void connect() throws Exception {
        host = new ScriptedBackEnd(config.bindSocket());
        host.setUp(BackendSession.OFFERED);
        assertEquals(Boolean.TRUE, received.carrier.poll(20, TimeUnit.SECONDS), "carrier");
    }

    @AfterEach
    void nothingLeaks() throws Exception {
        host.close();
        guest.close();
        assertEquals(pool.capacity() - withheld, pool.available(), "frames not returned to the pool");
        assertEquals(large.capacity(), large.available(), "large frames not returned to their pool");
        pool.close();
        large.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (HostileFrontEndTest.openFds() != fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(fdsBefore, HostileFrontEndTest.openFds(), "descriptors leaked");
    }

    // ---- composing what the back-end writes ----------------------------------------------

    /** A 12-byte virtio_net_hdr (§5.1.6). */
    static byte[] header(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset, int buffers) {
        MemorySegment h = MemorySegment.ofArray(new byte[VirtioNetHeader.SIZE]);
        VirtioNetHeader.writeGso(h, 0, VirtioNetHeader.SIZE, buffers, csumStart, csumOffset, gsoType, hdrLen, gsoSize);
        h.set(ValueLayout.JAVA_BYTE, 0, (byte) flags);
        return h.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A header for a large IPv4 TCP segment as a back-end writes it: NEEDS_CSUM at the TCP header. */
    static byte[] tso4(int gsoSize, int buffers) {
        return header(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, TsoFixtures.V4_HEADERS, gsoSize, 34, 16,
                buffers);
    }

    /** A header for a packet without offloads spanning {@code buffers}. */
    static byte[] plain(int buffers) {
        return header(0, 0, 0, 0, 0, 0, buffers);
    }

    /** {@code hdr} then {@code packet}, cut into receive buffers of {@code size} bytes. */
    static byte[][] spread(byte[] hdr, byte[] packet, int size) {
        byte[] all = new byte[hdr.length + packet.length];
        System.arraycopy(hdr, 0, all, 0, hdr.length);
        System.arraycopy(packet, 0, all, hdr.length, packet.length);
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < all.length; at += size) {
            out.add(Arrays.copyOfRange(all, at, Math.min(all.length, at + size)));
        }
        return out.toArray(new byte[0][]);
    }

    /** How many receive buffers {@code bytes} (header included) take. */
    int buffersFor(int bytes) {
        return (bytes + config.bufferSize() - 1) / config.bufferSize();
    }

    /** A small Ethernet frame (EtherType 0x88b5) whose byte 14 is {@code tag}. */
    static byte[] small(int tag) {
        byte[] f = new byte[60];
        System.arraycopy(GUEST_MAC.toBytes(), 0, f, 0, 6);
        f[6] = 2;
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xb5;
        f[14] = (byte) tag;
        return f;
    }

    /** Delivers {@code small(tag)} in one buffer and checks it is the next frame the stack gets. */
    private void aGoodPacketStillArrives(int tag) throws Exception {
        host.deliver(spread(plain(1), small(tag), config.bufferSize()));
        assertArrayEquals(small(tag), received.nextFrame(), "the packet after");
        assertEquals("0/0", received.gso.poll(20, TimeUnit.SECONDS));
    }

    // ---- merged receive as it should be ---------------------------------------------------

    @Test
    void aLargeSegmentInMergedBuffersArrivesWhole() throws Exception {
        byte[] pkt = TsoFixtures.ipv4Packet(5000);
        int n = buffersFor(12 + pkt.length);
        host.deliver(spread(tso4(1448, n), pkt, config.bufferSize()));
        assertArrayEquals(pkt, received.nextFrame());
        assertEquals(Frame.GSO_TCPV4 + "/1448 partial at 34+16", received.gso.poll(20, TimeUnit.SECONDS));
        assertEquals("1/0", guest.details().get("rx: large segments passed whole / cut for want of a large frame"));
        // And a plain packet over two buffers, a plain one in one.
        byte[] twoBuffers = Arrays.copyOf(small(7), 1500);
        host.deliver(spread(plain(2), twoBuffers, 1000));
        assertArrayEquals(twoBuffers, received.nextFrame());
        assertEquals("0/0", received.gso.poll(20, TimeUnit.SECONDS));
        aGoodPacketStillArrives(8);
        assertEquals(0L, guest.details().get(BAD));
    }

    // ---- merged receive as a hostile back-end writes it -------------------------------------

    /** Each case: the buffers a lying back-end writes for one packet (given the front-end's buffer size). */
    static Stream<Arguments> lies() {
        byte[] pkt = TsoFixtures.ipv4Packet(3000);
        byte[] udp = pkt.clone();
        udp[14 + 9] = 17;
        return Stream.of(
                Arguments.of("num_buffers beyond what a packet may span", lie(size -> {
                    List<byte[]> b = new ArrayList<>(List.of(spread(plain(FrontendReceive.MAX_MERGED + 1), small(1),
                            size)));
                    for (int i = 1; i < FrontendReceive.MAX_MERGED; i++) {
                        b.add(small(100 + i)); // passed over: what the lie said follows, up to what may follow
                    }
                    return b.toArray(new byte[0][]);
                })),
                Arguments.of("a segmentation type never negotiated (UDP)", lie(size -> spread(
                        header(VirtioNetHeader.F_NEEDS_CSUM, 3, 42, 1448, 34, 6, count(pkt, size)), pkt, size))),
                Arguments.of("segmentation without NEEDS_CSUM", lie(size -> spread(
                        header(0, VirtioNetHeader.GSO_TCPV4, 66, 1448, 0, 0, count(pkt, size)), pkt, size))),
                Arguments.of("gso_size below 32", lie(size -> spread(tso4(16, count(pkt, size)), pkt, size))),
                Arguments.of("gso_size beyond the MTU", lie(size -> spread(tso4(9000, count(pkt, size)), pkt, size))),
                Arguments.of("a segment beyond what a large frame holds", lie(size -> {
                    byte[] big = TsoFixtures.ipv4Packet(70_000 - TsoFixtures.V4_HEADERS);
                    return spread(tso4(1448, count(big, size)), big, size);
                })),
                Arguments.of("a plain packet beyond the MTU", lie(size -> spread(plain(2), new byte[size + 200], size))),
                Arguments.of("checksum offsets outside the packet", lie(size -> spread(
                        header(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 3000, 16, 2), Arrays.copyOf(small(1), 1500), 1000))),
                Arguments.of("segmentation of a packet that is not TCP",
                        lie(size -> spread(tso4(1448, count(udp, size)), udp, size))),
                Arguments.of("more pieces than a batch holds", lie(size -> {
                    byte[] many = TsoFixtures.ipv4Packet(300 * 32);
                    return spread(tso4(32, count(many, size)), many, size);
                })));
    }

    /** The receive buffers of {@code size} a packet and its header take. */
    static int count(byte[] packet, int size) {
        return (VirtioNetHeader.SIZE + packet.length + size - 1) / size;
    }

    static IntFunction<byte[][]> lie(IntFunction<byte[][]> f) {
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lies")
    void aLyingMergedPacketIsDroppedAndCountedAndTheNextArrives(String what, IntFunction<byte[][]> lie)
            throws Exception {
        byte[][] buffers = lie.apply(config.bufferSize());
        host.deliver(buffers);
        aGoodPacketStillArrives(42);
        assertNull(received.frames.poll(), "nothing else got through");
        assertEquals(1L, guest.details().get(BAD), what);
        assertEquals("0/0", guest.details().get("resets: ring rules/protocol"));
        assertTrue(received.carrier.isEmpty(), "the link stayed up");
    }

    @Test
    void aUsedLengthBeyondTheBufferResetsTheLinkAndSaysWhy() throws Exception {
        host.deliverOverlong(spread(plain(1), small(1), config.bufferSize())[0]);
        // Before it takes back the frames on its rings, the front-end has the back-end stop them.
        assertEquals(List.of(0, 1), host.answerStopRings());
        assertEquals(Boolean.FALSE, received.carrier.poll(20, TimeUnit.SECONDS), "carrier down");
        assertTrue(received.messages.stream().anyMatch(m -> m.contains("exceeds the posted length")
                && m.endsWith("link reset")), "events " + received.messages);
        assertEquals("1/0", guest.details().get("resets: ring rules/protocol"));
        // The link only: a correct back-end gets a working link.
        host.close();
        connect();
        aGoodPacketStillArrives(2);
    }

    /**
     * A closing front-end asks its back-end to stop both rings before it takes
     * back the frames on them; one that does not answer keeps them (it maps
     * them and may still write them), and the front-end says so.
     */
    @Test
    void framesOnTheRingsAreLeftWithABackEndThatDoesNotStopThem() throws Exception {
        int onRing = pool.capacity() - pool.available();
        assertEquals(pool.capacity() / 4, onRing, "a quarter of the pool on the receive ring");
        guest.close(); // the scripted back-end reads no more messages: the front-end waits STOP_MILLIS for it
        assertTrue(received.messages.contains("back-end did not stop its rings: " + onRing + " frames left with it"),
                "events " + received.messages);
        assertEquals(pool.capacity() - onRing, pool.available(), "frames the back-end may still write were reused");
        // Gone from the pool for good: netstat -m counts them on the link's rings, not as the stack's, and
        // the loans keep them, so later rings lend no more than what is left.
        assertEquals(onRing, guest.framesOnRings());
        assertEquals(onRing, RingLoans.of(pool).lent());
        withheld = onRing;
    }

    @Test
    void framesOnTheRingsComeBackOnceTheBackEndStoppedThem() throws Exception {
        Thread answering = Thread.ofVirtual().start(() -> {
            try {
                host.answerStopRings();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        guest.close();
        answering.join();
        assertEquals(pool.capacity(), pool.available());
        assertTrue(received.messages.stream().noneMatch(m -> m.contains("left with it")), "events " + received.messages);
    }

    // ---- transmit under a back-end that holds its buffers ------------------------------------

    /** {@code pkt} in a large frame as the stack's TCP hands it over: checksum partial at the TCP header, TSO. */
    private Frame largeSegment(byte[] pkt) {
        Frame f = large.take();
        MemorySegment.copy(pkt, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), pkt.length);
        f.length(pkt.length);
        f.checksumPartial(34, 16);
        f.segmentation(Frame.GSO_TCPV4, 1448);
        return f;
    }

    /**
     * Sent from the worker (as TCP answers from the receive path), a large
     * segment that finds all 16 large buffers in flight goes in MTU-sized
     * pieces through ordinary buffers rather than wait: the worker must not
     * block on a back-end that may be waiting for it.
     */
    @Test
    void aLargeSegmentSentByTheWorkerWhenEveryLargeBufferIsHeldGoesInPieces() throws Exception {
        int segments = FrontendTransmit.LARGE_TX_BUFFERS + 1;
        byte[] pkt = TsoFixtures.ipv4Packet(3000);
        int[] sent = {-1};
        received.onReceive = b -> {
            FrameBatch out = new FrameBatch();
            for (int i = 0; i < segments; i++) {
                out.add(largeSegment(pkt));
            }
            sent[0] = guest.transmit(out);
            received.onReceive = x -> { };
        };
        host.deliver(spread(plain(1), small(1), config.bufferSize()));
        received.nextFrame();
        List<byte[]> chains = host.take(FrontendTransmit.LARGE_TX_BUFFERS + 3);
        assertEquals(segments, sent[0]);
        for (int i = 0; i < FrontendTransmit.LARGE_TX_BUFFERS; i++) {
            MemorySegment c = MemorySegment.ofArray(chains.get(i));
            assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(c, 0), "chain " + i + " whole");
            assertArrayEquals(pkt, Arrays.copyOfRange(chains.get(i), 12, chains.get(i).length));
        }
        long seq = TsoFixtures.u32(pkt, 38);
        int payload = 0;
        for (int k = 0; k < 3; k++) {
            byte[] c = chains.get(FrontendTransmit.LARGE_TX_BUFFERS + k);
            MemorySegment h = MemorySegment.ofArray(c);
            assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(h, 0), "piece " + k);
            assertEquals(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.flags(h, 0));
            assertEquals(34, VirtioNetHeader.csumStart(h, 0));
            byte[] piece = Arrays.copyOfRange(c, 12, c.length);
            assertTrue(piece.length <= LinkOptions.DEFAULT_MTU, "piece " + k + " of " + piece.length);
            assertEquals(piece.length - 14, TsoFixtures.u16(piece, 16), "IPv4 total length");
            assertEquals(seq + payload, TsoFixtures.u32(piece, 38), "sequence number of piece " + k);
            assertArrayEquals(Arrays.copyOfRange(pkt, TsoFixtures.V4_HEADERS + payload,
                    TsoFixtures.V4_HEADERS + payload + piece.length - TsoFixtures.V4_HEADERS),
                    Arrays.copyOfRange(piece, TsoFixtures.V4_HEADERS, piece.length));
            payload += piece.length - TsoFixtures.V4_HEADERS;
        }
        assertEquals(3000, payload);
        assertFalse(host.transmitPending(), "nothing more");
        assertEquals(FrontendTransmit.LARGE_TX_BUFFERS + "/1",
                guest.details().get("tx: large segments handed whole / sent in pieces for want of a large buffer"));
        // Buffers back: the next large segment goes whole again.
        host.giveBack();
        received.onReceive = b -> {
            FrameBatch out = new FrameBatch();
            out.add(largeSegment(pkt));
            guest.transmit(out);
            received.onReceive = x -> { };
        };
        host.deliver(spread(plain(1), small(2), config.bufferSize()));
        received.nextFrame();
        byte[] again = host.take(1).getFirst();
        assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(MemorySegment.ofArray(again), 0));
        host.giveBack();
    }
}
