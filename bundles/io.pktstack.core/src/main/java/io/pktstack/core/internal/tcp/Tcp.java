package io.pktstack.core.internal.tcp;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.tcp.TcpConnectionInfo;
import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.api.tcp.TcpState;
import io.pktstack.api.wire.TcpOptions;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.core.internal.tcp.TcpStats.Stat;
import io.pktstack.core.internal.time.StackTimer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TCP (RFC 9293) for one stack: the connection table, the listeners, segment
 * demultiplexing and the answers no connection gives (RST for closed ports,
 * SYN cookies), initial sequence numbers (RFC 6528), and the {@link TcpStack}
 * service the socket API is built on.
 */
public final class Tcp implements TcpStack {

    /** Result of {@link #input} for the IP layer's interface counters. */
    public static final int OK = 0;
    public static final int MALFORMED = 1;
    public static final int BAD_CHECKSUM = 2;

    private static final int EPHEMERAL_FIRST = 49152;
    private static final int EPHEMERAL_COUNT = 65536 - EPHEMERAL_FIRST;
    /** MSS values a SYN cookie can carry in three bits, smallest first. */
    static final int[] COOKIE_MSS = {536, 1200, 1360, 1400, 1440, 1460, 4312, 8960};

    final TcpConfig config;
    final TcpStats stats;
    final StackTimer timer;
    final Network network;
    private final ConcurrentHashMap<FlowKey, TcpConnection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, TcpListenerImpl[]> listeners = new ConcurrentHashMap<>();
    private final BitSet activePorts = new BitSet(EPHEMERAL_COUNT);
    private final RandomGenerator random;
    private int nextPort;
    private final SecretKeySpec isnKey;
    private final SecretKeySpec cookieKey;
    private final ThreadLocal<Hashing> hashing;
    private final ThreadLocal<Rx> rxs = ThreadLocal.withInitial(Rx::new);
    private final ThreadLocal<TcpSegment> outViews = ThreadLocal.withInitial(TcpSegment::new);
    private long challengeSecond;
    private int challengeCount;

    public Tcp(Network network, StackTimer timer, TcpConfig config, TcpStats stats) {
        this(network, timer, config, stats, new SecureRandom());
    }

    /** With the source of the secret keys and port choices given (tests pass a seeded one to replay a run). */
    Tcp(Network network, StackTimer timer, TcpConfig config, TcpStats stats, RandomGenerator random) {
        this.random = random;
        this.network = network;
        this.timer = timer;
        this.config = config;
        this.stats = stats;
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        random.nextBytes(k1);
        random.nextBytes(k2);
        this.isnKey = new SecretKeySpec(k1, "HmacSHA256");
        this.cookieKey = new SecretKeySpec(k2, "HmacSHA256");
        this.hashing = ThreadLocal.withInitial(Hashing::new);
        this.nextPort = random.nextInt(EPHEMERAL_COUNT);
    }

    public TcpConfig config() {
        return config;
    }

    public TcpStats stats() {
        return stats;
    }

    // =====================================================================================
    // Input
    // =====================================================================================

    /**
     * One TCP segment addressed to the stack, {@code length} bytes at
     * {@code offset} (bounded by the IP header's length). Never keeps the
     * frame; never throws on its content.
     *
     * @return {@link #OK}, {@link #MALFORMED} or {@link #BAD_CHECKSUM}
     */
    public int input(MemorySegment seg, long offset, int length, boolean v6, long srcHi, long srcLo, long dstHi,
            long dstLo) {
        return input(seg, offset, length, v6, srcHi, srcLo, dstHi, dstLo, false);
    }

    /** {@link #input} for a segment whose checksum need not be checked (see {@link #inputInBatch} with it). */
    public int input(MemorySegment seg, long offset, int length, boolean v6, long srcHi, long srcLo, long dstHi,
            long dstLo, boolean sumTrusted) {
        Rx rx = rxs.get();
        rx.inBatch = false;
        return input(rx, seg, offset, length, v6, srcHi, srcLo, dstHi, dstLo, sumTrusted);
    }

