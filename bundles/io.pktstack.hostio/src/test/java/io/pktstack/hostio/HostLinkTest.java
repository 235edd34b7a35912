package io.pktstack.hostio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both host devices against the real kernel: a TAP device, and a packet
 * socket on that same TAP interface. What the stack writes into the TAP
 * descriptor Linux receives on the interface, where the packet socket sees it;
 * what the packet socket sends out of the interface arrives at the TAP
 * descriptor. Needs root and /dev/net/tun; skipped otherwise.
 */
class HostLinkTest {

    FramePool pool = new FramePool(1024, FramePool.DEFAULT_SLOT_SIZE);
    String name;
    HostLink tap;
    HostLink socket;
    CollectingPort tapPort = new CollectingPort();
    CollectingPort socketPort = new CollectingPort();

    @BeforeEach
    void open() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "TAP devices and packet sockets need root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun");
        name = "pkht" + Long.toString(ProcessHandle.current().pid() % 1_000_000, 36);
        tap = new HostLink(TapDevice.open(name), null, MacAddress.generateLocal(), false, 1514, Map.of());
        // No IPv6 on it, so the kernel sends nothing of its own out of the device during the test.
        Files.writeString(Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6"), "1");
        assertEquals(0, new ProcessBuilder("ip", "link", "set", name, "up").inheritIO().start().waitFor());
        socket = new HostLink(PacketSocket.open(name), null, MacAddress.generateLocal(), false, 1514, Map.of());
        tap.attach(tapPort);
        socket.attach(socketPort);
    }

    @AfterEach
    void close() {
        if (socket != null) {
            socket.close();
        }
        if (tap != null) {
            tap.close(); // the TAP device was not persistent: it goes with the descriptor
        }
        assertEquals(pool.capacity(), pool.available(), "every frame back in the pool");
        pool.close();
    }

    @Test
    void framesWrittenToTheTapArriveAtThePacketSocketUnchangedAndInOrder() throws Exception {
        List<byte[]> sent = sendBatches(tap, 300, 60);
        assertEquals(sent.size(), socketPort.await(sent.size()));
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), socketPort.frames.get(i), "frame " + i);
        }
        assertTrue(socket.device().rxCalls() < sent.size(), "recvmmsg moved several frames per call: "
                + socket.device().rxCalls() + " calls for " + sent.size());
    }

    @Test
    void framesSentOnThePacketSocketArriveAtTheTapUnchanged() throws Exception {
        List<byte[]> sent = sendBatches(socket, 300, 1514);
        assertEquals(sent.size(), tapPort.await(sent.size()));
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), tapPort.frames.get(i), "frame " + i);
        }
        assertTrue(socket.device().txCalls() < sent.size(), "sendmmsg moved several frames per call");
    }

    @Test
    void aFrameLargerThanTheMtuIsDroppedAndCountedAndTheRestGo() throws Exception {
        FrameBatch batch = new FrameBatch(3);
        batch.add(frame(0, 60));
        batch.add(frame(1, 1515));
        batch.add(frame(2, 60));
        assertEquals(2, tap.transmit(batch));
        assertTrue(batch.isEmpty());
        assertEquals(1L, tap.details().get("tx drops: larger than mtu"));
        assertEquals(2, socketPort.await(2));
    }

    private List<byte[]> sendBatches(HostLink link, int frames, int length) {
        List<byte[]> sent = new java.util.ArrayList<>();
        FrameBatch batch = new FrameBatch(32);
        for (int i = 0; i < frames; i++) {
            Frame f = frame(i, length);
            sent.add(f.segment().asSlice(f.offset(), f.length()).toArray(ValueLayout.JAVA_BYTE));
            batch.add(f);
            if (batch.isFull() || i == frames - 1) {
                while (!batch.isEmpty()) {
                    link.transmit(batch); // a full kernel queue leaves frames in the batch: try again
                }
            }
        }
        return sent;
    }

    /** A broadcast frame of EtherType 0x88b5 (local experimental) carrying its sequence number. */
    private Frame frame(int seq, int length) {
        Frame f = pool.take();
        f.length(length);
        MemorySegment s = f.segment().asSlice(f.offset(), length);
        s.fill((byte) seq);
        for (int i = 0; i < 6; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) 0xff);
        }
        s.set(ValueLayout.JAVA_BYTE, 6, (byte) 0x02);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 12, (short) 0x88b5);
        s.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 14, seq);
        return f;
    }

    /** Copies out what a link delivers and gives the frames back. */
    final class CollectingPort implements LinkPort {
        final List<byte[]> frames = new CopyOnWriteArrayList<>();
        /** How long no further frame may come after the expected ones: a check that nothing more arrives. */
        static final long QUIET_MILLIS = 50;

        @Override
        public FramePool pool() {
            return pool;
        }

        @Override
        public void receive(FrameBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                Frame f = batch.get(i);
                frames.add(f.segment().asSlice(f.offset(), f.length()).toArray(ValueLayout.JAVA_BYTE));
            }
            batch.releaseAll();
            synchronized (this) {
                notifyAll();
            }
        }

        @Override
        public void carrierChanged(boolean up) {
        }

        @Override
        public void event(String message) {
        }

        /** Waits (woken by each arrival, at most 10 s) for {@code n} frames, then a quiet window for any more. */
        synchronized int await(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long left;
            while (frames.size() < n && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
            while ((left = quietUntil - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left); // a frame too many would show in the count
            }
            return frames.size();
        }
    }
}
