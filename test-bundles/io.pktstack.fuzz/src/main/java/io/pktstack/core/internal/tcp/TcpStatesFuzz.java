package io.pktstack.core.internal.tcp;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpState;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.fuzz.FuzzInput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fuzz target {@code tcp}: TCP's input path against a connection in each
 * state of RFC 9293 §3.3.2. Two TCPs, A (10.0.0.1) and B (10.0.0.2), on one
 * thread and a clock the fuzzer moves; the first byte picks the state B's
 * connection is brought to by a normal exchange (segments dropped where the
 * state needs it: LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1,
 * FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT). Then the fuzzer
 * sends B segments, forged from A's side around the sequence numbers in use
 * (flags, offsets from the real numbers, window, raw options, payload,
 * mostly a right checksum), interleaved with the wire's own traffic, time
 * passing and the applications reading, writing and closing. Nothing may
 * throw, and once both sides are closed and time has run out, every frame is
 * back in the pool and no connection is left but in TIME-WAIT's end.
 */
public final class TcpStatesFuzz {

    static final long T0 = TimeUnit.HOURS.toNanos(7);
    static final long A = 0x0a00_0001L;
    static final long B = 0x0a00_0002L;
    static final TcpState[] STATES = {TcpState.LISTEN, TcpState.SYN_SENT, TcpState.SYN_RECEIVED, TcpState.ESTABLISHED,
        TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2, TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK,
        TcpState.TIME_WAIT};
    private static final FramePool POOL = new FramePool(1024, FramePool.DEFAULT_SLOT_SIZE);
    /** Large frames, for the inputs whose paths take large segments (TSO). */
    private static final FramePool LARGE = new FramePool(8, 66 * 1024);

    private final AtomicLong clock = new AtomicLong(T0);
    private final StackTimer timer = new StackTimer(clock::get);
    private final Tcp a;
    private final Tcp b;
    /** Segments on the wire: bytes and whether A sent them. */
    private final ArrayDeque<byte[]> wire = new ArrayDeque<>();
    private final ArrayDeque<Boolean> fromA = new ArrayDeque<>();
    /** Drop what this side sends (a state is reached by losing a segment). */
    private boolean dropFromA;
    private boolean dropFromB;
    /** The numbers A last used towards B: what a forged segment is built around. */
    private int aSeq;
    private int aAck;
    private int aPort = 40000;
    private int bPort = 80;
    private final ByteBuffer scratch = ByteBuffer.allocate(65536);
    /** Whether the paths take large segments whole, as a guest link that took TSO does. */
    private final boolean largeSegments;

    private TcpStatesFuzz(boolean largeSegments) {
        this.largeSegments = largeSegments;
        a = new Tcp(new End(true), timer, new TcpConfig(), new TcpStats(), new SplittableRandom(1));
        b = new Tcp(new End(false), timer, new TcpConfig(), new TcpStats(), new SplittableRandom(2));
    }

    public static void fuzzerTestOneInput(byte[] data) throws Exception {
        FuzzInput in = new FuzzInput(data);
        // Inputs of odd length take large segments: decided by the length, so the corpus's bytes keep their meaning.
        TcpStatesFuzz t = new TcpStatesFuzz(data.length % 2 == 1);
        int held = 0;
        try {
            t.play(in);
        } finally {
            t.a.close();
            t.b.close();
            t.wire.clear();
            t.timer.close();
            held = POOL.capacity() - POOL.available() + LARGE.capacity() - LARGE.available();
        }
        if (held != 0) {
            throw new AssertionError(held + " frames not back in the pool");
        }
    }

    private final class End implements Network {
        final boolean isA;

        End(boolean isA) {
            this.isA = isA;
        }

        @Override
        public Frame take() {
            return POOL.take();
        }

        @Override
        public Frame takeLarge() {
            return LARGE.take();
        }

