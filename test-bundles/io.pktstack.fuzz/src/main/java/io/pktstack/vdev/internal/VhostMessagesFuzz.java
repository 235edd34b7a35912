package io.pktstack.vdev.internal;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.fuzz.FuzzInput;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.SharedMemory;
import io.pktstack.hostio.UnixSocket;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import io.pktstack.vdev.VirtqueueLayout;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz target {@code vhost-messages}: a vhost-user back-end ({@link
 * BackendSession}) against a front-end the fuzzer plays. The fuzzer's
 * messages (any request, flags and size, payloads laid out as the protocol
 * has them around its choices or raw, descriptors of the right or wrong kind
 * and number: eventfds, memory files, sockets) are written to a socket pair,
 * sometimes after a correct set-up, with the guest's transmit ring in its
 * memory written too; then the session runs on this thread until the
 * front-end's end of stream. A broken rule must end the session, never
 * throw out of it; and afterwards no descriptor is left open and every
 * frame is back in the pool.
 */
public final class VhostMessagesFuzz {

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int[] REQUESTS = {VhostUser.GET_FEATURES, VhostUser.SET_FEATURES, VhostUser.SET_OWNER,
        VhostUser.RESET_OWNER, VhostUser.SET_MEM_TABLE, VhostUser.SET_LOG_BASE, VhostUser.SET_LOG_FD,
        VhostUser.SET_VRING_NUM, VhostUser.SET_VRING_ADDR, VhostUser.SET_VRING_BASE, VhostUser.GET_VRING_BASE,
        VhostUser.SET_VRING_KICK, VhostUser.SET_VRING_CALL, VhostUser.SET_VRING_ERR, VhostUser.GET_PROTOCOL_FEATURES,
        VhostUser.SET_PROTOCOL_FEATURES, VhostUser.GET_QUEUE_NUM, VhostUser.SET_VRING_ENABLE, VhostUser.SEND_RARP,
        VhostUser.NET_SET_MTU, VhostUser.SET_BACKEND_REQ_FD, VhostUser.GET_CONFIG, VhostUser.SET_CONFIG,
        VhostUser.RESET_DEVICE, VhostUser.SET_STATUS, VhostUser.GET_STATUS};
    static final int N = 16;
    /** Prints what the front-end sends ({@code -Dpktstack.fuzz.trace=true}), to read a reproducer. */
    static final boolean TRACE = Boolean.getBoolean("pktstack.fuzz.trace");
    static final int MEMORY = 64 * 1024;
    static final long TX = 1024;
    static final long BUFFERS = 4096;

    private static final FramePool POOL = new FramePool(512, FramePool.DEFAULT_SLOT_SIZE);
    private static Endpoint endpoint;
    private static EventFd wake;
    private static EndpointConfig config;

    /** What the session tells its link: frames are released at once. */
    private static final LinkListener SINK = new LinkListener() {
        @Override
        public void up(MacAddress peerMac) {
        }

        @Override
        public void down(String reason) {
        }

        @Override
        public void received(FrameBatch batch) {
            batch.releaseAll();
        }

        @Override
        public void event(String message) {
        }
    };

    private VhostMessagesFuzz() {
    }

    /** One endpoint for every input: the session only uses its wake-up and listening descriptors. */
    public static void fuzzerInitialize() throws IOException {
        Path dir = Files.createTempDirectory("pktstack-fuzz-vhost");
        dir.toFile().deleteOnExit();
        config = new EndpointConfig("/dev/vdevpeers/vp0", dir.resolve("vp0"), "/dev/qvm/g/p2p", dir.resolve("p2p"),
                false, MacAddress.parse("02:00:00:00:00:01"), LinkOptions.DEFAULT_MTU, false, LinkOptions.QUEUE_SIZE,
                "rw-------", LinkOptions.ALL_FEATURES);
        endpoint = new Endpoint(config);
        wake = EventFd.create();
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        if (endpoint == null) {
            fuzzerInitialize();
        }
        FuzzInput in = new FuzzInput(data);
        long fdsBefore = openFds();
        List<AutoCloseable> mine = new ArrayList<>();
        UnixSocket[] pair = UnixSocket.pair();
        SharedMemory guest = SharedMemory.create("fuzz-guest", MEMORY, false);
        mine.add(guest);
        try (Arena arena = Arena.ofConfined()) {
            VhostMessage m = new VhostMessage(arena);
            Script s = new Script(pair[0], m, guest, mine);
            if (in.bool()) {
                s.setUp(in);
            }
            int count = 0;
            while (in.hasMore() && count++ < 24) {
                s.message(in);
            }
            if (in.remaining() == 0) {
                s.txRing(data); // a guest transmit ring whose contents are this input's bytes again
            }
            pair[0].shutdownOutput();
            try (MessageChannel channel = new MessageChannel(pair[1], wake)) {
                new BackendSession(config, channel, endpoint, POOL, SINK, new LinkCounters()).run();
            }
            wake.drain(); // a session that found its guest's ring broken woke the endpoint
        } finally {
            pair[0].close();
            for (AutoCloseable c : mine) {
                c.close();
            }
        }
        long fdsAfter = openFds();
        if (fdsAfter != fdsBefore) {
            throw new AssertionError((fdsAfter - fdsBefore) + " descriptors left open by the session");
        }
        if (POOL.available() != POOL.capacity()) {
            throw new AssertionError((POOL.capacity() - POOL.available()) + " frames not back in the pool");
        }
    }