    /**
     * {@link #input} for a receive thread that calls {@link #endOfBatch} once
     * its batch is through: the ACK that every second segment earns (RFC 5681
     * §4.2) is sent once per connection at the end of the batch, covering all
     * that the batch brought, as Linux's GRO gives it one ACK per aggregate;
     * what the batch's ACKs let out is sent then too, in one transmit. ACKs
     * that must go at once (out of order, a hole filled, a FIN) still do.
     */
    public int inputInBatch(MemorySegment seg, long offset, int length, boolean v6, long srcHi, long srcLo,
            long dstHi, long dstLo) {
        return inputInBatch(seg, offset, length, v6, srcHi, srcLo, dstHi, dstLo, false);
    }

    /**
     * {@link #inputInBatch} for a segment whose checksum need not be checked
     * ({@code sumTrusted}): its frame never crossed a wire (a partial checksum
     * from a guest of this host) or a peer checked it already.
     */
    public int inputInBatch(MemorySegment seg, long offset, int length, boolean v6, long srcHi, long srcLo,
            long dstHi, long dstLo, boolean sumTrusted) {
        Rx rx = rxs.get();
        rx.inBatch = true;
        return input(rx, seg, offset, length, v6, srcHi, srcLo, dstHi, dstLo, sumTrusted);
    }

    /** Ends a receive batch: the output and ACKs deferred to it, a transmit per connection. */
    public void endOfBatch() {
        Rx rx = rxs.get();
        rx.inBatch = false;
        for (int i = 0; i < rx.ackAtEndCount; i++) {
            TcpConnection c = rx.ackAtEnd[i];
            rx.ackAtEnd[i] = null;
            c.lock.lock();
            try {
                c.endOfBatch();
            } finally {
                c.flushAndUnlock();
            }
        }
        rx.ackAtEndCount = 0;
    }

    private int input(Rx rx, MemorySegment seg, long offset, int length, boolean v6, long srcHi, long srcLo,
            long dstHi, long dstLo, boolean sumTrusted) {
        TcpSegment t = rx.tcp;
        if (!t.wrapChecked(seg, offset, length)) {
            stats.count(Stat.BAD_HEADER);
            return MALFORMED;
        }
        boolean sumOk = sumTrusted || (v6 ? t.verifyChecksumV6(srcHi, srcLo, dstHi, dstLo)
                : t.verifyChecksumV4((int) srcLo, (int) dstLo));
        if (!sumOk) {
            stats.count(Stat.BAD_CHECKSUM);
            return BAD_CHECKSUM;
        }
        stats.count(Stat.SEGS_RECEIVED);
        if (!rx.opt.parse(t)) {
            stats.count(Stat.BAD_OPTIONS);
            return MALFORMED;
        }
        rx.v6 = v6;
        rx.srcHi = srcHi;
        rx.srcLo = srcLo;
        rx.dstHi = dstHi;
        rx.dstLo = dstLo;
        rx.srcPort = t.srcPort();
        rx.dstPort = t.dstPort();
        rx.seq = t.seq();
        rx.ack = t.ackNumber();
        rx.flags = t.flags();
        rx.window = t.window();
        rx.seg = seg;
        rx.dataOff = t.payloadOffset();
        rx.dataLen = t.payloadLength();
        if ((rx.flags & (TcpSegment.SYN | TcpSegment.FIN)) == (TcpSegment.SYN | TcpSegment.FIN)) {
            stats.count(Stat.SYN_FIN); // no meaning in any state; a scanner's probe
            return OK;
        }
        if (rx.srcPort == 0 || rx.dstPort == 0) {
            stats.count(Stat.BAD_HEADER);
            return MALFORMED;
        }
        TcpConnection c = connections.get(rx.probe.set(v6, dstHi, dstLo, rx.dstPort, srcHi, srcLo, rx.srcPort));
        if (c != null) {
            boolean handled;
            c.lock.lock();
            try {
                if (c.state == TcpState.TIME_WAIT && isNewSyn(rx, c)) {
                    // RFC 9293 §3.10.7.4 note / RFC 6191: a new SYN above the old sequence may reuse the four-tuple.
                    stats.count(Stat.TIME_WAIT_RECYCLED);
                    c.close("recycled");
                    handled = false;
                } else if (c.state != TcpState.CLOSED) {
                    c.segmentArrives(rx);
                    handled = true;
                } else {
                    handled = false;
                }
            } finally {
                c.flushAndUnlock(); // what the segment released leaves before another thread may send more
            }
            if (handled) {
                return OK;
            }
        }
        TcpListenerImpl l = findListener(v6, dstHi, dstLo, rx.dstPort);
        if (l != null) {
            listenInput(l, rx);
            return OK;
        }
        closedInput(rx);
        return OK;
    }

