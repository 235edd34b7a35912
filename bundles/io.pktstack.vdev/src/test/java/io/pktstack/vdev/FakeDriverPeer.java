package io.pktstack.vdev;

import io.pktstack.api.net.MacAddress;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A virtio-net driver peer written for tests, speaking the endpoint protocol
 * by hand: it owns a region, shakes hands with a device-role endpoint, and
 * can then behave (send and receive frames) or break any ring rule by writing
 * shared memory directly, as a hostile guest would.
 */
final class FakeDriverPeer implements AutoCloseable {

    final SharedRegion region;
    final MemorySegment mem;
    final DriverQueue rx;
    final DriverQueue tx;
    final SocketChannel ch;
    final Hello theirs;
    private int nextTx;

    /** Creates a region of queue size {@code n}, connects to {@code deviceSocket} and completes the handshake. */
    FakeDriverPeer(Path shm, Path deviceSocket, String bindPath, MacAddress mac, int n) throws Exception {
        region = SharedRegion.create(shm, n, (int) SharedRegion.align(1514 + 12, 64));
        mem = region.segment();
        rx = new DriverQueue(mem, region.rxQueue(), true);
        tx = new DriverQueue(mem, region.txQueue(), true);
        for (int i = 0; i < n; i++) {
            rx.post(i, region.rxBuffer(i), region.bufferSize(), true);
        }
        rx.publish();
        ch = connect(deviceSocket);
        new Hello(Hello.DRIVER, false, mac, 1514, bindPath, region.file().toString()).write(ch);
        theirs = Hello.read(ch);
        Hello.writeFully(ch, ByteBuffer.wrap(new byte[] {'R'}));
        if (Hello.readFully(ch, 1).get() != 'R') {
            throw new AssertionError("device did not confirm the handshake");
        }
    }

    private static SocketChannel connect(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RecordingPort.WAIT_SECONDS);
        while (true) {
            if (Files.exists(socket)) {
                try {
                    return SocketChannel.open(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    // the endpoint is between sessions: try again
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("device socket " + socket + " never accepted");
            }
            Thread.sleep(20);
        }
    }

    /** Offers one frame on the transmit queue (a clean header and the frame in one buffer) and kicks. */
    void send(byte[] frame) throws Exception {
        byte[] b = new byte[VirtioNetHeader.SIZE + frame.length];
        VirtioNetHeader.writeSimple(MemorySegment.ofArray(b), 0, false);
        System.arraycopy(frame, 0, b, VirtioNetHeader.SIZE, frame.length);
        sendRaw(b);
    }

    /** Offers {@code headerAndFrame} as written (the header included) in the next transmit buffer, and kicks. */
    void sendRaw(byte[] headerAndFrame) throws Exception {
        tx.reap((id, len) -> { }, tx.size());
        int id = nextTx++ % tx.size();
        long addr = region.txBuffer(id);
        MemorySegment.copy(headerAndFrame, 0, mem, ValueLayout.JAVA_BYTE, addr, headerAndFrame.length);
        if (!tx.post(id, addr, headerAndFrame.length, false)) {
            throw new AssertionError("transmit buffer " + id + " still in flight");
        }
        tx.publish();
        kick();
    }

    void kick() throws IOException {
        Hello.writeFully(ch, ByteBuffer.wrap(new byte[] {1}));
    }

    /** Waits (bounded) for one frame the device wrote into a receive buffer, and offers the buffer again. */
    byte[] receive() throws Exception {
        byte[][] got = new byte[1][];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RecordingPort.WAIT_SECONDS);
        while (got[0] == null) {
            tx.reap((id, len) -> { }, tx.size()); // keep transmit buffers flowing back
            rx.reap((id, len) -> {
                long addr = region.rxBuffer(id);
                if (!VirtioNetHeader.validate(mem, addr, false)) {
                    throw new AssertionError("device wrote a bad virtio_net_hdr");
                }
                byte[] f = new byte[len - VirtioNetHeader.SIZE];
                MemorySegment.copy(mem, ValueLayout.JAVA_BYTE, addr + VirtioNetHeader.SIZE, f, 0, f.length);
                got[0] = f;
                rx.post(id, addr, region.bufferSize(), true);
            }, 1);
            rx.publish();
            if (got[0] == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no frame from the device");
                }
                Thread.sleep(2);
            }
        }
        return got[0];
    }

    /** Whether the device closed the connection within the wait (kick bytes on the way are skipped). */
    boolean hungUp() throws Exception {
        ch.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RecordingPort.WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            b.clear();
            int n;
            try {
                n = ch.read(b);
            } catch (IOException e) {
                return true; // reset by the device
            }
            if (n < 0) {
                return true;
            }
            if (n == 0) {
                Thread.sleep(5);
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        ch.close();
        region.unlink();
        region.close();
    }
}