    static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** The front-end's side: builds and sends messages. */
    private static final class Script {
        final UnixSocket socket;
        final VhostMessage m;
        final SharedMemory guest;
        final List<AutoCloseable> mine;
        final VirtqueueLayout rx = VirtqueueLayout.of(N, 0);
        final VirtqueueLayout tx = VirtqueueLayout.of(N, TX);

        Script(UnixSocket socket, VhostMessage m, SharedMemory guest, List<AutoCloseable> mine) {
            this.socket = socket;
            this.m = m;
            this.guest = guest;
            this.mine = mine;
        }

        void send() throws HostIoException {
            if (TRACE) {
                System.err.println("send " + m + " payload " + java.util.HexFormat.of().formatHex(
                        m.buf.asSlice(VhostUser.HEADER_SIZE, Math.min(m.size(), 48)).toArray(ValueLayout.JAVA_BYTE)));
            }
            socket.send(m.buf, m.length(), m.fds, m.fdCount, 1000);
        }

        VhostMessage start(int request, int flags) {
            return m.start(request, flags);
        }

        int eventFd() throws HostIoException {
            EventFd e = EventFd.create();
            mine.add(e);
            return e.fd();
        }

        /** A correct set-up: what QEMU sends, so the fuzzer's messages act on a running link. */
        void setUp(FuzzInput in) throws HostIoException {
            long features = BackendSession.OFFERED & (in.bool() ? -1L : ~VirtioNetFeatures.bit(VirtioNetFeatures.MRG_RXBUF));
            send0(start(VhostUser.GET_FEATURES, VhostUser.VERSION));
            send0(start(VhostUser.GET_PROTOCOL_FEATURES, VhostUser.VERSION));
            send0(start(VhostUser.SET_PROTOCOL_FEATURES, VhostUser.VERSION).putU64(BackendSession.PROTOCOL_OFFERED));
            send0(start(VhostUser.SET_OWNER, VhostUser.VERSION));
            send0(start(VhostUser.SET_FEATURES, VhostUser.VERSION).putU64(features));
            send0(memTable(start(VhostUser.SET_MEM_TABLE, VhostUser.VERSION), 0, 0, MEMORY));
            ring(0, rx);
            ring(1, tx);
        }

        private void send0(VhostMessage msg) throws HostIoException {
            send();
        }

        private void ring(int i, VirtqueueLayout l) throws HostIoException {
            start(VhostUser.SET_VRING_NUM, VhostUser.VERSION).putU32(i).putU32(N);
            send();
            start(VhostUser.SET_VRING_BASE, VhostUser.VERSION).putU32(i).putU32(0);
            send();
            start(VhostUser.SET_VRING_ADDR, VhostUser.VERSION).putU32(i).putU32(0).putU64(user(l.descTable()))
                    .putU64(user(l.usedRing())).putU64(user(l.availRing())).putU64(0);
            send();
            start(VhostUser.SET_VRING_CALL, VhostUser.VERSION).putU64(i).attach(eventFd());
            send();
            start(VhostUser.SET_VRING_KICK, VhostUser.VERSION).putU64(i).attach(eventFd());
            send();
            start(VhostUser.SET_VRING_ENABLE, VhostUser.VERSION).putU32(i).putU32(1);
            send();
        }

        long user(long offset) {
            return guest.segment().address() + offset;
        }

        VhostMessage memTable(VhostMessage msg, long gpa, long fileOffset, long size) {
            return msg.putU32(1).putU32(0).putU64(gpa).putU64(size).putU64(guest.segment().address() + fileOffset)
                    .putU64(fileOffset).attach(guest.fd());
        }