    private static boolean isNewSyn(Rx rx, TcpConnection c) {
        return (rx.flags & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN
                && Seq.gt(rx.seq, c.rcvNxt);
    }

    /** RFC 9293 §3.10.7.1: no connection, no listener: a reset, unless the segment is one. */
    private void closedInput(Rx rx) {
        if ((rx.flags & TcpSegment.RST) != 0) {
            return;
        }
        stats.count(Stat.NO_SOCKET);
        if ((rx.flags & TcpSegment.ACK) != 0) {
            sendReset(rx, rx.ack, 0, TcpSegment.RST);
        } else {
            sendReset(rx, 0, rx.seq + rx.seqLen(), TcpSegment.RST | TcpSegment.ACK);
        }
        if ((rx.flags & TcpSegment.SYN) != 0) {
            stats.count(Stat.CONN_REFUSED);
        }
    }

    /** RFC 9293 §3.10.7.2 LISTEN; SYN cookies (RFC 4987 §3.6) when the SYN queue is full. */
    private void listenInput(TcpListenerImpl l, Rx rx) {
        int flags = rx.flags;
        if ((flags & TcpSegment.RST) != 0) {
            return;
        }
        if ((flags & TcpSegment.ACK) != 0) {
            if ((flags & TcpSegment.SYN) == 0 && config.synCookies && cookiesInFlight(l)) {
                if (acceptCookie(l, rx)) {
                    return;
                }
                if (rx.seqLen() > 0) {
                    // The cookie holds the peer's ISN, so only a segment at ISN+1 can be checked. Under a flood the
                    // final ACK and the first data segment (or FIN) can both be lost; a reset to the next would kill
                    // a good connection. Dropped, the peer retransmits from ISN+1 and that one is checked.
                    return;
                }
            }
            stats.count(Stat.NO_SOCKET);
            sendReset(rx, rx.ack, 0, TcpSegment.RST);
            return;
        }
        if ((flags & TcpSegment.SYN) == 0) {
            return;
        }
        if (l.isClosed()) {
            return;
        }
        if (!l.offerSyn()) {
            stats.count(Stat.SYN_QUEUE_OVERFLOW);
            if (config.synCookies) {
                l.lastCookieSlot = cookieSlot();
                sendCookie(rx);
            }
            return;
        }
        FlowKey key = rx.probe.copy();
        Network.Path p = network.path(rx.v6, rx.srcHi, rx.srcLo, true, rx.dstHi, rx.dstLo);
        if (p == null) {
            l.synGone();
            stats.count(Stat.NO_ROUTE);
            return;
        }
        TcpConnection c = new TcpConnection(this, key, p);
        c.listener = l;
        c.inSynQueue = true;
        c.tsOffset = tsOffset(key);
        c.recvBufSize = config.recvSpace;
        if (connections.putIfAbsent(key, c) != null) {
            l.synGone();
            return;
        }
        c.lock.lock();
        try {
            c.openPassive(rx, isn(key));
        } finally {
            c.lock.unlock();
        }
    }

    // =====================================================================================
    // SYN cookies: the handshake's state in our initial sequence number
    // =====================================================================================

    /** 64-second time slots, five bits of them in a cookie. */
    int cookieSlot() {
        return (int) (TimeUnit.NANOSECONDS.toSeconds(timer.now()) >>> 6) & 0x1F;
    }

    /** True if {@code l} answered a SYN with a cookie recently enough for the cookie still to be good. */
    private boolean cookiesInFlight(TcpListenerImpl l) {
        int last = l.lastCookieSlot;
        return last >= 0 && ((cookieSlot() - last) & 0x1F) <= 1;
    }

    private int cookieHash(Rx rx, int peerIsn, int slot) {
        Hashing h = hashing.get();
        return h.hash(cookieKey, rx.v6, rx.dstHi, rx.dstLo, rx.dstPort, rx.srcHi, rx.srcLo, rx.srcPort,
                peerIsn, slot) & 0xFF_FFFF;
    }

    /** Answers a SYN statelessly: the ISN is slot(5) | MSS index(3) | MAC(24); options ride in the timestamp. */
    private void sendCookie(Rx rx) {
        int peerMss = rx.opt.mss > 0 ? rx.opt.mss : config.mssDefault;
        int mssIndex = 0;
        for (int i = COOKIE_MSS.length - 1; i >= 0; i--) {
            if (COOKIE_MSS[i] <= peerMss) {
                mssIndex = i;
                break;
            }
        }
        int slot = cookieSlot();
        int cookie = (slot << 27) | (mssIndex << 24) | cookieHash(rx, rx.seq, slot);
        boolean ts = config.rfc1323 && rx.opt.timestamps;
        boolean ws = ts && rx.opt.windowScale >= 0;
        boolean sack = ts && config.sack && rx.opt.sackPermitted;
        Network.Path p = network.path(rx.v6, rx.srcHi, rx.srcLo, true, rx.dstHi, rx.dstLo);
        if (p == null) {
            return;
        }
        int rcvScale = ws ? scaleFor(config.recvSpace) : 0;
        // Low bits of our timestamp: window scale (15 = none) and SACK, echoed back to us in TSecr.
        int tsVal = ((int) TimeUnit.NANOSECONDS.toMillis(timer.now()) + tsOffset(rx.probe)) & ~0x1F
                | (ws ? rx.opt.windowScale : 0xF) | (sack ? 0x10 : 0);
        int ipHeader = rx.v6 ? 40 : 20;
        int ourMss = p.ipMtu() - ipHeader - 20;
        sendStateless(p, rx, cookie, rx.seq + 1, TcpSegment.SYN | TcpSegment.ACK,
                Math.min(config.recvSpace, 0xFFFF), ourMss, ws ? rcvScale : -1, sack, ts, tsVal, rx.opt.tsVal);
        stats.count(Stat.COOKIES_SENT);
    }

    /** The final ACK of a cookie handshake: if the cookie checks out, the connection is made established. */
    private boolean acceptCookie(TcpListenerImpl l, Rx rx) {
        int cookie = rx.ack - 1;
        int slot = cookie >>> 27;
        int age = (cookieSlot() - slot) & 0x1F;
        if (age > 1 || (cookie & 0xFF_FFFF) != cookieHash(rx, rx.seq - 1, slot)) {
            stats.count(Stat.COOKIES_FAILED);
            return false;
        }
        FlowKey key = rx.probe.copy();
        Network.Path p = network.path(rx.v6, rx.srcHi, rx.srcLo, true, rx.dstHi, rx.dstLo);
        if (p == null || l.isClosed()) {
            return false;
        }
        int mss = COOKIE_MSS[(cookie >>> 24) & 0x7];
        int scale = -1;
        boolean sack = false;
        if (rx.opt.timestamps) {
            int low = rx.opt.tsEcr & 0x1F;
            scale = (low & 0xF) == 0xF ? -1 : low & 0xF;
            sack = (low & 0x10) != 0;
        }
        TcpConnection c = new TcpConnection(this, key, p);
        c.listener = l;
        c.tsOffset = tsOffset(key);
        if (connections.putIfAbsent(key, c) != null) {
            return true;
        }
        stats.count(Stat.COOKIES_ACCEPTED);
        c.lock.lock();
        try {
            c.openFromCookie(rx, mss, scale, sack);
            c.segmentArrives(rx); // takes the ACK (and any data) as SYN_RECEIVED would
            if (c.state == TcpState.SYN_RECEIVED) {
                c.close("cookie connection not admitted"); // the accept queue was full
            }
        } finally {
            c.lock.unlock();
        }
        return true;
    }

    // =====================================================================================
    // Stateless segments: resets and cookie SYN-ACKs
    // =====================================================================================

    /** A reset in answer to {@code rx} (RFC 9293 §3.10.7.1 and §3.10.7.2). */
    void sendReset(Rx rx, int seq, int ack, int flags) {
        Network.Path p = network.path(rx.v6, rx.srcHi, rx.srcLo, true, rx.dstHi, rx.dstLo);
        if (p == null) {
            return;
        }
        sendStateless(p, rx, seq, ack, flags, 0, -1, -1, false, false, 0, 0);
        stats.count(Stat.RST_SENT);
    }

    /** A reset for a connection we give up (RFC 9293 §3.10.5 ABORT, keepalive and retransmission timeouts). */
    void sendResetFor(TcpConnection c) {
        Rx rx = rxs.get();
        FlowKey k = c.key;
        rx.v6 = k.v6;
        rx.srcHi = k.remoteHi;
        rx.srcLo = k.remoteLo;
        rx.srcPort = k.remotePort;
        rx.dstHi = k.localHi;
        rx.dstLo = k.localLo;
        rx.dstPort = k.localPort;
        Network.Path p = c.path;
        sendStateless(p, rx, c.sndNxt, c.rcvNxt, TcpSegment.RST | TcpSegment.ACK, 0, -1, -1, false, false, 0, 0);
        stats.count(Stat.RST_SENT);
    }

    private void sendStateless(Network.Path p, Rx rx, int seq, int ack, int flags, int window, int mss, int wscale,
            boolean sack, boolean ts, int tsVal, int tsEcr) {
        Frame f = network.take();
        if (f == null) {
            stats.count(Stat.NO_BUFFER);
            return;
        }
        long l4 = Network.l4Offset(f, rx.v6);
        MemorySegment s = f.segment();
        long at = l4 + TcpSegment.MIN_HEADER_LEN;
        if (mss > 0) {
            at = TcpOptions.writeMss(s, at, mss);
        }
        if (wscale >= 0) {
            at = TcpOptions.writeWindowScale(s, at, wscale);
        }
        if (sack) {
            at = TcpOptions.writeSackPermitted(s, at);
        }
        if (ts) {
            at = TcpOptions.writeTimestamps(s, at, tsVal, tsEcr);
        }
        int hdrLen = (int) (at - l4);
        TcpSegment t = scratchOut(f, l4, hdrLen);
        t.setSrcPort(rx.dstPort);
        t.setDstPort(rx.srcPort);
        t.setSeq(seq);
        t.setAckNumber(ack);
        t.setHeaderLength(hdrLen);
        t.setFlags(flags);
        t.setWindow(window);
        t.setChecksum(0);
        t.setUrgentPointer(0);
        if (rx.v6) {
            t.fillChecksumV6(p.localHi(), p.localLo(), rx.srcHi, rx.srcLo);
        } else {
            t.fillChecksumV4((int) p.localLo(), (int) rx.srcLo);
        }
        if (p.send(f, hdrLen)) {
            stats.count(Stat.SEGS_SENT);
        }
    }

    /** A segment view over a frame being built, private to the calling thread. */
    TcpSegment scratchOut(Frame f, long l4, int length) {
        return outViews.get().wrap(f.segment(), l4, length);
    }

    /** RFC 5961 §7: challenge ACKs are limited per second, stack-wide. */
    synchronized boolean challengeAllowed(long now) {
        long second = TimeUnit.NANOSECONDS.toSeconds(now);
        if (second != challengeSecond) {
            challengeSecond = second;
            challengeCount = 0;
        }
        return ++challengeCount <= config.challengeAckLimit;
    }

    // =====================================================================================
    // Sequence numbers and timestamps keyed to the four-tuple
    // =====================================================================================

    /** RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4 µs clock. */
    int isn(FlowKey k) {
        int m = (int) (timer.now() / 4000);
        return m + hashing.get().hash(isnKey, k.v6, k.localHi, k.localLo, k.localPort, k.remoteHi, k.remoteLo,
                k.remotePort, 0, 0);
    }

    /** RFC 7323 §5.4: a per-connection offset of the timestamp clock, from the four-tuple. */
    int tsOffset(FlowKey k) {
        return hashing.get().hash(isnKey, k.v6, k.localHi, k.localLo, k.localPort, k.remoteHi, k.remoteLo,
                k.remotePort, 1, 1);
    }

    /** HMAC-SHA256 over a four-tuple and two extra words, per thread, reusing its buffers. */
    private static final class Hashing {
        private final byte[] in = new byte[48];
        private final byte[] out = new byte[32];
        private Mac mac;
        private SecretKeySpec keyed;

        int hash(SecretKeySpec key, boolean v6, long lhi, long llo, int lport, long rhi, long rlo, int rport,
                int extra1, int extra2) {
            try {
                if (mac == null) {
                    mac = Mac.getInstance("HmacSHA256");
                }
                if (keyed != key) {
                    mac.init(key);
                    keyed = key;
                }
                putLong(0, lhi);
                putLong(8, llo);
                putLong(16, rhi);
                putLong(24, rlo);
                putInt(32, (lport << 16) | rport);
                putInt(36, extra1);
                putInt(40, extra2);
                putInt(44, v6 ? 6 : 4);
                mac.update(in, 0, in.length);
                mac.doFinal(out, 0);
                return ((out[0] & 0xFF) << 24) | ((out[1] & 0xFF) << 16) | ((out[2] & 0xFF) << 8) | (out[3] & 0xFF);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }

        private void putLong(int at, long v) {
            putInt(at, (int) (v >>> 32));
            putInt(at + 4, (int) v);
        }

        private void putInt(int at, int v) {
            in[at] = (byte) (v >>> 24);
            in[at + 1] = (byte) (v >>> 16);
            in[at + 2] = (byte) (v >>> 8);
            in[at + 3] = (byte) v;
        }
    }

    static int scaleFor(int buffer) {
        int shift = 0;
        while (shift < TcpOptions.MAX_WINDOW_SCALE && (buffer >> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    // =====================================================================================
    // Tables
    // =====================================================================================

    private TcpListenerImpl findListener(boolean v6, long hi, long lo, int port) {
        TcpListenerImpl[] ls = listeners.get(port);
        if (ls == null) {
            return null;
        }
        TcpListenerImpl wildcard = null;
        for (TcpListenerImpl l : ls) {
            if (l.address != null && l.matches(v6, hi, lo)) {
                return l;
            }
            if (l.address == null && l.matches(v6, hi, lo)) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    void remove(TcpConnection c) {
        connections.remove(c.key, c);
        if (c.inSynQueue && c.listener != null) {
            c.inSynQueue = false;
            c.listener.synGone();
        }
        synchronized (activePorts) {
            int p = c.key.localPort - EPHEMERAL_FIRST;
            if (p >= 0 && activePorts.get(p) && !portInUse(c.key.localPort)) {
                activePorts.clear(p);
            }
        }
    }

    private boolean portInUse(int port) {
        for (FlowKey k : connections.keySet()) {
            if (k.localPort == port) {
                return true;
            }
        }
        return false;
    }

    void unlisten(TcpListenerImpl l) {
        listeners.computeIfPresent(l.port, (p, ls) -> {
            List<TcpListenerImpl> keep = new ArrayList<>(List.of(ls));
            keep.remove(l);
            return keep.isEmpty() ? null : keep.toArray(TcpListenerImpl[]::new);
        });
        // A listener on port 0 took its port from the ephemeral range: give it back
        // once nothing listens there and no connection accepted there remains.
        synchronized (activePorts) {
            int p = l.port - EPHEMERAL_FIRST;
            if (p >= 0 && activePorts.get(p) && !listeners.containsKey(l.port) && !portInUse(l.port)) {
                activePorts.clear(p);
            }
        }
    }

    /** A free ephemeral port (RFC 6056 §3.3.2: a random start, then sequential). */
    private int allocatePort() throws BindException {
        synchronized (activePorts) {
            for (int i = 0; i < EPHEMERAL_COUNT; i++) {
                int p = (nextPort + i) % EPHEMERAL_COUNT;
                int port = EPHEMERAL_FIRST + p;
                if (!activePorts.get(p) && !listeners.containsKey(port)) {
                    activePorts.set(p);
                    nextPort = (p + 1 + random.nextInt(64)) % EPHEMERAL_COUNT;
                    return port;
                }
            }
        }
        throw new BindException("no free ephemeral port");
    }

    private void claimPort(int port) {
        synchronized (activePorts) {
            if (port >= EPHEMERAL_FIRST) {
                activePorts.set(port - EPHEMERAL_FIRST);
            }
        }
    }

    InetAddress wildcard(boolean v4Only) {
        try {
            return v4Only ? InetAddress.getByAddress(new byte[4]) : InetAddress.getByAddress(new byte[16]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    // =====================================================================================
    // TcpStack
    // =====================================================================================

    @Override
    public TcpSocket open() {
        return new ConnectionSocket(this);
    }

    @Override
    public TcpSocket connect(InetSocketAddress remote, InetSocketAddress local, Duration timeout) throws IOException {
        TcpSocket s = open();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote, timeout);
            return s;
        } catch (IOException | RuntimeException e) {
            s.abort();
            throw e;
        }
    }

    /** Opens a connection for {@link ConnectionSocket#connect}: routes, picks the port, sends the SYN. */
    TcpConnection openConnection(InetSocketAddress remote, InetSocketAddress local, ConnectionSocket settings)
            throws IOException {
        InetAddress ra = remote.getAddress();
        if (ra == null) {
            throw new UnknownHostException(remote.getHostString());
        }
        if (remote.getPort() <= 0 || remote.getPort() > 65535) {
            throw new IllegalArgumentException("port " + remote.getPort() + " out of range");
        }
        boolean v6 = ra instanceof Inet6Address;
        long rhi = Addresses.hi(ra);
        long rlo = Addresses.lo(ra);
        boolean localGiven = local != null && !Addresses.isWildcard(local.getAddress());
        if (localGiven && Addresses.isV6(local.getAddress()) != v6) {
            throw new BindException("local address " + local.getAddress().getHostAddress() + " is not of the family of "
                    + ra.getHostAddress());
        }
        long lhi = localGiven ? Addresses.hi(local.getAddress()) : 0;
        long llo = localGiven ? Addresses.lo(local.getAddress()) : 0;
        if (localGiven && !network.isLocal(v6, lhi, llo)) {
            throw new BindException("cannot assign requested address " + local.getAddress().getHostAddress()
                    + " (not an address of this stack)");
        }
        Network.Path p = network.path(v6, rhi, rlo, localGiven, lhi, llo);
        if (p == null) {
            stats.count(Stat.NO_ROUTE);
            throw new NoRouteToHostException("no route to " + ra.getHostAddress());
        }
        int lport = local == null || local.getPort() == 0 ? allocatePort() : local.getPort();
        if (local != null && local.getPort() != 0) {
            claimPort(lport);
        }
        FlowKey key = new FlowKey().set(v6, p.localHi(), p.localLo(), lport, rhi, rlo, remote.getPort());
        TcpConnection c = new TcpConnection(this, key, p);
        settings.applyTo(c);
        c.tsOffset = tsOffset(key);
        if (connections.putIfAbsent(key, c) != null) {
            throw new BindException("address already in use: " + key);
        }
        c.lock.lock();
        try {
            c.openActive(isn(key));
        } finally {
            c.flushAndUnlock();
        }
        return c;
    }

    @Override
    public TcpListener listen(InetSocketAddress local, int backlog) throws IOException {
        InetAddress a = local.getAddress();
        boolean wildcard = Addresses.isWildcard(a);
        boolean v4Only = wildcard && a instanceof Inet4Address;
        if (!wildcard && !network.isLocal(Addresses.isV6(a), Addresses.hi(a), Addresses.lo(a))) {
            throw new BindException("cannot assign requested address " + a.getHostAddress()
                    + " (not an address of this stack)");
        }
        if (local.getPort() < 0 || local.getPort() > 65535) {
            throw new IllegalArgumentException("port " + local.getPort() + " out of range");
        }
        synchronized (listeners) {
            int port = local.getPort() == 0 ? allocatePort() : local.getPort();
            TcpListenerImpl l = new TcpListenerImpl(this, wildcard ? null : a, v4Only, port, backlog);
            TcpListenerImpl[] ls = listeners.get(port);
            if (ls != null) {
                for (TcpListenerImpl o : ls) {
                    boolean clash = o.address == null || l.address == null ? true : o.address.equals(l.address);
                    if (clash) {
                        throw new BindException("address already in use: port " + port
                                + (o.address == null ? "" : " on " + o.address.getHostAddress()));
                    }
                }
            }
            List<TcpListenerImpl> all = new ArrayList<>(ls == null ? List.of() : List.of(ls));
            all.add(l);
            listeners.put(port, all.toArray(TcpListenerImpl[]::new));
            return l;
        }
    }

    @Override
    public List<TcpConnectionInfo> connections() {
        List<TcpConnectionInfo> out = new ArrayList<>();
        for (TcpListenerImpl[] ls : listeners.values()) {
            for (TcpListenerImpl l : ls) {
                out.add(new TcpConnectionInfo(l.localAddress(), null, TcpState.LISTEN, l.queued(), 0,
                        java.util.Map.of("backlog", l.backlog)));
            }
        }
        for (TcpConnection c : connections.values()) {
            c.lock.lock();
            try {
                FlowKey k = c.key;
                out.add(new TcpConnectionInfo(Addresses.socket(k.v6, k.localHi, k.localLo, k.localPort),
                        Addresses.socket(k.v6, k.remoteHi, k.remoteLo, k.remotePort), c.state, c.recvQueued(),
                        c.sendQueued(), c.details()));
            } finally {
                c.lock.unlock();
            }
        }
        out.sort(Comparator.comparing((TcpConnectionInfo i) -> i.local().getPort())
                .thenComparing(i -> i.remote() == null ? "" : i.remote().toString()));
        return out;
    }

    /** The connections in the table (for tests). */
    List<TcpConnection> connectionsForTest() {
        return List.copyOf(connections.values());
    }

    /** Connections in the table (for tests and leak checks). */
    int connectionCount() {
        return connections.size();
    }

    /** Resets every connection and closes every listener (the stack is stopping). */
    public void close() {
        for (TcpListenerImpl[] ls : List.copyOf(listeners.values())) {
            for (TcpListenerImpl l : ls) {
                l.close();
            }
        }
        for (TcpConnection c : List.copyOf(connections.values())) {
            c.lock.lock();
            try {
                if (c.state.synchronizedState() && c.state != TcpState.TIME_WAIT) {
                    sendResetFor(c);
                }
                c.reset("Socket closed: the stack stopped");
            } finally {
                c.lock.unlock();
            }
        }
        network.flush();
    }

    static SocketException closedError() {
        return new SocketException("Socket is closed");
    }
}
