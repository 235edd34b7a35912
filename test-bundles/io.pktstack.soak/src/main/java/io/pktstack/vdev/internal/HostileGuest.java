package io.pktstack.vdev.internal;

import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.hostio.UnixSocket;
import io.pktstack.vdev.DriverQueue;
import io.pktstack.vdev.VirtioNetHeader;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A hostile guest as a process: a vhost-user front-end that listens at a
 * guest's node as a pktstack guest or a VM's QEMU does, takes each
 * connection the host's back-end makes, sets the link up correctly (so it
 * carries traffic), and then breaks one rule: a message of the wrong size, a
 * descriptor too many or missing or of the wrong kind, memory regions that
 * overlap or lie beyond their file, rings outside its memory, an available
 * index that jumps, buffers outside its memory or in a loop, a receive
 * buffer outside its memory, its memory file truncated under the host's
 * mapping, garbage over its rings. Then it waits for the host to reset the
 * link and takes the next connection, round after round.
 *
 * <pre>HostileGuest NODE ROUNDS [PAUSE_MS] [ADDRESS]</pre>
 *
 * (ADDRESS: an IPv4 address in the segment that answers ARP, the host's
 * bridge address, so that frames come to the guest's receive ring.)
 *
 * Prints {@code round N ABUSE reset} (the host closed the connection) or
 * {@code round N ABUSE kept} (it did not within 15 s) per round, then
 * {@code done}.
 */
public final class HostileGuest {

    /** The rules broken, one per round, in turn. */
    enum Abuse {
        SHORT_PAYLOAD, EXTRA_DESCRIPTOR, SOCKET_AS_EVENTFD, OVERLAPPING_REGIONS, REGION_BEYOND_FILE,
        RING_OUTSIDE_MEMORY, AVAIL_INDEX_JUMP, BUFFER_OUTSIDE_MEMORY, BUFFER_LOOP, RECEIVE_BUFFER_OUTSIDE,
        TRUNCATED_MEMORY, GARBAGE_OVER_RINGS, BAD_VERSION, HUGE_SIZE
    }

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int N = 64;

    private final Arena arena = Arena.ofShared();
    private final EventFd wake = EventFd.create();
    private final VhostMessage msg = new VhostMessage(arena);
    private MessageChannel channel;
    private DriverRegion region;
    private DriverQueue rxq;
    private DriverQueue txq;
    private final EventFd[] kicks = new EventFd[2];
    private final EventFd[] calls = new EventFd[2];
    /** An IPv4 address in the segment whose owner answers an ARP request (the host's bridge address). */
    private final byte[] askFor;

    private HostileGuest(byte[] askFor) throws HostIoException {
        this.askFor = askFor;
    }

    public static void main(String[] args) throws Exception {
        Path node = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        long pause = args.length > 2 ? Long.parseLong(args[2]) : 300;
        byte[] askFor = java.net.InetAddress.ofLiteral(args.length > 3 ? args[3] : "10.0.0.1").getAddress();
        Files.createDirectories(node.getParent());
        Files.deleteIfExists(node);
        HostileGuest g = new HostileGuest(askFor);
        try (UnixSocket listen = UnixSocket.listen(node, PosixFilePermissions.fromString("rw-------"))) {
            System.out.println("listening " + node);
            for (int round = 0; round < rounds; round++) {
                Abuse abuse = Abuse.values()[round % Abuse.values().length];
                UnixSocket s = accept(listen);
                g.channel = new MessageChannel(s, g.wake);
                String outcome;
                try {
                    g.setUp();
                    Thread.sleep(pause); // the link runs: the host bridges to and from it
                    g.abuse(abuse);
                    outcome = g.closedByHost() ? "reset" : "kept";
                } catch (HostIoException | MessageChannel.PeerClosed e) {
                    outcome = "reset"; // the host closed while we were still talking
                }
                g.close();
                System.out.println("round " + round + " " + abuse + " " + outcome);
                System.out.flush();
            }
        }
        System.out.println("done");
    }

    private static UnixSocket accept(UnixSocket listen) throws Exception {
        try (Poller p = new Poller(1)) {
            p.set(0, listen.fd());
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                p.poll(1, 1000);
                UnixSocket s = listen.accept();
                if (s != null) {
                    return s;
                }
            }
        }
        throw new IllegalStateException("the host did not connect within 60 s");
    }

    private VhostMessage start(int request) {
        return msg.start(request, VhostUser.VERSION);
    }

    private void send() throws HostIoException {
        channel.write(msg);
    }

    /** Sends and waits for the u64 answer (a GET_* or a REPLY_ACK). */
    private long ask() throws Exception {
        msg.buf.set(U32, 4, msg.flags() | VhostUser.FLAG_NEED_REPLY);
        channel.write(msg);
        if (!channel.read(msg, 10_000)) {
            throw new IllegalStateException("no reply to " + msg);
        }
        msg.closeUntakenFds();
        return msg.u64(0);
    }

    /** What a correct front-end does: features, memory, both rings with eventfds, enabled; receive buffers posted. */
    private void setUp() throws Exception {
        long offered = ask0(start(VhostUser.GET_FEATURES));
        long pf = ask0(start(VhostUser.GET_PROTOCOL_FEATURES)) & ~VirtioNetFeatures.bit(VhostUser.PROTOCOL_F_CONFIG);
        start(VhostUser.SET_PROTOCOL_FEATURES).putU64(pf);
        send();
        start(VhostUser.SET_OWNER);
        ask();
        start(VhostUser.SET_FEATURES).putU64(offered & ~VirtioNetFeatures.bit(VirtioNetFeatures.MRG_RXBUF)
                & ~VirtioNetFeatures.bit(VirtioNetFeatures.RING_EVENT_IDX));
        ask();
        region = new DriverRegion("hostile-guest", N, 2048, false);
        MemoryTable.write(start(VhostUser.SET_MEM_TABLE), region.memory(), 0);
        ask();
        rxq = new DriverQueue(region.segment(), region.rxQueue(), false);
        txq = new DriverQueue(region.segment(), region.txQueue(), false);
        for (int i = 0; i < N; i++) {
            rxq.post(i, region.rxBuffer(i), region.bufferSize(), true);
        }
        rxq.publish();
        ring(0, region.rxQueue());
        ring(1, region.txQueue());
    }

    private long ask0(VhostMessage m) throws Exception {
        return ask();
    }

    private void ring(int i, VirtqueueLayout l) throws Exception {
        kicks[i] = EventFd.create();
        calls[i] = EventFd.create();
        start(VhostUser.SET_VRING_NUM).putU32(i).putU32(l.queueSize());
        ask();
        start(VhostUser.SET_VRING_BASE).putU32(i).putU32(0);
        ask();
        start(VhostUser.SET_VRING_ADDR).putU32(i).putU32(0).putU64(region.userAddress(l.descTable()))
                .putU64(region.userAddress(l.usedRing())).putU64(region.userAddress(l.availRing())).putU64(0);
        ask();
        start(VhostUser.SET_VRING_CALL).putU64(i).attach(calls[i].fd());
        ask();
        start(VhostUser.SET_VRING_KICK).putU64(i).attach(kicks[i].fd());
        ask();
        start(VhostUser.SET_VRING_ENABLE).putU32(i).putU32(1);
        ask();
    }

    private void abuse(Abuse a) throws Exception {
        MemorySegment mem = region.segment();
        VirtqueueLayout tx = region.txQueue();
        switch (a) {
            case SHORT_PAYLOAD -> {
                start(VhostUser.SET_FEATURES).putU32(1);
                send();
            }
            case EXTRA_DESCRIPTOR -> {
                start(VhostUser.GET_FEATURES).attach(calls[0].fd());
                send();
            }
            case SOCKET_AS_EVENTFD -> {
                start(VhostUser.SET_VRING_CALL).putU64(0).attach(channel.socket().fd());
                send();
            }
            case OVERLAPPING_REGIONS -> {
                long size = region.memory().size();
                start(VhostUser.SET_MEM_TABLE).putU32(2).putU32(0)
                        .putU64(0).putU64(size).putU64(region.userAddress(0)).putU64(0)
                        .putU64(4096).putU64(size - 4096).putU64(region.userAddress(0) + 0x1000_0000L).putU64(0)
                        .attach(region.memory().fd()).attach(region.memory().fd());
                send();
            }
            case REGION_BEYOND_FILE -> {
                start(VhostUser.SET_MEM_TABLE).putU32(1).putU32(0).putU64(0).putU64(region.memory().size())
                        .putU64(region.userAddress(0)).putU64(1 << 20).attach(region.memory().fd());
                send();
            }
            case RING_OUTSIDE_MEMORY -> {
                start(VhostUser.GET_VRING_BASE).putU32(1).putU32(0); // stop ring 1, then give it addresses outside
                ask();
                start(VhostUser.SET_VRING_ADDR).putU32(1).putU32(0).putU64(1L << 44).putU64(1L << 44)
                        .putU64(1L << 44).putU64(0);
                send();
                start(VhostUser.SET_VRING_KICK).putU64(1).attach(kicks[1].fd());
                send();
            }
            case AVAIL_INDEX_JUMP -> {
                mem.set(U16, tx.availIdx(), (short) (N * 3));
                kicks[1].signal();
            }
            case BUFFER_OUTSIDE_MEMORY -> {
                txq.post(0, 1L << 40, 100, false);
                txq.publish();
                kicks[1].signal();
            }
            case BUFFER_LOOP -> {
                long d = tx.descriptor(3);
                mem.set(U64, d, region.txBuffer(3));
                mem.set(U32, d + 8, 64);
                mem.set(U16, d + 12, (short) VirtqueueLayout.VIRTQ_DESC_F_NEXT);
                mem.set(U16, d + 14, (short) 3);
                mem.set(U16, tx.availEntry(0), (short) 3);
                mem.set(U16, tx.availIdx(), (short) 1);
                kicks[1].signal();
            }
            case RECEIVE_BUFFER_OUTSIDE -> {
                for (int i = 0; i < N; i++) {
                    mem.set(U64, region.rxQueue().descriptor(i), 1L << 40);
                }
                broadcast(); // the host's flooding and the answers come to our receive ring
            }
            case TRUNCATED_MEMORY -> {
                region.memory().truncate(0);
                kicks[1].signal();
            }
            case GARBAGE_OVER_RINGS -> {
                byte[] junk = new byte[(int) region.txBuffer(0)];
                new java.util.Random(7).nextBytes(junk);
                MemorySegment.copy(junk, 0, mem, ValueLayout.JAVA_BYTE, 0, junk.length);
                kicks[1].signal();
            }
            case BAD_VERSION -> {
                msg.start(VhostUser.GET_FEATURES, 2);
                send();
            }
            default -> { // HUGE_SIZE: a header announcing 1 MiB of payload
                start(VhostUser.SET_FEATURES);
                msg.buf.set(U32, 8, 1 << 20);
                channel.socket().send(msg.buf, VhostUser.HEADER_SIZE, msg.fds, 0, 1000);
            }
        }
    }

    /** Transmits a broadcast ARP request for {@link #askFor}: the owner answers to our receive ring. */
    private void broadcast() throws HostIoException {
        MemorySegment mem = region.segment();
        long at = region.txBuffer(5);
        VirtioNetHeader.write(mem, at, 12, 0);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(60);
        b.putInt(-1).putShort((short) -1).putInt(0x02aabbcc).putShort((short) 0xdd01).putShort((short) 0x0806)
                .putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .putInt(0x02aabbcc).putShort((short) 0xdd01).put(askFor, 0, 3).put((byte) 254)
                .putInt(0).putShort((short) 0).put(askFor);
        byte[] arp = b.array();
        MemorySegment.copy(arp, 0, mem, ValueLayout.JAVA_BYTE, at + 12, arp.length);
        txq.post(5, at, 12 + 60, false);
        txq.publish();
        kicks[1].signal();
    }

    /** Whether the host closed the connection within 15 s (what a broken rule gets). */
    private boolean closedByHost() throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (channel.read(msg, 200)) {
                    msg.closeUntakenFds();
                }
            } catch (MessageChannel.PeerClosed | HostIoException e) {
                return true;
            } catch (ProtocolViolation e) {
                return true; // it answered something we do not take: it is on its way out
            }
        }
        return false;
    }

    private void close() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        for (EventFd[] fds : new EventFd[][] {kicks, calls}) {
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] != null) {
                    fds[i].close();
                    fds[i] = null;
                }
            }
        }
        if (region != null) {
            region.close();
            region = null;
        }
    }
}