        /** One message of the fuzzer's making. */
        void message(FuzzInput in) throws HostIoException {
            int req = (in.u8() & 15) == 0 ? in.u32() : REQUESTS[in.intIn(0, REQUESTS.length - 1)];
            int flags = switch (in.u8() & 15) {
                case 0 -> in.u32();
                case 1 -> VhostUser.VERSION | VhostUser.FLAG_REPLY;
                case 2, 3, 4 -> VhostUser.VERSION | VhostUser.FLAG_NEED_REPLY;
                default -> VhostUser.VERSION;
            };
            start(req, flags);
            int ring = (in.u8() & 7) == 0 ? in.u32() : in.intIn(0, 1);
            switch ((in.u8() & 7) == 0 ? -1 : req) {
                case VhostUser.SET_FEATURES, VhostUser.SET_PROTOCOL_FEATURES, VhostUser.SET_STATUS ->
                        m.putU64(in.bool() ? BackendSession.OFFERED & in.u64() : in.u64());
                case VhostUser.SET_MEM_TABLE -> {
                    int n = in.intIn(0, 3);
                    m.putU32((in.u8() & 7) == 0 ? in.u32() : n).putU32(0);
                    for (int i = 0; i < n; i++) {
                        long gpa = in.bool() ? 0x1000_0000L * i : in.u64();
                        long size = in.pickInt(MEMORY, MEMORY / 2, 4096, 0) + (in.bool() ? 0 : in.u32());
                        long offset = in.bool() ? 0 : in.intIn(0, MEMORY * 2);
                        m.putU64(gpa).putU64(size).putU64(guest.segment().address() + offset + 0x100000L * i)
                                .putU64(offset);
                    }
                    attachFds(in, n);
                }
                case VhostUser.SET_VRING_NUM, VhostUser.SET_VRING_BASE, VhostUser.SET_VRING_ENABLE ->
                        m.putU32(ring).putU32(in.pickInt(N, 0, 1, 256, 32768, 65536, in.u32()));
                case VhostUser.SET_VRING_ADDR -> {
                    VirtqueueLayout l = ring == 0 ? rx : tx;
                    m.putU32(ring).putU32(in.bool() ? 0 : in.u32());
                    m.putU64(address(in, l.descTable())).putU64(address(in, l.usedRing()))
                            .putU64(address(in, l.availRing())).putU64(in.bool() ? 0 : in.u64());
                }
                case VhostUser.GET_VRING_BASE -> m.putU32(ring).putU32(0);
                case VhostUser.SET_VRING_KICK, VhostUser.SET_VRING_CALL, VhostUser.SET_VRING_ERR -> {
                    boolean nofd = (in.u8() & 7) == 0;
                    m.putU64((ring & 0xffL) | (nofd ? VhostUser.VRING_NOFD : 0) | ((in.u8() & 15) == 0 ? in.u64() : 0));
                    attachFds(in, nofd ? 0 : 1);
                }
                case VhostUser.GET_CONFIG, VhostUser.SET_CONFIG -> {
                    int size = in.pickInt(6, 12, 0, in.u8());
                    m.putU32(in.pickInt(0, 6, in.u32())).putU32(size).putU32(0);
                    m.putBytes(in.bytes(Math.min(size, 256)));
                }
                default -> m.putBytes(in.bytes(64)); // raw: whatever the fuzzer has
            }
            if ((in.u8() & 15) == 0) {
                m.buf.set(U32, 8, Math.min(in.u32() & 0xffff, m.size())); // a size that lies short
            }
            send();
        }

        /** Descriptors for a message: the right kind, another kind, or a wrong number of them. */
        private void attachFds(FuzzInput in, int wanted) throws HostIoException {
            int n = (in.u8() & 7) == 0 ? in.intIn(0, 3) : wanted;
            for (int i = 0; i < n; i++) {
                switch (in.u8() & 3) {
                    case 0 -> m.attach(guest.fd());
                    case 1 -> m.attach(socket.fd()); // a socket where a file or an eventfd belongs
                    default -> m.attach(eventFd());
                }
            }
        }

        private long address(FuzzInput in, long offset) {
            return switch (in.u8() & 7) {
                case 0 -> in.u64();
                case 1 -> user(MEMORY - in.intIn(0, 64));
                default -> user(offset);
            };
        }

        /** The guest's transmit ring and buffers filled from the input's bytes, for the data path. */
        void txRing(byte[] bytes) {
            MemorySegment mem = guest.segment();
            int n = Math.min(bytes.length, MEMORY - (int) TX);
            MemorySegment.copy(bytes, 0, mem, ValueLayout.JAVA_BYTE, TX, n);
        }
    }
}
