package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.hostio.SharedMemory;
import io.pktstack.hostio.UnixSocket;
import io.pktstack.vdev.DriverQueue;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A vhost-user front-end for tests that says exactly what it is told to,
 * rules broken included: it listens at a guest's node, takes the back-end's
 * connection, and sends raw messages; {@link #setUp()} does what a correct
 * front-end does (with its rings in a memfd), so a test can then break a ring
 * rule by writing the memory directly.
 */
final class ScriptedFrontEnd implements AutoCloseable {

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final Arena arena = Arena.ofShared();
    final UnixSocket listen;
    final EventFd wake = EventFd.create();
    final VhostMessage msg = new VhostMessage(arena);
    MessageChannel channel;
    DriverRegion region;
    DriverQueue rxq;
    DriverQueue txq;
    final EventFd[] kicks = new EventFd[2];
    final EventFd[] calls = new EventFd[2];
    /** Whether the memory set up next is sealed against resizing (a hostile guest's is not). */
    boolean sealed = true;

    ScriptedFrontEnd(Path node) throws Exception {
        java.nio.file.Files.createDirectories(node.getParent());
        listen = UnixSocket.listen(node, PosixFilePermissions.fromString("rw-------"));
    }

    /** Waits for the back-end to connect. */
    ScriptedFrontEnd accept() throws Exception {
        try (Poller p = new Poller(1)) {
            p.set(0, listen.fd());
            assertEquals(1, p.poll(1, 20_000), "the back-end did not connect");
        }
        channel = new MessageChannel(listen.accept(), wake);
        return this;
    }

    VhostMessage start(int request) {
        return msg.start(request, VhostUser.VERSION);
    }

    void send(VhostMessage m) throws HostIoException {
        channel.write(m);
    }

    /** Sends and waits for a u64 reply (GET_* or REPLY_ACK). */
    long ask(VhostMessage m) throws Exception {
        m.buf.set(U32, 4, m.flags() | VhostUser.FLAG_NEED_REPLY);
        channel.write(m);
        assertTrue(channel.read(msg, 10_000), "no reply");
        msg.closeUntakenFds();
        return msg.u64(0);
    }

    /** Whether the back-end closed the connection within 20 s (what a broken rule gets). */
    boolean closedByBackEnd() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (channel.read(msg, 200)) {
                    msg.closeUntakenFds();
                }
            } catch (MessageChannel.PeerClosed | HostIoException e) {
                return true;
            }
        }
        return false;
    }

    /** A correct set-up: features, memory, both rings with eventfds, enabled. */
    void setUp(long features) throws Exception {
        closeRings(); // a second set-up after a reset starts afresh
        assertEquals(BackendSession.OFFERED, ask(start(VhostUser.GET_FEATURES)));
        long pf = ask(start(VhostUser.GET_PROTOCOL_FEATURES)) & ~VirtioNetFeatures.bit(VhostUser.PROTOCOL_F_CONFIG);
        send(start(VhostUser.SET_PROTOCOL_FEATURES).putU64(pf));
        assertEquals(0, ask(start(VhostUser.SET_OWNER)));
        assertEquals(0, ask(start(VhostUser.SET_FEATURES).putU64(features)));
        region = new DriverRegion("scripted", 16, 2048, sealed);
        VhostMessage m = start(VhostUser.SET_MEM_TABLE);
        MemoryTable.write(m, region.memory(), 0);
        assertEquals(0, ask(m));
        boolean eventIdx = VirtioNetFeatures.has(features, VirtioNetFeatures.RING_EVENT_IDX);
        rxq = new DriverQueue(region.segment(), region.rxQueue(), eventIdx);
        txq = new DriverQueue(region.segment(), region.txQueue(), eventIdx);
        for (int i = 0; i < 16; i++) {
            rxq.post(i, region.rxBuffer(i), region.bufferSize(), true);
        }
        rxq.publish();
        ring(0, region.rxQueue());
        ring(1, region.txQueue());
    }

    private void ring(int i, VirtqueueLayout l) throws Exception {
        kicks[i] = EventFd.create();
        calls[i] = EventFd.create();
        assertEquals(0, ask(start(VhostUser.SET_VRING_NUM).putU32(i).putU32(l.queueSize())));
        assertEquals(0, ask(start(VhostUser.SET_VRING_BASE).putU32(i).putU32(0)));
        assertEquals(0, ask(start(VhostUser.SET_VRING_ADDR).putU32(i).putU32(0).putU64(region.userAddress(l.descTable()))
                .putU64(region.userAddress(l.usedRing())).putU64(region.userAddress(l.availRing())).putU64(0)));
        assertEquals(0, ask(start(VhostUser.SET_VRING_CALL).putU64(i).attach(calls[i].fd())));
        assertEquals(0, ask(start(VhostUser.SET_VRING_KICK).putU64(i).attach(kicks[i].fd())));
        assertEquals(0, ask(start(VhostUser.SET_VRING_ENABLE).putU32(i).putU32(1)));
    }

    MemorySegment memory() {
        return region.segment();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close();
        }
        closeRings();
        listen.close();
        wake.close();
        arena.close();
    }

    private void closeRings() {
        closeAll(kicks);
        closeAll(calls);
        if (region != null) {
            region.close();
            region = null;
        }
        java.util.Arrays.fill(kicks, null);
        java.util.Arrays.fill(calls, null);
    }

    /** Closes each eventfd that is there. */
    static void closeAll(EventFd[] fds) {
        for (EventFd e : fds) {
            if (e != null) {
                e.close();
            }
        }
    }

    /** A memfd's descriptor for messages (owned by the returned memory). */
    static SharedMemory memfd(long size) throws HostIoException {
        return SharedMemory.create("scripted-region", size);
    }
}