        @Override
        public Path path(boolean v6, long remoteHi, long remoteLo, boolean localGiven, long localHi, long localLo) {
            long self = isA ? A : B;
            if (v6 || remoteLo != (isA ? B : A) || (localGiven && localLo != self)) {
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
                    return 1500;
                }

                @Override
                public boolean largeSegments() {
                    return largeSegments;
                }

                @Override
                public boolean send(Frame f, int l4Length) {
                    if (f.gso() != Frame.GSO_NONE && (!largeSegments || f.gsoSize() <= 0 || f.gsoSize() > 1460
                            || l4Length <= f.gsoSize() || l4Length > 0xFFFF - 20)) {
                        throw new AssertionError("large segment of " + l4Length + " bytes, segment size "
                                + f.gsoSize() + " on a path that " + (largeSegments ? "takes" : "takes none"));
                    }
                    if (f.checksum() == Frame.CSUM_PARTIAL) { // the wire here is a link without checksum offload
                        Checksum.completePartial(f.segment(), f.offset(), f.csumStart() + l4Length, f.csumStart(),
                                f.csumOffset());
                    }
                    byte[] bytes = new byte[l4Length];
                    MemorySegment.copy(f.segment(), Network.l4Offset(f, false), MemorySegment.ofArray(bytes), 0, l4Length);
                    f.release();
                    if (l4Length < TcpSegment.MIN_HEADER_LEN) {
                        throw new AssertionError("TCP sent " + l4Length + " bytes");
                    }
                    if (isA) {
                        TcpSegment s = new TcpSegment().wrap(MemorySegment.ofArray(bytes), 0, l4Length);
                        aSeq = s.seq() + s.sequenceLength();
                        aAck = s.ackNumber();
                        aPort = s.srcPort();
                        bPort = s.dstPort();
                    }
                    if (!(isA ? dropFromA : dropFromB) && wire.size() < 4096) {
                        wire.add(bytes);
                        fromA.add(isA);
                    }
                    return true;
                }
            };
        }

        @Override
        public boolean isLocal(boolean v6, long hi, long lo) {
            return !v6 && lo == (isA ? A : B);
        }

