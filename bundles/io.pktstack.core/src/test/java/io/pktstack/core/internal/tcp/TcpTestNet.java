package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.TcpOptions;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.core.internal.time.StackTimer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Two TCP instances, A (10.0.0.1) and B (10.0.0.2), joined by an in-memory
 * wire, on one clock the test moves. Everything runs on the test's thread:
 * segments wait on the wire until {@link #run} delivers them, and time jumps
 * to the next timer when nothing else is left to do, so a test is
 * deterministic and takes no wall time. Sockets are used without blocking:
 * writes with a tiny timeout, reads only of what is available.
 */
final class TcpTestNet implements AutoCloseable {

    static final long T0 = TimeUnit.HOURS.toNanos(7);
    static final long A = 0x0a00_0001L;
    static final long B = 0x0a00_0002L;

    /** Decides the fate of each segment put on the wire. */
    interface Wire {
        /** Returns false to drop the segment; may change its bytes. */
        boolean pass(Seg s);
    }

    /** A segment on the wire, parsed for tests to look at. */
    static final class Seg {
        final byte[] bytes;
        final boolean fromA;
        final int index;
        final TcpSegment tcp = new TcpSegment();
        final TcpOptions opt = new TcpOptions();
        /** When it was put on the wire. */
        long time;

        Seg(byte[] bytes, boolean fromA, int index) {
            this.bytes = bytes;
            this.fromA = fromA;
            this.index = index;
            if (tcp.wrapChecked(MemorySegment.ofArray(bytes), 0, bytes.length)) {
                opt.parse(tcp);
            } else {
                tcp.wrap(MemorySegment.ofArray(new byte[20]), 0, 20); // a malformed test segment: no fields
            }
        }

        int flags() {
            return tcp.flags();
        }

        boolean has(int flag) {
            return tcp.has(flag);
        }

        int seq() {
            return tcp.seq();
        }

        int ack() {
            return tcp.ackNumber();
        }

        int dataLen() {
            return tcp.payloadLength();
        }

        @Override
        public String toString() {
            return (fromA ? "A>B " : "B>A ") + TcpSegment.flagString(flags()) + " seq " + Integer.toUnsignedString(seq())
                    + " ack " + Integer.toUnsignedString(ack()) + " len " + dataLen() + " win " + tcp.window();
        }
    }

    final AtomicLong clock = new AtomicLong(T0);
    final StackTimer timer = new StackTimer(clock::get);
    final FramePool pool = new FramePool(8192, FramePool.DEFAULT_SLOT_SIZE);
    /** Frames for large segments (TSO), taken only while {@link #largeSegments} is set. */
    final FramePool large = new FramePool(8, 66 * 1024);
    /** Whether the paths take large segments whole (a guest link that took TSO); the wire then carries them so. */
    boolean largeSegments;
    final TcpConfig configA = new TcpConfig();
    final TcpConfig configB = new TcpConfig();
    final Tcp a;
    final Tcp b;
    final ArrayDeque<Seg> wire = new ArrayDeque<>();
    /** Every segment put on the wire, dropped or not, in order. */
    final List<Seg> log = new ArrayList<>();
    Wire fromA = s -> true;
    Wire fromB = s -> true;
    /** Wire delay: segments put on the wire reach the other side this much later. */
    long delayNanos = TimeUnit.MICROSECONDS.toNanos(100);
    private final ArrayDeque<Long> due = new ArrayDeque<>();
    int mtu = 1500;
    /**
     * When set, what a thread sends waits in that thread's own batch until it
     * calls {@link Network#flush} (as in the stack, where each thread has an
     * output batch), and a delivery flushes the delivering thread's batch after
     * the input returns (as a receive thread does at the end of its batch).
     */
    boolean perThreadBatches;
    private final ThreadLocal<List<Seg>> batches = ThreadLocal.withInitial(ArrayList::new);

    /** A's and B's addresses (IPv4, as longs). */
    final long addrA;
    final long addrB;

    TcpTestNet() {
        this(A, B);
    }

    TcpTestNet(long addrA, long addrB) {
        this.addrA = addrA;
        this.addrB = addrB;
        // Seeded keys: a failing run replays the same sequence numbers and timestamps.
        a = new Tcp(new End(true), timer, configA, new TcpStats(), new java.util.SplittableRandom(1));
        b = new Tcp(new End(false), timer, configB, new TcpStats(), new java.util.SplittableRandom(2));
    }

    /** One side's view of the IP layer: a single route to the other side, MTU {@link #mtu}. */
    private final class End implements Network {
        final boolean isA;

        End(boolean isA) {
            this.isA = isA;
        }

        @Override
        public Frame take() {
            return pool.take();
        }

        @Override
        public Frame takeLarge() {
            return large.take();
        }

        @Override
        public Path path(boolean v6, long remoteHi, long remoteLo, boolean localGiven, long localHi, long localLo) {
            long self = isA ? addrA : addrB;
            long other = isA ? addrB : addrA;
            if (v6 || remoteLo != other || (localGiven && localLo != self)) {
                return null;
            }
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
                    return mtu;
                }

                @Override
                public boolean largeSegments() {
                    return largeSegments;
                }

                @Override
                public boolean send(Frame f, int l4Length) {
                    if (f.gso() != Frame.GSO_NONE) {
                        assertTrue(largeSegments, "a large segment on a path that takes none");
                        assertEquals(Frame.GSO_TCPV4, f.gso());
                        assertTrue(f.gsoSize() > 0 && f.gsoSize() <= mtu - 40, "segment size " + f.gsoSize());
                        assertTrue(l4Length > f.gsoSize(), "a large segment of one segment's size");
                        assertTrue(f.pool() == large, "a large segment in a frame of the pool");
                    }
                    if (f.checksum() == Frame.CSUM_PARTIAL) { // this wire is a link without checksum offload
                        int start = f.csumStart();
                        assertTrue(Checksum.completePartial(f.segment(), f.offset(), start + l4Length, start,
                                f.csumOffset()), "partial checksum offsets outside the segment");
                        f.checksum(Frame.CSUM_VALID);
                    }
                    byte[] bytes = new byte[l4Length];
                    MemorySegment.copy(f.segment(), Network.l4Offset(f, false), MemorySegment.ofArray(bytes), 0,
                            l4Length);
                    f.release();
                    Seg s = new Seg(bytes, isA, -1);
                    if (perThreadBatches) {
                        batches.get().add(s);
                    } else {
                        putOnWire(s);
                    }
                    return true;
                }
            };
        }

        @Override
        public boolean isLocal(boolean v6, long hi, long lo) {
            return !v6 && lo == (isA ? addrA : addrB);
        }

        @Override
        public void flush() {
            flushBatch();
        }
    }

    /** Flushes of a thread's batch that put something on the wire. */
    int transmits;

    /** Puts what the calling thread's batch holds on the wire, in the order it was sent. */
    synchronized void flushBatch() {
        List<Seg> b = batches.get();
        if (!b.isEmpty()) {
            transmits++;
        }
        for (Seg s : b) {
            putOnWire(s);
        }
        b.clear();
    }

    private synchronized void putOnWire(Seg s) {
        Seg logged = new Seg(s.bytes, s.fromA, log.size());
        logged.time = clock.get();
        log.add(logged);
        if ((s.fromA ? fromA : fromB).pass(logged)) {
            wire.add(logged);
            due.add(clock.get() + delayNanos);
        }
    }

    /**
     * Delivers the next {@code n} segments on the wire as one receive batch
     * (as a driver's receive thread does: {@link Tcp#inputInBatch} for each,
     * then {@link Tcp#endOfBatch}). Returns what was delivered.
     */
    List<Seg> deliverAsBatch(int n) {
        List<Seg> got = new ArrayList<>();
        for (int i = 0; i < n && !wire.isEmpty(); i++) {
            due.poll();
            Seg s = wire.poll();
            Tcp to = s.fromA ? b : a;
            long src = s.fromA ? addrA : addrB;
            long dst = s.fromA ? addrB : addrA;
            to.inputInBatch(MemorySegment.ofArray(s.bytes), 0, s.bytes.length, false, 0, src, 0, dst);
            got.add(s);
        }
        a.endOfBatch();
        b.endOfBatch();
        if (perThreadBatches) {
            flushBatch();
        }
        return got;
    }

    /** Delivers the next segment on the wire on the calling thread, without flushing what it sends. */
    Seg deliverNextWithoutFlush() {
        due.poll();
        Seg s = wire.poll();
        deliver(s);
        return s;
    }

    /** Puts a copy of {@code s} on the wire behind what is there (a duplicate). */
    void duplicate(Seg s) {
        wire.add(s);
        due.add(clock.get() + delayNanos);
    }

    /** Puts bytes on the wire as if {@code fromA} had sent them (a crafted segment; checksum must be right). */
    void inject(byte[] segment, boolean fromA) {
        deliver(new Seg(segment, fromA, -1));
    }

    private void deliver(Seg s) {
        Tcp to = s.fromA ? b : a;
        long src = s.fromA ? addrA : addrB;
        long dst = s.fromA ? addrB : addrA;
        to.input(MemorySegment.ofArray(s.bytes), 0, s.bytes.length, false, 0, src, 0, dst);
    }

    private void deliverAndFlush(Seg s) {
        deliver(s);
        if (perThreadBatches) {
            flushBatch();
        }
    }

    /**
     * Delivers segments and runs timers until {@code until} holds, moving the
     * clock to the next event whenever nothing is due; fails after
     * {@code maxSeconds} of virtual time.
     */
    void run(BooleanSupplier until, long maxSeconds) {
        long limit = clock.get() + TimeUnit.SECONDS.toNanos(maxSeconds);
        while (!until.getAsBoolean()) {
            boolean worked = false;
            while (!wire.isEmpty() && due.peek() <= clock.get()) {
                due.poll();
                deliverAndFlush(wire.poll());
                worked = true;
            }
            worked |= timer.runDue() > 0;
            if (until.getAsBoolean()) {
                return;
            }
            if (!worked) {
                long next = Math.min(wire.isEmpty() ? Long.MAX_VALUE : due.peek(), timer.nextDeadline());
                if (next == Long.MAX_VALUE || next > limit) {
                    throw new AssertionError("nothing left to happen before the condition held (virtual "
                            + TimeUnit.NANOSECONDS.toMillis(clock.get() - T0) + " ms); last segments: "
                            + log.subList(Math.max(0, log.size() - 8), log.size()));
                }
                clock.set(Math.max(clock.get(), next));
            }
        }
    }

    /** Runs until nothing is in flight and no timer is due within {@code quietMillis}. */
    void settle() {
        run(() -> wire.isEmpty() && timer.nextDeadline() - clock.get() > TimeUnit.MILLISECONDS.toNanos(300), 600);
    }

    static InetSocketAddress addr(long ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16),
                    (byte) (ip >>> 8), (byte) ip}), port);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Opens a connection from A to B's listener without blocking the test's thread; both ends established. */
    TcpSocket[] connect(int port) throws IOException {
        var listener = b.listen(addr(B, port), 16);
        TcpSocket client = a.open();
        startConnect(client, addr(B, port));
        run(() -> client.isConnected() && ((TcpListenerImpl) listener).queued() > 0, 30);
        TcpSocket server = listener.accept(Duration.ofMillis(1));
        listener.close();
        return new TcpSocket[] {client, server};
    }

    /** Sends the SYN without waiting for the handshake (connect's wait needs the wire to move). */
    static void startConnect(TcpSocket s, InetSocketAddress to) throws IOException {
        ((ConnectionSocket) s).startConnect(to);
    }

    /** Writes what fits now; returns the bytes taken. */
    static int writeSome(TcpSocket s, ByteBuffer src) throws IOException {
        s.setWriteTimeout(Duration.ofNanos(1));
        try {
            return s.write(src);
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    /** Reads what is available now into {@code into}; returns the bytes read, -1 at end of stream. */
    static int readSome(TcpSocket s, ByteBuffer into) throws IOException {
        if (s.available() == 0) {
            s.setReadTimeout(Duration.ofNanos(1));
            try {
                return s.read(into);
            } catch (SocketTimeoutException e) {
                return 0;
            }
        }
        return s.read(into);
    }

    /**
     * Moves {@code data} from {@code from} to {@code to} through the wire,
     * the application writing what fits and reading what came, until all of
     * it arrived. Returns what {@code to} read.
     */
    byte[] transfer(TcpSocket from, TcpSocket to, byte[] data, long maxSeconds) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteBuffer dst = ByteBuffer.allocate(data.length);
        IOException[] failure = new IOException[1];
        run(() -> {
            try {
                if (src.hasRemaining()) {
                    writeSome(from, src);
                }
                readSome(to, dst);
            } catch (IOException e) {
                failure[0] = e;
                return true;
            }
            return !dst.hasRemaining();
        }, maxSeconds);
        if (failure[0] != null) {
            throw failure[0];
        }
        return dst.array();
    }

    void assertPoolFull() {
        assertEquals(pool.capacity(), pool.available(), "frames still out of the pool");
        assertEquals(large.capacity(), large.available(), "large frames still out of their pool");
    }

    @Override
    public void close() {
        a.close();
        b.close();
        wire.clear();
        due.clear();
    }
}
