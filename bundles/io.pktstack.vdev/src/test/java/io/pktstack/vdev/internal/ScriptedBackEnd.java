package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.UnixSocket;
import io.pktstack.vdev.DescriptorChain;
import io.pktstack.vdev.DeviceQueue;
import io.pktstack.vdev.GuestMemory;
import io.pktstack.vdev.RingViolation;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A vhost-user back-end for tests that writes exactly what it is told into a
 * front-end's receive buffers: it connects to a guest's node, answers the
 * set-up as a plain back-end would ({@link #setUp(long)}), then fills receive
 * buffers with bytes the test composed (headers that lie included), and takes
 * transmitted chains, returning them only when told to.
 */
final class ScriptedBackEnd implements AutoCloseable {

    final Arena arena = Arena.ofShared();
    final EventFd wake = EventFd.create();
    final VhostMessage msg = new VhostMessage(arena);
    final VhostMessage out = new VhostMessage(arena);
    final MessageChannel channel;
    final EventFd[] kicks = new EventFd[2];
    final EventFd[] calls = new EventFd[2];
    private final int[] num = new int[2];
    /** Per ring: descriptor table, used ring, available ring (user addresses, as SET_VRING_ADDR gives them). */
    private final long[][] addresses = new long[2][3];
    private final DescriptorChain chain = new DescriptorChain(64);
    /** Transmit chains taken and not yet returned: their heads. */
    private final List<Integer> held = new ArrayList<>();
    private MemoryTable memory;
    private long features;
    DeviceQueue rxq;
    DeviceQueue txq;

    /** Connects to the front-end listening at {@code node}, retrying for a while (it may not be there yet). */
    ScriptedBackEnd(Path node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        UnixSocket s = null;
        while (s == null) {
            try {
                s = UnixSocket.connect(node);
            } catch (HostIoException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
        channel = new MessageChannel(s, wake);
    }

    /**
     * Answers the front-end's set-up, offering {@code offered} and the
     * REPLY_ACK protocol feature, until both rings are started and enabled.
     */
    void setUp(long offered) throws Exception {
        boolean done = false;
        while (!done) {
            assertTrue(channel.read(msg, 20_000), "the front-end stopped setting up");
            int req = msg.request();
            long reply = 0;
            boolean replies = msg.needsReply();
            switch (req) {
                case VhostUser.GET_FEATURES -> {
                    reply = offered;
                    replies = true;
                }
                case VhostUser.GET_PROTOCOL_FEATURES -> {
                    reply = VirtioNetFeatures.bit(VhostUser.PROTOCOL_F_REPLY_ACK);
                    replies = true;
                }
                case VhostUser.SET_FEATURES -> features = msg.u64(0);
                case VhostUser.SET_MEM_TABLE -> memory = MemoryTable.map(msg);
                case VhostUser.SET_VRING_NUM -> num[msg.u32(0)] = msg.u32(4);
                case VhostUser.SET_VRING_ADDR -> {
                    int i = msg.u32(0);
                    addresses[i][0] = msg.u64(8);
                    addresses[i][1] = msg.u64(16);
                    addresses[i][2] = msg.u64(24);
                }
                case VhostUser.SET_VRING_CALL -> calls[(int) msg.u64(0) & 1] = EventFd.adopt(msg.takeFd(0));
                case VhostUser.SET_VRING_KICK -> kicks[(int) msg.u64(0) & 1] = EventFd.adopt(msg.takeFd(0));
                case VhostUser.SET_VRING_ENABLE -> done = msg.u32(0) == 1;
                default -> {
                    // SET_OWNER, SET_PROTOCOL_FEATURES, SET_VRING_BASE (always 0 here): nothing to keep
                }
            }
            msg.closeUntakenFds();
            if (replies) {
                channel.write(out.start(req, VhostUser.VERSION | VhostUser.FLAG_REPLY).putU64(reply));
            }
        }
        rxq = queue(0);
        txq = queue(1);
    }

    long features() {
        return features;
    }

    private DeviceQueue queue(int i) {
        GuestMemory mem = memory.memory();
        int n = num[i];
        return new DeviceQueue(mem, mem.userRange(addresses[i][0], 16L * n), mem.userRange(addresses[i][2], 6 + 2L * n),
                mem.userRange(addresses[i][1], 6 + 8L * n), n,
                VirtioNetFeatures.has(features, VirtioNetFeatures.RING_EVENT_IDX));
    }

    /**
     * Writes each of {@code buffers} into one receive buffer of the front-end,
     * as it is (a virtio_net_hdr first where the test put one), and returns
     * them used with their lengths, or with {@code usedLength} where that is
     * not negative.
     */
    void deliver(int usedLength, byte[]... buffers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rxq.available() < buffers.length) {
            assertTrue(System.nanoTime() < deadline, "the front-end posts too few receive buffers");
            Thread.sleep(1);
        }
        for (byte[] b : buffers) {
            int head = rxq.pop();
            rxq.readChain(head, chain);
            assertTrue(chain.writable() && chain.length(0) >= b.length, "a receive buffer of " + chain.length(0));
            MemorySegment.copy(b, 0, chain.segment(0), ValueLayout.JAVA_BYTE, chain.offset(0), b.length);
            rxq.pushUsed(head, usedLength >= 0 ? usedLength : b.length);
        }
        rxq.publishUsed();
        calls[0].signal();
    }

    /** Writes {@code buffer} into one receive buffer and returns it used with a length one beyond the buffer's. */
    void deliverOverlong(byte[] buffer) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rxq.available() < 1) {
            assertTrue(System.nanoTime() < deadline, "the front-end posts no receive buffer");
            Thread.sleep(1);
        }
        int head = rxq.pop();
        rxq.readChain(head, chain);
        MemorySegment.copy(buffer, 0, chain.segment(0), ValueLayout.JAVA_BYTE, chain.offset(0), buffer.length);
        rxq.pushUsed(head, (int) chain.totalLength() + 1);
        rxq.publishUsed();
        calls[0].signal();
    }

    void deliver(byte[]... buffers) throws Exception {
        deliver(-1, buffers);
    }

    /**
     * Takes {@code count} transmitted chains, waiting a bounded time, and
     * returns each one's bytes (its virtio_net_hdr first); the chains stay
     * held until {@link #giveBack()}.
     */
    List<byte[]> take(int count) throws Exception {
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (got.size() < count) {
            if (txq.available() == 0) {
                assertTrue(System.nanoTime() < deadline, "only " + got.size() + " of " + count + " chains came");
                Thread.sleep(1);
                continue;
            }
            for (int head; (head = txq.pop()) >= 0; ) {
                txq.readChain(head, chain);
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                for (int i = 0; i < chain.count(); i++) {
                    b.writeBytes(chain.segment(i).asSlice(chain.offset(i), chain.length(i)).toArray(ValueLayout.JAVA_BYTE));
                }
                got.add(b.toByteArray());
                held.add(head);
            }
        }
        return got;
    }

    /** Whether any transmitted chain waits to be taken. */
    boolean transmitPending() throws RingViolation {
        return txq.available() > 0;
    }

    /** Returns every held transmit chain as used. */
    void giveBack() {
        for (int head : held) {
            txq.pushUsed(head, 0);
        }
        held.clear();
        txq.publishUsed();
        calls[1].signal();
    }

    /**
     * Answers a closing front-end's GET_VRING_BASE for both rings, as a
     * back-end that stops them; returns the rings it was asked to stop.
     */
    List<Integer> answerStopRings() throws Exception {
        List<Integer> stopped = new ArrayList<>();
        while (stopped.size() < 2) {
            assertTrue(channel.read(msg, 20_000), "the front-end did not ask to stop its rings");
            int req = msg.request();
            msg.closeUntakenFds();
            if (req != VhostUser.GET_VRING_BASE) {
                continue;
            }
            int ring = msg.u32(0);
            stopped.add(ring);
            channel.write(out.start(req, VhostUser.VERSION | VhostUser.FLAG_REPLY).putU32(ring).putU32(0));
        }
        return stopped;
    }

    /** Closes the connection (the front-end sees its back-end go). */
    @Override
    public void close() {
        channel.close();
        ScriptedFrontEnd.closeAll(kicks);
        ScriptedFrontEnd.closeAll(calls);
        if (memory != null) {
            memory.close();
        }
        wake.close();
        arena.close();
    }
}