        @Override
        public void flush() {
        }
    }

    private void deliver(byte[] s, boolean isFromA) {
        (isFromA ? b : a).input(MemorySegment.ofArray(s), 0, s.length, false, 0, isFromA ? A : B, 0, isFromA ? B : A);
    }

    /** Delivers what is on the wire, at most {@code max} segments. */
    private void flushWire(int max) {
        for (int i = 0; i < max && !wire.isEmpty(); i++) {
            deliver(wire.poll(), fromA.poll());
        }
    }

    private static InetSocketAddress addr(long ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip == A ? "10.0.0.1" : "10.0.0.2"), port);
    }

    private void play(FuzzInput in) throws IOException {
        TcpState target = in.pick(STATES);
        TcpSocket aSock = null;
        TcpSocket bSock = null;
        TcpListener bListen = null;
        if (target == TcpState.SYN_SENT) {
            bSock = b.open();
            ((ConnectionSocket) bSock).startConnect(addr(A, 81));
            aPort = 81;
            wire.clear(); // B's SYN is lost; A answers forged segments only
        } else {
            bListen = b.listen(addr(B, 80), 4);
            if (target != TcpState.LISTEN) {
                aSock = a.open();
                ((ConnectionSocket) aSock).startConnect(addr(B, 80));
                flushWire(1); // A's SYN reaches B
                if (target == TcpState.SYN_RECEIVED) {
                    wire.clear(); // B's SYN-ACK is lost
                } else {
                    flushWire(4); // the handshake completes
                    try {
                        bSock = bListen.accept(Duration.ofNanos(1));
                    } catch (SocketTimeoutException e) {
                        bSock = null;
                    }
                    bring(target, aSock, bSock);
                }
            }
        }
        int steps = 0;
        while (in.hasMore() && steps++ < 48) {
            switch (in.u8() % 10) {
                case 0, 1, 2, 3 -> deliver(forge(in), true);
                case 4 -> flushWire(in.intIn(1, 8));
                case 5 -> {
                    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(in.u16()));
                    timer.runDue();
                }
                case 6 -> app(in, bSock);
                case 7 -> app(in, aSock);
                case 8 -> {
                    if (bListen != null && bSock == null) {
                        try {
                            bSock = bListen.accept(Duration.ofNanos(1));
                        } catch (SocketTimeoutException e) {
                            // nothing queued
                        }
                    }
                }
                default -> {
                    dropFromA = in.bool();
                    dropFromB = in.bool();
                }
            }
        }
        // Both ends go; the wire and the timers run until nothing is left to do (TIME-WAIT included).
        dropFromA = false;
        dropFromB = false;
        for (TcpSocket s : new TcpSocket[] {aSock, bSock}) {
            if (s != null) {
                s.close();
            }
        }
        if (bListen != null) {
            bListen.close();
        }
        for (int i = 0; i < 64 && (!wire.isEmpty() || timer.nextDeadline() != Long.MAX_VALUE); i++) {
            flushWire(64);
            clock.set(Math.max(clock.get() + TimeUnit.SECONDS.toNanos(1), Math.min(timer.nextDeadline(),
                    clock.get() + TimeUnit.MINUTES.toNanos(30))));
            timer.runDue();
        }
    }

    /** Takes an established connection on to the state picked, losing segments where that needs it. */
    private void bring(TcpState target, TcpSocket aSock, TcpSocket bSock) throws IOException {
        if (bSock == null) {
            return;
        }
        switch (target) {
            case FIN_WAIT_1 -> {
                dropFromB = true;
                bSock.shutdownOutput();
                dropFromB = false;
            }
            case FIN_WAIT_2 -> {
                bSock.shutdownOutput();
                flushWire(4);
            }
            case CLOSE_WAIT -> {
                aSock.shutdownOutput();
                dropFromB = true;
                flushWire(1);
                dropFromB = false;
            }
            case CLOSING -> {
                bSock.shutdownOutput();
                wire.clear(); // B's FIN is lost
                aSock.shutdownOutput();
                flushWire(1); // A's FIN reaches B in FIN-WAIT-1: both closing
            }
            case LAST_ACK -> {
                aSock.shutdownOutput();
                flushWire(2);
                dropFromB = true;
                bSock.shutdownOutput();
                dropFromB = false;
            }
            case TIME_WAIT -> {
                bSock.shutdownOutput();
                flushWire(2);
                aSock.shutdownOutput();
                flushWire(4);
            }
            default -> {
            }
        }
    }

    /** An application's move on a socket: write, read, half-close, close or abort. */
    private void app(FuzzInput in, TcpSocket s) throws IOException {
        if (s == null) {
            return;
        }
        try {
            switch (in.u8() % 5) {
                case 0 -> {
                    scratch.clear().limit(in.intIn(1, 65536));
                    s.setWriteTimeout(Duration.ofNanos(1));
                    s.write(scratch);
                }
                case 1 -> {
                    if (s.available() > 0) {
                        scratch.clear().limit(in.intIn(1, 65536));
                        s.read(scratch);
                    }
                }
                case 2 -> s.shutdownOutput();
                case 3 -> s.close();
                default -> s.abort();
            }
        } catch (IOException e) {
            // closed, reset, timed out: what an application sees, not a fault
        }
    }

    /** A segment from A's side, its numbers near the ones A uses (or anything), mostly with a right checksum. */
    private byte[] forge(FuzzInput in) {
        int flags = in.u8();
        byte[] options = in.bytes(40);
        int optLen = (options.length + 3) & ~3;
        byte[] payload = in.bytes(1460);
        byte[] seg = new byte[20 + optLen + payload.length];
        MemorySegment s = MemorySegment.ofArray(seg);
        TcpSegment t = new TcpSegment().wrap(s, 0, seg.length);
        t.setSrcPort(in.bool() ? aPort : in.u16());
        t.setDstPort(in.bool() ? bPort : in.u16());
        t.setSeq(number(in, aSeq));
        t.setAckNumber(number(in, aAck));
        t.setHeaderLength(20 + optLen);
        t.setFlags(flags);
        t.setWindow(in.u16());
        t.setUrgentPointer((in.u8() & 15) == 0 ? in.u16() : 0);
        System.arraycopy(options, 0, seg, 20, options.length);
        for (int i = options.length; i < optLen; i++) {
            seg[20 + i] = 1; // NOP padding
        }
        System.arraycopy(payload, 0, seg, 20 + optLen, payload.length);
        if ((in.u8() & 15) != 0) {
            t.fillChecksumV4((int) A, (int) B);
        }
        return seg;
    }

    /** A sequence or acknowledgment number: the real one, near it, a window away, or anything. */
    private static int number(FuzzInput in, int real) {
        return switch (in.u8() & 7) {
            case 0, 1, 2 -> real;
            case 3 -> real + (byte) in.u8();
            case 4 -> real + (short) in.u16();
            case 5 -> real - in.intIn(0, 1 << 20);
            case 6 -> real + (1 << 30);
            default -> in.u32();
        };
    }
}
