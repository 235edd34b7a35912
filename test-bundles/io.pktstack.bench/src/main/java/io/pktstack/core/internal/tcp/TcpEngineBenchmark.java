package io.pktstack.core.internal.tcp;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.tcp.TcpListener;
import io.pktstack.core.internal.time.StackTimer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The TCP engine alone, on one thread: two connections joined by a queue of
 * pool frames, no link, no IP layer. One operation moves 64 KiB: written into
 * A's send buffer, segmented, checksummed, taken in by B (checksum verified,
 * copied into its receive buffer), read out by B's application, acknowledged
 * back to A. Bytes per second x 8 is what one core's worth of TCP carries,
 * before any link's cost: the ceiling of {@code tcp-guest-bridge-guest}.
 *
 * <p>It lives in the TCP package to drive connections without the socket
 * API's blocking; it runs on a plain class path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TcpEngineBenchmark {

    public static final int CHUNK = 64 * 1024;
    static final long A = 0x0a00_0001L;
    static final long B = 0x0a00_0002L;

    long now = TimeUnit.HOURS.toNanos(1);
    StackTimer timer;
    FramePool pool;
    final ArrayDeque<Frame> toB = new ArrayDeque<>();
    final ArrayDeque<Frame> toA = new ArrayDeque<>();
    Tcp a;
    Tcp b;
    TcpConnection sender;
    TcpConnection receiver;
    final java.nio.ByteBuffer data = java.nio.ByteBuffer.allocate(CHUNK);
    final java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(CHUNK);

    /** One side's network: frames go straight onto the other side's queue. */
    final class Side implements Network {
        final boolean isA;

        Side(boolean isA) {
            this.isA = isA;
        }

        @Override
        public Frame take() {
            return pool.take();
        }

        @Override
        public Path path(boolean v6, long remoteHi, long remoteLo, boolean localGiven, long localHi, long localLo) {
            long self = isA ? A : B;
            return new Path() {
                @Override
                public long localHi() {
                    return 0;
                }

                @Override
                public long localLo() {
                    return self;
                }

                @Override
                public int ipMtu() {
                    return 1500;
                }

                @Override
                public boolean send(Frame f, int l4Length) {
                    f.length(l4Length); // the segment's length rides in the frame (no boxing per segment)
                    (isA ? toB : toA).add(f);
                    return true;
                }
            };
        }

        @Override
        public boolean isLocal(boolean v6, long hi, long lo) {
            return lo == (isA ? A : B);
        }

        @Override
        public void flush() {
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        timer = new StackTimer(() -> now);
        pool = new FramePool(4096, FramePool.DEFAULT_SLOT_SIZE);
        a = new Tcp(new Side(true), timer, new TcpConfig(), new TcpStats());
        b = new Tcp(new Side(false), timer, new TcpConfig(), new TcpStats());
        TcpListener l = b.listen(new InetSocketAddress(addr(B), 5001), 4);
        ConnectionSocket c = (ConnectionSocket) a.open();
        c.startConnect(new InetSocketAddress(addr(B), 5001));
        pump();
        l.accept(Duration.ofMillis(1));
        sender = a.connectionsForTest().getFirst();
        receiver = b.connectionsForTest().getFirst();
        l.close();
    }

    static InetAddress addr(long ip) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8),
                (byte) ip});
    }

    /** Delivers what each side queued until both queues are empty. */
    void pump() {
        while (!toB.isEmpty() || !toA.isEmpty()) {
            Frame f;
            while ((f = toB.poll()) != null) {
                // As over a guest link with checksum offload: the partial checksum is taken, not summed.
                b.input(f.segment(), Network.l4Offset(f, false), f.length(), false, 0, A, 0, B,
                        f.checksum() != Frame.CSUM_NONE);
                f.release();
            }
            while ((f = toA.poll()) != null) {
                a.input(f.segment(), Network.l4Offset(f, false), f.length(), false, 0, B, 0, A,
                        f.checksum() != Frame.CSUM_NONE);
                f.release();
            }
        }
    }

    @Benchmark
    public int move64KiB() {
        data.clear();
        int moved = 0;
        while (data.hasRemaining()) {
            sender.lock.lock();
            try {
                sender.sendBuf.write(data);
                sender.output();
            } finally {
                sender.lock.unlock();
            }
            pump();
            receiver.lock.lock();
            try {
                while (receiver.recvBuf.size() > 0) {
                    sink.clear();
                    moved += receiver.recvBuf.read(sink);
                }
                receiver.windowOpened = true;
                receiver.output();
            } finally {
                receiver.lock.unlock();
            }
            pump();
            now += 10_000; // 10 µs a round: timers (delayed ACK) stay quiet
        }
        return moved;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
    }
}
