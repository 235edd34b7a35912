package io.pktstack.core.internal.tcp;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.tcp.TcpState;
import io.pktstack.api.wire.TcpOptions;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.core.internal.tcp.TcpStats.Stat;
import io.pktstack.core.internal.time.StackTimer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One TCP connection: the transmission control block of RFC 9293 §3.3.1 and
 * what acts on it, segment arrival (§3.10.7), output, and the timers.
 *
 * <p>Locking: every field is guarded by {@link #lock}. A receive thread holds
 * it while a segment is processed, the timer thread while a timer runs, an
 * application thread while it reads, writes or closes; segments are sent by
 * whichever of them holds it. Waiting readers and writers sleep on
 * {@link #changed}, woken whenever data, space, or state changes.
 *
 * <p>Sequence space of what we send: {@code iss} is the SYN; the send buffer
 * holds the bytes from {@code sndBufSeq} on (SND.UNA, or SND.UNA + 1 while the
 * SYN is unacknowledged); a FIN, once queued, has the sequence number after
 * the last buffered byte ({@link #finSeq()}).
 */
final class TcpConnection {

    private static final long DAYS_24_NANOS = TimeUnit.DAYS.toNanos(24);
    private static final long PERSIST_MIN = TimeUnit.SECONDS.toNanos(5);
    /** RFC 8985 §7.2 WCDelAckT: how long a receiver may delay an ACK, worst case. */
    private static final long WORST_CASE_DELAYED_ACK = TimeUnit.MILLISECONDS.toNanos(200);
    /** A probe timeout below this fires on scheduling noise, not on a loss. */
    private static final long MIN_PTO = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long PERSIST_MAX = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_SACK_BLOCKS_WITH_TS = 3;

    final Tcp tcp;
    final TcpConfig cfg;
    final TcpStats stats;
    final StackTimer timer;
    final FlowKey key;
    Network.Path path;
    final ReentrantLock lock = new ReentrantLock();

    /**
     * Sends what this thread queued and releases {@link #lock}. The segments a
     * thread builds wait in its own output batch; were the lock released first,
     * another thread (an application's write against the receive thread's ACK
     * processing) could build later segments and send them ahead, and the peer
     * would see reordering it answers with duplicate ACKs, SACK recovery and
     * PAWS drops. Flushing under the lock keeps a connection's segments in the
     * order they were built. {@link Network#flush} never calls back into TCP.
     */
    void flushAndUnlock() {
        try {
            tcp.network.flush();
        } finally {
            lock.unlock();
        }
    }
    /** Readers, writers and a connect waiting for this connection to change. */
    final WaitQueue changed = new WaitQueue();

    TcpState state = TcpState.CLOSED;
    /** The listener a passive connection belongs to until accepted. */
    TcpListenerImpl listener;
    /** Counted in its listener's SYN queue (SYN_RECEIVED from a SYN). */
    boolean inSynQueue;

    // ---- send sequence space (RFC 9293 §3.3.1)
    int iss;
    int sndUna;
    int sndNxt;
    /** The highest sequence number sent (BSD snd_max): above SND.NXT after a timeout rewinds it. */
    int sndMax;
    int sndWl1;
    int sndWl2;
    long sndWnd;
    long maxSndWnd;
    int sndBufSeq;
    boolean finQueued;
    /** Shift applied to the peer's window field (its Window Scale), and to ours. */
    int sndScale;
    int rcvScale;

    // ---- receive sequence space
    int irs;
    int rcvNxt;
    /** Right edge of the window last advertised: never moved left (RFC 9293 §3.8.6.2.2). */
    int rcvAdv;
    /** RCV.NXT when we last sent an ACK (RFC 7323 Last.ACK.sent). */
    int lastAckSent;
    boolean peerFinPending;
    int peerFinSeq;
    boolean peerFinReceived;
    final Assembler reassembly = new Assembler();

    // ---- buffers, made when the connection is established (a SYN flood costs no buffers)
    ByteRing sendBuf;
    ByteRing recvBuf;
    int sendBufSize;
    int recvBufSize;

    // ---- options
    boolean wsOk;
    boolean tsOk;
    boolean sackOk;
    int tsRecent;
    long tsRecentAge;
    /** Added to our timestamp clock for this connection (RFC 7323 §5.4): keyed by the four-tuple. */
    int tsOffset;
    int peerMss = -1;
    /** Data bytes per full segment with the options every segment carries (Eff.snd.MSS less timestamps). */
    int smss = 536;

    // ---- retransmission and congestion
    final RttEstimator rtt;
    boolean timing;
    int rtSeq;
    long rtStart;
    int rexmtCount;
    CongestionControl cc;
    boolean inRecovery;
    int recoverSeq;
    int highRxt;
    int dupAcks;
    /** NewReno's window inflation during recovery without SACK (RFC 6582). */
    long inflation;
    final SackScoreboard scoreboard = new SackScoreboard();
    /** Retransmissions of the current SACK recovery, to notice those lost again. */
    private final Retransmissions retransmissions = new Retransmissions();
    long lastSendTime;
    long lastRecvTime;
    /** The retransmission timer is armed as a tail loss probe timeout (RFC 8985 §7), not as the RTO. */
    boolean probeArmed;
    /** A probe went out and SND.MAX then (TLP's episode) has not been acknowledged yet. */
    boolean probeOutstanding;
    int probeHigh;
    boolean persisting;
    int persistShift;
    long retransmittedSegments;

    // ---- acknowledgment
    boolean ackNow;
    /** The application read since we last advertised: the window may have opened enough to say so. */
    boolean windowOpened;
    int unackedSegments;
    /** This connection's ACK waits for the end of a receive batch (see {@link Tcp#inputInBatch}). */
    boolean ackAtBatchEnd;
    /** In the receive thread's list of connections to output at the end of its batch. */
    boolean batchListed;
    /** The socket's waiters are woken at the end of the receive batch. */
    boolean wakeAtBatchEnd;

    // ---- socket side
    boolean noDelay;
    boolean keepAlive;
    int keepIdleSeconds;
    int keepIntervalSeconds;
    int keepCount;
    int keepProbes;
    int lingerSeconds = -1;
    long readTimeoutNanos;
    long writeTimeoutNanos;
    boolean inputShutdown;
    boolean outputShutdown;
    /** The application has closed the socket: nobody will read; the stack finishes the close. */
    boolean orphan;
    /** Why the connection ended, for the application's next call; null while it works. */
    IOException error;
    private boolean removed;

    private final TimerTask rexmtTimer = new TimerTask(TimerTask.REXMT);
    private final TimerTask delackTimer = new TimerTask(TimerTask.DELACK);
    private final TimerTask idleTimer = new TimerTask(TimerTask.IDLE);
    private final int[] sackOut = new int[2 * TcpOptions.MAX_SACK_BLOCKS];

    TcpConnection(Tcp tcp, FlowKey key, Network.Path path) {
        this.tcp = tcp;
        this.cfg = tcp.config;
        this.stats = tcp.stats;
        this.timer = tcp.timer;
        this.key = key;
        this.path = path;
        this.rtt = new RttEstimator(cfg.minRtoNanos(), cfg.maxRtoNanos());
        this.sendBufSize = cfg.sendSpace;
        this.recvBufSize = cfg.recvSpace;
        this.keepIdleSeconds = cfg.keepIdleSeconds;
        this.keepIntervalSeconds = cfg.keepIntervalSeconds;
        this.keepCount = cfg.keepCount;
        this.cc = cfg.newCongestionControl();
    }

    /** One of the connection's timers; which one it is says what its expiry does. */
    private final class TimerTask extends StackTimer.Task {
        static final int REXMT = 0;
        static final int DELACK = 1;
        static final int IDLE = 2;
        final int kind;

        TimerTask(int kind) {
            this.kind = kind;
        }

        @Override
        protected void run(long now) {
            lock.lock();
            try {
                switch (kind) {
                    case REXMT -> retransmitTimeout(now);
                    case DELACK -> {
                        if (state != TcpState.CLOSED) {
                            ackNow = true;
                            stats.count(Stat.DELAYED_ACKS);
                            output();
                        }
                    }
                    default -> idleTimeout(now);
                }
            } finally {
                flushAndUnlock();
            }
        }
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Our receive window scale: the smallest shift that lets the buffer be advertised (RFC 7323 §2.3). */
    private int wantedRcvScale() {
        int shift = 0;
        while (shift < TcpOptions.MAX_WINDOW_SCALE && (recvBufSize >> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    /** Active open (RFC 9293 §3.10.1): sends the SYN. Caller holds the lock. */
    void openActive(int isn) {
        iss = isn;
        sndUna = sndNxt = sndMax = iss;
        sndBufSeq = iss + 1;
        rcvScale = cfg.rfc1323 ? wantedRcvScale() : 0;
        state = TcpState.SYN_SENT;
        stats.count(Stat.CONN_ATTEMPTS);
        output();
    }

    /**
     * Passive open from a SYN that reached a listener (RFC 9293 §3.10.7.2):
     * takes the peer's options and sends SYN-ACK. Caller holds the lock.
     */
    void openPassive(Rx rx, int isn) {
        iss = isn;
        sndUna = sndNxt = sndMax = iss;
        sndBufSeq = iss + 1;
        irs = rx.seq;
        rcvNxt = irs + 1;
        rcvAdv = rcvNxt;
        lastRecvTime = timer.now();
        takeSynOptions(rx.opt, true);
        sndWnd = rx.window; // never scaled in a SYN (RFC 7323 §2.2)
        sndWl1 = rx.seq;
        sndWl2 = iss;
        state = TcpState.SYN_RECEIVED;
        ackNow = true;
        output();
    }

    /**
     * A connection made from a valid SYN cookie (the final ACK of a handshake
     * we did not keep state for): established at once with what the cookie and
     * the echoed timestamp carry.
     */
    void openFromCookie(Rx rx, int mss, int peerScale, boolean sack) {
        iss = rx.ack - 1;
        sndUna = iss; // our SYN-ACK is what this ACK acknowledges
        sndNxt = sndMax = iss + 1;
        sndBufSeq = iss + 1;
        irs = rx.seq - 1;
        rcvNxt = rx.seq;
        rcvAdv = rcvNxt + Math.min(recvBufSize, 0xFFFF); // the window our cookie SYN-ACK offered
        peerMss = mss;
        tsOk = cfg.rfc1323 && rx.opt.timestamps;
        wsOk = tsOk && peerScale >= 0;
        sndScale = wsOk ? peerScale : 0;
        rcvScale = wsOk ? wantedRcvScale() : 0;
        sackOk = cfg.sack && sack && tsOk;
        if (tsOk) {
            tsRecent = rx.opt.tsVal;
            tsRecentAge = timer.now();
        }
        sndWl1 = rx.seq - 1;
        sndWl2 = rx.ack;
        sndWnd = (long) rx.window << sndScale;
        state = TcpState.SYN_RECEIVED;
    }

    /** Options of a SYN (or SYN-ACK): what both sides offered is what is used (RFC 7323 §2.2, §3.2; RFC 2018 §2). */
    private void takeSynOptions(TcpOptions o, boolean passive) {
        peerMss = o.mss > 0 ? o.mss : cfg.mssDefault;
        boolean weOffer = cfg.rfc1323;
        wsOk = weOffer && o.windowScale >= 0;
        sndScale = wsOk ? o.windowScale : 0;
        if (passive) {
            rcvScale = wsOk ? wantedRcvScale() : 0;
        } else if (!wsOk) {
            rcvScale = 0;
        }
        tsOk = weOffer && o.timestamps;
        if (tsOk) {
            tsRecent = o.tsVal;
            tsRecentAge = timer.now();
        }
        sackOk = cfg.sack && o.sackPermitted;
    }

    /** Entering ESTABLISHED: buffers, segment size, congestion window. */
    private void established() {
        state = TcpState.ESTABLISHED;
        if (sendBuf == null) {
            sendBuf = new ByteRing(sendBufSize);
            recvBuf = new ByteRing(recvBufSize);
        }
        if (peerMss < 0) {
            peerMss = cfg.mssDefault;
        }
        smss = Math.max(64, maxSegmentData(0) - (tsOk ? 12 : 0));
        cc.init(smss, timer.now());
        rexmtCount = 0;
        rtt.resetBackoff();
        stats.count(Stat.CONN_ESTABLISHED);
        armKeepalive();
        changed.wakeAll();
    }

    /** Data bytes a segment may carry next to {@code optionBytes} of options (RFC 9293 §3.7.1 Eff.snd.MSS). */
    private int maxSegmentData(int optionBytes) {
        int ipHeader = key.v6 ? 40 : 20;
        return Math.min(peerMss + 20, path.ipMtu() - ipHeader) - 20 - optionBytes;
    }

    /** Most data bytes in a large segment: whole SMSS, at most 64 of them, the IP length within 64 KiB. */
    private int largeSegmentData() {
        return Math.min(MAX_LARGE_SEGMENTS, (0xFFFF - 60 - 60) / smss) * smss;
    }

    /** Segments a large one may be cut into, whatever the MSS: within what one frame batch carries. */
    static final int MAX_LARGE_SEGMENTS = 64;

    /** The MSS we offer: what fits our interface's MTU. */
    private int ourMss() {
        return path.ipMtu() - (key.v6 ? 40 : 20) - 20;
    }

    // =====================================================================================
    // Segment arrival (RFC 9293 §3.10.7), caller holds the lock
    // =====================================================================================

    void segmentArrives(Rx rx) {
        long now = timer.now();
        lastRecvTime = now;
        keepProbes = 0;
        if (state == TcpState.SYN_SENT) {
            synSentArrives(rx, now);
            return;
        }
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            return;
        }
        int flags = rx.flags;
        boolean rst = (flags & TcpSegment.RST) != 0;
        boolean syn = (flags & TcpSegment.SYN) != 0;

        // RFC 7323 §5.3: PAWS, before the sequence check. A pure ACK within the window is let through (as
        // Linux does): ACKs sent by different threads of the peer may cross, and dropping one protects nothing.
        if (tsOk && rx.opt.timestamps && !rst && Seq.lt(rx.opt.tsVal, tsRecent)
                && now - tsRecentAge < DAYS_24_NANOS && !reorderedPureAck(rx)) {
            stats.count(Stat.PAWS_DROPPED);
            ackNow = true;
            output();
            return;
        }

        int seq = rx.seq;
        if (syn && state == TcpState.SYN_RECEIVED && (flags & TcpSegment.ACK) != 0 && seq == irs && rx.ack == sndNxt
                && listener == null) {
            // Simultaneous open (RFC 9293 §3.10.7.3, figure 8): the peer's SYN-ACK acknowledges our SYN; take it
            // as that ACK, past its SYN.
            syn = false;
            seq = irs + 1;
            rx.seq = seq;
            rx.flags = flags & ~TcpSegment.SYN;
            flags = rx.flags;
        }
        // A SYN in a synchronized state, whatever its sequence number (RFC 5961 §4.2): a challenge ACK.
        if (syn && !rst) {
            if (state == TcpState.SYN_RECEIVED && seq == irs) {
                // The SYN again: our SYN-ACK was lost; answer it again (RFC 9293 §3.10.7.4 note).
                sndNxt = iss;
                output();
                return;
            }
            stats.count(Stat.SYN_IN_SYNCHRONIZED);
            challengeAck(now);
            return;
        }

        // First: sequence number acceptable? (§3.10.7.4)
        int segLen = rx.dataLen + (syn ? 1 : 0) + ((flags & TcpSegment.FIN) != 0 ? 1 : 0);
        int rcvWnd = Math.max(0, rcvAdv - rcvNxt);
        if (!acceptable(seq, segLen, rcvWnd)) {
            if (!rst) {
                if (rx.dataLen == 1 && rcvWnd == 0 && seq == rcvNxt) {
                    stats.count(Stat.WINDOW_PROBES_IN);
                } else {
                    stats.count(Seq.lt(seq, rcvNxt) ? Stat.DUP_SEGS : Stat.OUT_OF_WINDOW);
                }
                ackNow = true;
                output();
            } else {
                stats.count(Stat.RST_IGNORED);
            }
            return;
        }

        // Second: RST (RFC 5961 §3.2): only an exact match resets; in the window it earns a challenge ACK.
        if (rst) {
            if (seq == rcvNxt) {
                stats.count(Stat.RST_RECEIVED);
                reset(state == TcpState.SYN_RECEIVED && listener != null ? null : "Connection reset");
            } else {
                challengeAck(now);
            }
            return;
        }

        // Fifth: ACK bit off: drop.
        if ((flags & TcpSegment.ACK) == 0) {
            return;
        }
        int ack = rx.ack;
        if (state == TcpState.SYN_RECEIVED) {
            if (Seq.lt(sndUna, ack) && Seq.le(ack, sndMax)) {
                if (listener != null && !listener.admit(this)) {
                    stats.count(Stat.LISTEN_QUEUE_OVERFLOW);
                    return; // the peer retransmits; it may find room then
                }
                sndWnd = (long) rx.window << sndScale;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                sndWl1 = seq;
                sndWl2 = ack;
                established();
                if (listener != null) {
                    listener.ready(this);
                }
            } else {
                tcp.sendReset(rx, ack, 0, TcpSegment.RST);
                return;
            }
        }
        // RFC 5961 §5.2: an ACK must lie in [SND.UNA - MAX.SND.WND, SND.MAX].
        if (Seq.gt(ack, sndMax)) {
            stats.count(Stat.ACK_FOR_UNSENT);
            challengeAck(now);
            return;
        }
        if (Seq.lt(ack, (int) (sndUna - Math.max(maxSndWnd, 1)))) {
            challengeAck(now);
            return;
        }
        if (tsOk && rx.opt.timestamps && Seq.ge(rx.opt.tsVal, tsRecent) && Seq.le(seq, lastAckSent)) {
            tsRecent = rx.opt.tsVal; // RFC 7323 §4.3 (2)
            tsRecentAge = now;
        }
        boolean sackNews = false;
        if (sackOk && rx.opt.sackBlocks > 0) {
            sackNews = scoreboard.update(rx.opt.sack, rx.opt.sackBlocks, sndUna, sndMax);
        }
        long oldWnd = sndWnd;
        if (Seq.gt(ack, sndUna)) {
            newAck(rx, ack, now);
        } else if (ack == sndUna && rx.dataLen == 0 && (flags & TcpSegment.FIN) == 0
                && ((long) rx.window << sndScale) == oldWnd && sndMax != sndUna && rx.window != 0
                && (!sackOk || sackNews || rx.opt.sackBlocks == 0)) {
            // RFC 5681 §2 duplicate ACK; not one that shows a closed window (the answer to a zero-window probe):
            // the receiver refused the data, the network lost nothing (BSD and Linux leave persist out too).
            duplicateAck(now);
        }
        // Window update (§3.10.7.4, fifth, ESTABLISHED): only from a newer segment.
        if (Seq.lt(sndWl1, seq) || (sndWl1 == seq && Seq.le(sndWl2, ack))) {
            sndWnd = (long) rx.window << sndScale;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            if (sndWnd > 0 && persisting) {
                persisting = false;
                persistShift = 0;
                timer.cancel(rexmtTimer);
                // What the probes sent beyond SND.UNA may have been refused by the closed window: send it again
                // from SND.UNA now, and never leave it without a retransmission timer (RFC 9293 §3.8.6.1,
                // RFC 6298 (5.1)).
                sndNxt = sndUna;
                if (sndUna != sndMax) {
                    armRetransmit();
                }
            }
        }
        if (state == TcpState.CLOSED) {
            return; // the ACK of our FIN ended LAST_ACK
        }
        if (finAcked()) {
            switch (state) {
                case FIN_WAIT_1 -> {
                    state = TcpState.FIN_WAIT_2;
                    if (orphan) {
                        timer.schedule(idleTimer, TimeUnit.SECONDS.toNanos(cfg.finWait2Seconds));
                    }
                }
                case CLOSING -> enterTimeWait();
                case LAST_ACK -> {
                    close("closed");
                    return;
                }
                default -> {
                }
            }
        }
        if (state == TcpState.TIME_WAIT) {
            if ((flags & TcpSegment.FIN) != 0) {
                ackNow = true; // a retransmitted FIN: acknowledge it again and restart 2 MSL
                enterTimeWait();
                output();
            }
            return;
        }

        // Seventh: segment text.
        if (rx.dataLen > 0 || (flags & TcpSegment.FIN) != 0) {
            receive(rx, seq, now);
        }
        if (rx.inBatch && !ackNow) {
            deferToBatchEnd(rx); // what this ACK lets out goes with what the batch's next ACKs let out
        } else {
            output();
        }
    }

    /** A segment with only an ACK, at RCV.NXT, acknowledging nothing we have not sent. */
    private boolean reorderedPureAck(Rx rx) {
        return rx.dataLen == 0 && (rx.flags & (TcpSegment.SYN | TcpSegment.FIN)) == 0
                && (rx.flags & TcpSegment.ACK) != 0 && rx.seq == rcvNxt && Seq.le(rx.ack, sndMax)
                && Seq.ge(rx.ack, sndUna);
    }

    /** The acceptability test of RFC 9293 §3.10.7.4 (first), with the allowance it asks for a zero window. */
    private boolean acceptable(int seq, int segLen, int rcvWnd) {
        if (segLen == 0) {
            return rcvWnd == 0 ? seq == rcvNxt : Seq.inRange(seq, rcvNxt, rcvNxt + rcvWnd);
        }
        if (rcvWnd == 0) {
            return seq == rcvNxt; // its ACK and RST still count; its text is trimmed away below
        }
        return Seq.inRange(seq, rcvNxt, rcvNxt + rcvWnd) || Seq.inRange(seq + segLen - 1, rcvNxt, rcvNxt + rcvWnd);
    }

    private void synSentArrives(Rx rx, long now) {
        int flags = rx.flags;
        boolean ackBit = (flags & TcpSegment.ACK) != 0;
        if (ackBit && (Seq.le(rx.ack, iss) || Seq.gt(rx.ack, sndMax))) {
            if ((flags & TcpSegment.RST) == 0) {
                tcp.sendReset(rx, rx.ack, 0, TcpSegment.RST);
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (ackBit) {
                stats.count(Stat.RST_RECEIVED);
                stats.count(Stat.CONN_REFUSED);
                reset("Connection refused");
            }
            return;
        }
        if ((flags & TcpSegment.SYN) == 0) {
            return;
        }
        irs = rx.seq;
        rcvNxt = irs + 1;
        rcvAdv = rcvNxt;
        takeSynOptions(rx.opt, false);
        if (ackBit) {
            sndUna = rx.ack;
            if (timing && Seq.gt(sndUna, rtSeq)) {
                rtt.sample(now - rtStart);
                stats.count(Stat.RTT_UPDATES);
                timing = false;
            }
            timer.cancel(rexmtTimer);
            sndWnd = rx.window; // RFC 7323 §2.2: the window of a SYN-ACK is never scaled
            maxSndWnd = sndWnd;
            sndWl1 = rx.seq;
            sndWl2 = rx.ack;
            established();
            ackNow = true;
            output();
        } else {
            // Simultaneous open (§3.10.7.3): SYN-ACK ours, from SYN_RECEIVED.
            state = TcpState.SYN_RECEIVED;
            sndWnd = rx.window;
            sndWl1 = rx.seq;
            sndNxt = iss;
            ackNow = true;
            output();
        }
    }

    /** New data acknowledged: free it, measure, grow the window or move recovery on. */
    private void newAck(Rx rx, int ack, long now) {
        int acked = ack - sndUna;
        long flight = sndMax - sndUna;
        stats.count(Stat.ACKS_RECEIVED);
        rexmtCount = 0;
        if (timing && Seq.gt(ack, rtSeq)) {
            rtt.sample(now - rtStart);
            stats.count(Stat.RTT_UPDATES);
            timing = false;
        } else if (!timing) {
            rtt.resetBackoff();
        }
        // Free acknowledged bytes (the SYN and our FIN are not in the buffer).
        if (sendBuf != null) {
            int dataAcked = Seq.min(ack, sndBufSeq + sendBuf.size()) - sndBufSeq;
            if (dataAcked > 0) {
                sendBuf.consume(dataAcked);
                sndBufSeq += dataAcked;
            }
        }
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        if (Seq.lt(highRxt, sndUna)) {
            highRxt = sndUna;
        }
        scoreboard.advance(sndUna);
        if (inRecovery) {
            if (Seq.ge(ack, recoverSeq)) {
                inRecovery = false;
                inflation = 0;
                dupAcks = 0;
                cc.onRecoveryEnd(now);
            } else if (!sackOk) {
                // RFC 6582 §3.2 (5): partial ACK: retransmit the next hole, deflate by what was acked.
                retransmit(sndUna, smss);
                inflation = Math.max(0, inflation - acked) + smss;
            }
        } else {
            dupAcks = 0;
            if (state.synchronizedState()) {
                cc.onAck(acked, flight, now, rtt.srtt());
            }
        }
        if (probeOutstanding && Seq.ge(ack, probeHigh)) {
            probeOutstanding = false;
        }
        if (sndUna == sndMax) {
            if (!persisting) {
                timer.cancel(rexmtTimer);
                probeArmed = false;
            }
        } else {
            armRetransmit();
        }
        wake(rx); // writers: space; close: FIN acknowledged
    }

    /**
     * Wakes the socket's waiting threads, at once or, for a segment of a
     * receive batch, at the batch's end: one wake-up (an unpark, a system call
     * when the thread sleeps) for all that the batch brought or freed, and
     * more to read or room to write when the thread runs.
     */
    private void wake(Rx rx) {
        if (rx.inBatch) {
            wakeAtBatchEnd = true;
            deferToBatchEnd(rx);
        } else {
            changed.wakeAll();
        }
    }

    /** A duplicate acknowledgment (RFC 5681 §2; with SACK, RFC 6675 §5). */
    private void duplicateAck(long now) {
        dupAcks++;
        stats.count(Stat.DUP_ACKS);
        if (!inRecovery) {
            if (dupAcks >= dupThreshold() || (sackOk && scoreboard.isLost(sndUna, smss))) {
                enterRecovery(now);
            }
            // Below the threshold, limited transmit (RFC 3042) lets output() send new data.
        } else if (!sackOk) {
            inflation += smss; // RFC 6582 §3.2 (4)
        }
    }

    /**
     * DupThresh, lowered by early retransmit (RFC 5827 §3.1) to oseg - 1 when
     * two or three segments are outstanding and nothing new can be sent: three
     * duplicate ACKs would never come. With one segment outstanding no segment
     * after it can raise a duplicate ACK (oseg - 1 = 0): ER does not apply.
     */
    private int dupThreshold() {
        int outstanding = (sndMax - sndUna + smss - 1) / smss;
        boolean nothingNew = unsent() == 0 || sndWnd - (sndNxt - sndUna) < smss;
        return outstanding >= 2 && outstanding < 4 && nothingNew ? outstanding - 1 : SackScoreboard.DUP_THRESH;
    }

    private void enterRecovery(long now) {
        probeOutstanding = false;
        inRecovery = true;
        recoverSeq = sndMax;
        highRxt = sndUna;
        timing = false; // Karn: nothing retransmitted is timed
        cc.onCongestion(sndMax - sndUna, now);
        stats.count(Stat.FAST_RETRANSMITS);
        stats.count(sackOk ? Stat.SACK_RECOVERIES : Stat.NEWRENO_RECOVERIES);
        int sent = retransmit(sndUna, smss);
        highRxt = sndUna + sent;
        retransmissions.clear();
        if (sent > 0) {
            retransmissions.sent(sndUna, highRxt, sndMax);
        }
        if (!sackOk) {
            inflation = 3L * smss;
        }
        timer.schedule(rexmtTimer, rtt.rto());
    }

    /** Takes in-window data and a FIN (§3.10.7.4 seventh and eighth). */
    private void receive(Rx rx, int seq, long now) {
        int len = rx.dataLen;
        long dataOff = rx.dataOff;
        boolean fin = (rx.flags & TcpSegment.FIN) != 0;
        if (state != TcpState.ESTABLISHED && state != TcpState.FIN_WAIT_1 && state != TcpState.FIN_WAIT_2) {
            len = 0; // CLOSE_WAIT and later: the peer already sent its FIN; ignore text
            if (state == TcpState.CLOSE_WAIT || state == TcpState.CLOSING || state == TcpState.LAST_ACK) {
                fin = false;
            }
        }
        // Trim what lies before RCV.NXT and beyond the space we have.
        if (Seq.lt(seq, rcvNxt)) {
            int dup = rcvNxt - seq;
            if (dup >= len) {
                stats.count(Stat.DUP_SEGS);
                dataOff += len;
                len = 0;
                seq = rcvNxt;
                if (!(fin && Seq.ge(seq, rcvNxt))) {
                    ackNow = true;
                }
            } else {
                stats.count(Stat.PARTIAL_DUP_SEGS);
                dataOff += dup;
                len -= dup;
                seq = rcvNxt;
            }
        }
        if (orphan && len > 0) {
            // New data nobody will read (RFC 9293 §3.10.7.4: the user closed): reset, as BSD and Linux do. Only
            // new data: a retransmission of what we had, carrying the peer's FIN, is acknowledged.
            tcp.sendReset(rx, rx.ack, 0, TcpSegment.RST);
            stats.count(Stat.CONN_DROPPED);
            close("closed with data arriving");
            return;
        }
        int room = recvBuf == null ? 0 : recvBuf.capacity() - recvBuf.size() - (seq - rcvNxt);
        if (len > room) {
            stats.count(Stat.AFTER_WINDOW);
            len = Math.max(0, room);
            fin = false; // the FIN lies beyond what we take
            ackNow = true;
        }
        if (len > 0) {
            if (seq == rcvNxt) {
                boolean hadHoles = !reassembly.isEmpty();
                recvBuf.append(rx.seg, dataOff, len);
                rcvNxt += len;
                stats.count(Stat.DATA_SEGS_IN_ORDER);
                stats.add(Stat.DATA_BYTES_IN_ORDER, len);
                if (hadHoles) {
                    int next = reassembly.pull(rcvNxt);
                    recvBuf.commit(next - rcvNxt);
                    rcvNxt = next;
                    ackNow = true; // RFC 5681 §4.2: ACK at once when a hole is filled
                } else {
                    scheduleAck(rx);
                }
                if (inputShutdown) {
                    recvBuf.consume(recvBuf.size());
                }
                wake(rx); // readers: data
            } else {
                if (reassembly.add(seq, seq + len)) {
                    recvBuf.writeAt(recvBuf.size() + (seq - rcvNxt), rx.seg, dataOff, len);
                    stats.count(Stat.OUT_OF_ORDER_SEGS);
                } else {
                    stats.count(Stat.OUT_OF_ORDER_DROPPED);
                }
                ackNow = true; // RFC 5681 §4.2: an out-of-order segment is acknowledged at once (dup ACK + SACK)
            }
        }
        if (fin) {
            int finAt = seq + len;
            if (Seq.ge(finAt, rcvNxt)) {
                peerFinPending = true;
                peerFinSeq = finAt;
            }
        }
        if (peerFinPending && peerFinSeq == rcvNxt) {
            peerFinPending = false;
            peerFinReceived = true;
            rcvNxt++;
            ackNow = true;
            switch (state) {
                case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
                case FIN_WAIT_1 -> state = finAcked() ? TcpState.TIME_WAIT : TcpState.CLOSING;
                case FIN_WAIT_2 -> state = TcpState.TIME_WAIT;
                default -> {
                }
            }
            if (state == TcpState.TIME_WAIT) {
                enterTimeWait();
            }
            changed.wakeAll(); // readers: end of stream
        }
    }

    /**
     * Delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2): at least every second full segment, or after the delay.
     * A large segment (segmentation offload, several MSS in one frame) counts as the segments it carries, as
     * Linux counts a GRO packet: one of 64 KiB is answered at once, not after the delay, or a sender whose
     * window holds two such segments would wait out the timer each time.
     */
    private void scheduleAck(Rx rx) {
        int mss = ourMss(); // the most a peer's segment carries: what we offered
        unackedSegments += rx.dataLen > mss && mss > 0 ? (rx.dataLen + mss - 1) / mss : 1;
        if (!cfg.delayedAck) {
            ackNow = true;
        } else if (unackedSegments >= 2 && rx.inBatch) {
            // Every second segment earns an ACK; within a receive batch one ACK at its end covers them all.
            ackAtBatchEnd = true;
            deferToBatchEnd(rx);
        } else if (unackedSegments >= 2) {
            ackNow = true;
        } else if (!timer.isScheduled(delackTimer)) {
            timer.schedule(delackTimer, TimeUnit.MILLISECONDS.toNanos(cfg.delayedAckMillis));
        }
    }

    private void deferToBatchEnd(Rx rx) {
        if (!batchListed) {
            batchListed = true;
            rx.defer(this);
        }
    }

    /**
     * The end of the receive batch this connection was deferred to: one
     * output for all the batch's segments, so that what a run of ACKs lets
     * out leaves in one transmit, with the ACK the batch's data earned.
     * Caller holds the lock.
     */
    void endOfBatch() {
        batchListed = false;
        if (wakeAtBatchEnd) {
            wakeAtBatchEnd = false;
            changed.wakeAll();
        }
        if (state == TcpState.CLOSED) {
            return;
        }
        if (ackAtBatchEnd && unackedSegments > 0) { // else an ACK went with data meanwhile
            ackNow = true;
        }
        ackAtBatchEnd = false;
        output();
    }

    private void challengeAck(long now) {
        if (tcp.challengeAllowed(now)) {
            stats.count(Stat.CHALLENGE_ACKS);
            ackNow = true;
            output();
        } else {
            stats.count(Stat.CHALLENGE_ACKS_LIMITED);
        }
    }

    boolean finAcked() {
        return finQueued && sendBuf != null && Seq.gt(sndUna, finSeq());
    }

    int finSeq() {
        return sndBufSeq + (sendBuf == null ? 0 : sendBuf.size());
    }

    // =====================================================================================
    // Output
    // =====================================================================================

    /** Sends what the state, the windows and the queues allow (BSD's tcp_output). Caller holds the lock. */
    void output() {
        if (state == TcpState.CLOSED || state == TcpState.LISTEN) {
            return;
        }
        long now = timer.now();
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            if (sndNxt == iss) {
                int flags = TcpSegment.SYN | (state == TcpState.SYN_RECEIVED ? TcpSegment.ACK : 0);
                if (sendSegment(iss, 0, flags, now) >= 0) {
                    sndNxt = iss + 1;
                    sndMax = Seq.max(sndMax, sndNxt);
                    if (!timing && rexmtCount == 0) {
                        timing = true;
                        rtSeq = iss;
                        rtStart = now;
                    }
                    if (!timer.isScheduled(rexmtTimer)) {
                        timer.schedule(rexmtTimer, rtt.rto());
                    }
                }
            } else if (ackNow && state == TcpState.SYN_RECEIVED) {
                sendSegment(sndNxt, 0, TcpSegment.ACK, now);
            }
            return;
        }
        if (sendBuf == null) {
            return;
        }
        if (cfg.slowStartAfterIdle && sndMax == sndUna && lastSendTime != 0 && now - lastSendTime > rtt.rto()
                && unsent() > 0) {
            cc.onIdle(now);
        }
        if (inRecovery && sackOk) {
            sackRecoveryOutput(now);
        }
        while (true) {
            int buffered = sendBuf.size();
            int off = sndNxt - sndBufSeq;
            int avail = Math.max(0, buffered - off);
            long usable;
            if (inRecovery && sackOk) {
                // RFC 6675: in recovery the pipe estimate, not SND.NXT - SND.UNA, says what is in flight.
                usable = Math.min(sndWnd - (sndNxt - sndUna), cc.cwnd() - scoreboard.pipe(sndUna, sndMax, highRxt, smss));
            } else {
                usable = Math.min(sndWnd, cc.cwnd() + inflation + limitedTransmit()) - (sndNxt - sndUna);
            }
            // A large segment (TSO) where the way out takes one and nothing is being repaired: it is cut into
            // SMSS-sized segments only where a link needs it, so building and sending cost once per 64 KiB.
            int most = !inRecovery && Seq.ge(sndNxt, sndMax) && path.largeSegments() ? largeSegmentData() : smss;
            int len = (int) Math.max(0, Math.min(Math.min(avail, usable), most));
            if (len > smss && len < avail) {
                len -= len % smss; // whole segments only while more data waits: the rest as the rules below say
            }
            // Our FIN goes with the segment that reaches the end of the data, until it has been sent once past here.
            boolean fin = finQueued && Seq.le(sndNxt, finSeq()) && off + len == buffered;
            boolean send = fin;
            if (len > 0) {
                send |= len >= smss
                        // Nagle (RFC 896): a short segment only when nothing is unacknowledged
                        || (len == avail && (noDelay || sndMax == sndUna))
                        // sender SWS avoidance (RFC 9293 §3.8.6.2.1)
                        || (maxSndWnd > 0 && len >= maxSndWnd / 2)
                        // going back over what a timeout rewound
                        || Seq.lt(sndNxt, sndMax);
            }
            if (!send && (ackNow || windowUpdateDue())) {
                if (!ackNow) {
                    stats.count(Stat.WINDOW_UPDATES);
                }
                len = 0;
                fin = false;
                send = true;
            }
            if (!send) {
                break;
            }
            int flags = TcpSegment.ACK | (fin ? TcpSegment.FIN : 0) | (len > 0 && len == avail ? TcpSegment.PSH : 0);
            boolean newData = Seq.ge(sndNxt, sndMax);
            int sent = sendSegment(sndNxt, len, flags, now);
            if (sent < 0) {
                break; // no buffer or no route: the retransmission timer tries again
            }
            boolean finSent = fin && sent == len;
            if (sent > 0 && newData && !timing) {
                timing = true;
                rtSeq = sndNxt;
                rtStart = now;
            }
            if (sent > 0 && !newData) {
                stats.count(Stat.REXMT_SEGS);
                stats.add(Stat.REXMT_BYTES, sent);
                retransmittedSegments++;
            }
            sndNxt += sent + (finSent ? 1 : 0);
            sndMax = Seq.max(sndMax, sndNxt);
            if ((sent > 0 || finSent) && !timer.isScheduled(rexmtTimer)) {
                armRetransmit();
            }
            if (sent == 0 && !finSent) {
                break; // a pure ACK or window update goes once
            }
        }
        // Data waiting, nothing in flight, and the window too small to send it (zero, or below what SWS
        // avoidance sends): the persist timer probes a zero window (RFC 9293 §3.8.6.1) and overrides SWS
        // avoidance for a small one (§3.8.6.2.1).
        if (unsent() > 0 && sndUna == sndMax && !timer.isScheduled(rexmtTimer)) {
            persisting = true;
            timer.schedule(rexmtTimer, persistInterval());
        }
    }

    /** RFC 6675 §5 (C): while cwnd - pipe >= 1 SMSS, send by NextSeg rules 1 and 3 (rule 2, new data, is output()'s). */
    private void sackRecoveryOutput(long now) {
        // Retransmissions lost again go first, as RFC 6675 rule 1 would send them had it known (their holes lie
        // below HighRxt, so NextSeg alone would leave them to the timer).
        while (cc.cwnd() - scoreboard.pipe(sndUna, sndMax, highRxt, smss) >= smss
                && retransmissions.takeLost(sndUna, scoreboard)) {
            stats.count(Stat.LOST_RETRANSMITS);
            int len = Math.min(retransmissions.lostEnd - retransmissions.lostStart, smss);
            int sent = retransmit(retransmissions.lostStart, len);
            if (sent <= 0) {
                return;
            }
            retransmissions.sent(retransmissions.lostStart, retransmissions.lostStart + sent, sndMax);
        }
        for (int guard = 0; guard < 64; guard++) {
            long pipe = scoreboard.pipe(sndUna, sndMax, highRxt, smss);
            if (cc.cwnd() - pipe < smss) {
                return;
            }
            long hole = scoreboard.nextHole(sndUna, highRxt, smss, true);
            if (hole == SackScoreboard.NONE && unsent() > 0
                    && Seq.lt(sndNxt, sndUna + (int) Math.min(sndWnd, Integer.MAX_VALUE))) {
                return; // rule 2: new data next, by output()
            }
            if (hole == SackScoreboard.NONE) {
                hole = scoreboard.nextHole(sndUna, highRxt, smss, false);
            }
            if (hole == SackScoreboard.NONE) {
                return;
            }
            int seq = (int) (hole >>> 32);
            int len = (int) Math.min(hole & 0xFFFF_FFFFL, smss);
            int sent = retransmit(seq, len);
            if (sent <= 0) {
                return;
            }
            stats.count(Stat.SACK_REXMT_SEGS);
            highRxt = seq + sent;
            retransmissions.sent(seq, seq + sent, sndMax);
        }
    }

    /**
     * Retransmits up to {@code maxLen} bytes from {@code seq} (data, or our FIN
     * if it lies there). Returns the sequence space sent, or -1 on failure.
     */
    private int retransmit(int seq, int maxLen) {
        long now = timer.now();
        int dataEnd = sndBufSeq + sendBuf.size();
        int len = Math.max(0, Math.min(maxLen, dataEnd - seq));
        boolean fin = finQueued && seq + len == dataEnd && Seq.lt(seq + len, sndMax);
        int sent = sendSegment(seq, len, TcpSegment.ACK | (fin ? TcpSegment.FIN : 0), now);
        if (sent < 0) {
            return -1;
        }
        stats.count(Stat.REXMT_SEGS);
        stats.add(Stat.REXMT_BYTES, sent);
        retransmittedSegments++;
        return sent + (fin ? 1 : 0);
    }

    /** Limited transmit (RFC 3042): each of the first two duplicate ACKs lets one more new segment out. */
    private long limitedTransmit() {
        return !inRecovery && dupAcks > 0 && dupAcks < SackScoreboard.DUP_THRESH ? (long) dupAcks * smss : 0;
    }

    /** Bytes written and not yet sent. */
    int unsent() {
        return sendBuf == null ? 0 : sendBuf.size() - (sndNxt - sndBufSeq);
    }

    /** Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): a window update once it opens by min(buffer / 2, MSS). */
    private boolean windowUpdateDue() {
        if (!windowOpened || recvBuf == null || peerFinReceived) {
            return false;
        }
        int wnd = advertisableWindow();
        int opened = (rcvNxt + wnd) - rcvAdv;
        return opened >= Math.min(recvBuf.capacity() / 2, 2 * smss) && (rcvAdv - rcvNxt) < recvBuf.capacity() / 2;
    }

    /** Free receive space, as the window to advertise (before scaling). */
    private int advertisableWindow() {
        if (recvBuf == null) {
            return Math.min(recvBufSize, 0xFFFF);
        }
        return recvBuf.capacity() - recvBuf.size();
    }

    /**
     * Builds and sends one segment: header, options, {@code len} bytes of the
     * send buffer from {@code seq}. Returns the data bytes sent (fewer than
     * {@code len} when options leave less room), or -1 when there was no
     * frame or no route.
     */
    private int sendSegment(int seq, int len, int flags, long now) {
        Frame f = len > smss ? tcp.network.takeLarge() : null;
        if (f == null) {
            f = tcp.network.take(); // and the segment is one SMSS: room says so below
        }
        if (f == null) {
            stats.count(Stat.NO_BUFFER);
            return -1;
        }
        boolean syn = (flags & TcpSegment.SYN) != 0;
        boolean ackFlag = (flags & TcpSegment.ACK) != 0;
        long l4 = Network.l4Offset(f, key.v6);
        MemorySegment s = f.segment();
        // Options first, so the data that fits beside them is known.
        long at = l4 + TcpSegment.MIN_HEADER_LEN;
        if (syn) {
            at = TcpOptions.writeMss(s, at, ourMss());
            boolean passive = state == TcpState.SYN_RECEIVED && ackFlag;
            if (cfg.rfc1323 && (!passive || wsOk)) {
                at = TcpOptions.writeWindowScale(s, at, rcvScale);
            }
            if (cfg.sack && (!passive || sackOk)) {
                at = TcpOptions.writeSackPermitted(s, at);
            }
            if (cfg.rfc1323 && (!passive || tsOk)) {
                at = TcpOptions.writeTimestamps(s, at, tsNow(now), passive ? tsRecent : 0);
            }
        } else {
            if (tsOk) {
                at = TcpOptions.writeTimestamps(s, at, tsNow(now), tsRecent);
            }
            if (sackOk && ackFlag && !reassembly.isEmpty()) {
                int n = reassembly.sackBlocks(sackOut, tsOk ? MAX_SACK_BLOCKS_WITH_TS : TcpOptions.MAX_SACK_BLOCKS);
                at = TcpOptions.writeSack(s, at, sackOut, n);
            }
        }
        int optLen = (int) (at - l4) - TcpSegment.MIN_HEADER_LEN;
        int hdrLen = TcpSegment.MIN_HEADER_LEN + optLen;
        int perSegment = maxSegmentData(optLen);
        if (len > 0) {
            int capacity = Network.l4Capacity(f, key.v6) - hdrLen;
            // More than SMSS only from output() over a path that takes large segments: whole pieces, in a frame
            // that holds two or more (a pool frame, when no large one was free, carries one). Options (SACK
            // blocks) may leave each piece less than SMSS, and a segment of one SMSS is then cut to what fits.
            int room = len > smss && capacity >= 2 * perSegment
                    ? Math.min(capacity, largeSegmentData() / smss * perSegment) / perSegment * perSegment
                    : Math.min(perSegment, capacity);
            if (len > room) {
                len = Math.max(0, room); // options took room: the rest, and the FIN, go in the next segment
                flags &= ~(TcpSegment.FIN | TcpSegment.PSH);
            }
            sendBuf.copyOut(seq - sndBufSeq, s, l4 + hdrLen, len);
        }
        TcpSegment tcpHdr = tcp.scratchOut(f, l4, hdrLen + len);
        tcpHdr.setSrcPort(key.localPort);
        tcpHdr.setDstPort(key.remotePort);
        tcpHdr.setSeq(seq);
        tcpHdr.setAckNumber(ackFlag ? rcvNxt : 0);
        tcpHdr.setHeaderLength(hdrLen);
        tcpHdr.setFlags(flags);
        int wnd = advertisableWindow();
        int field;
        if (syn) {
            field = Math.min(wnd, 0xFFFF); // RFC 7323 §2.2: the window in a SYN is never scaled
        } else {
            // Never move the right edge left (RFC 9293 §3.8.6.2.2), and open it only by a worthwhile step.
            int edge = rcvNxt + wnd;
            if (Seq.lt(edge, rcvAdv)) {
                edge = rcvAdv;
            } else if (edge - rcvAdv < Math.min(recvBuf == null ? 0 : recvBuf.capacity() / 2, smss)
                    && Seq.gt(rcvAdv, rcvNxt)) {
                edge = rcvAdv;
            }
            field = Math.min((edge - rcvNxt) >>> rcvScale, 0xFFFF);
        }
        tcpHdr.setWindow(field);
        tcpHdr.setChecksum(0);
        tcpHdr.setUrgentPointer(0);
        // Left partial: the link that puts it on a wire completes it, or, between guests of one host, nobody
        // needs to (Frame.CSUM_PARTIAL); summing the data here would be wasted on every guest-to-guest segment.
        if (key.v6) {
            tcpHdr.fillPartialChecksumV6(path.localHi(), path.localLo(), key.remoteHi, key.remoteLo);
        } else {
            tcpHdr.fillPartialChecksumV4((int) path.localLo(), (int) key.remoteLo);
        }
        f.checksumPartial((int) (Network.l4Offset(f, key.v6) - f.offset()), 16);
        int segments = 1;
        if (len > perSegment && perSegment > 0) {
            f.segmentation(key.v6 ? Frame.GSO_TCPV6 : Frame.GSO_TCPV4, perSegment);
            segments = (len + perSegment - 1) / perSegment;
        }
        if (!path.send(f, hdrLen + len)) {
            stats.count(Stat.NO_ROUTE);
            return -1;
        }
        if (!syn) {
            int adv = rcvNxt + (field << rcvScale);
            if (Seq.gt(adv, rcvAdv)) {
                rcvAdv = adv;
            }
        } else {
            rcvAdv = rcvNxt + field;
        }
        stats.add(Stat.SEGS_SENT, segments);
        if (len > 0) {
            stats.add(Stat.DATA_SEGS_SENT, segments);
            stats.add(Stat.DATA_BYTES_SENT, len);
            lastSendTime = now;
        } else if (!syn && (flags & TcpSegment.FIN) == 0 && (flags & TcpSegment.RST) == 0) {
            stats.count(Stat.ACKS_SENT);
        }
        if (ackFlag) {
            windowOpened = false;
            lastAckSent = rcvNxt;
            ackNow = false;
            ackAtBatchEnd = false; // a batch that deferred an ACK finds it sent
            unackedSegments = 0;
            timer.cancel(delackTimer);
        }
        return len;
    }

    /** Our timestamp clock: milliseconds (RFC 7323 §5.4: 1 ms to 1 s per tick) plus the connection's offset. */
    private int tsNow(long now) {
        return (int) TimeUnit.NANOSECONDS.toMillis(now) + tsOffset;
    }

    /** A keepalive probe: SND.UNA - 1, no data, which the peer must acknowledge (RFC 9293 §3.8.4). */
    private void sendKeepalive(long now) {
        int saved = sndNxt;
        sendSegment(sndUna - 1, 0, TcpSegment.ACK, now);
        sndNxt = saved;
        stats.count(Stat.KEEPALIVE_PROBES);
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    private long persistInterval() {
        long base = rtt.hasSample() ? rtt.srtt() + 4 * rtt.rttvar() : RttEstimator.INITIAL_RTO_NANOS;
        return Math.min(PERSIST_MAX, Math.max(PERSIST_MIN, base << Math.min(persistShift, 12)));
    }

    private void retransmitTimeout(long now) {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (persisting) {
            stats.count(Stat.PERSIST_TIMEOUTS);
            if (sndWnd > 0 && unsent() > 0) {
                // The window is open, only smaller than SWS avoidance waits for: send what fits now.
                persisting = false;
                persistShift = 0;
                int len = (int) Math.min(Math.min(sndWnd - (sndNxt - sndUna), unsent()), smss);
                if (len > 0) {
                    int sent = sendSegment(sndNxt, len, TcpSegment.ACK | TcpSegment.PSH, now);
                    if (sent > 0) {
                        sndNxt += sent;
                        sndMax = Seq.max(sndMax, sndNxt);
                        timer.schedule(rexmtTimer, rtt.rto());
                        return;
                    }
                }
                output();
                return;
            }
            stats.count(Stat.WINDOW_PROBES);
            if (unsent() > 0 || Seq.lt(sndUna, sndMax)) {
                // One byte beyond the closed window (RFC 9293 §3.8.6.1): sequence space it may take. If no byte
                // is left at SND.UNA, only our FIN is outstanding: the probe is the FIN again, never a byte the
                // application did not write.
                int sent = sendBuf.size() > 0 ? sendSegment(sndUna, 1, TcpSegment.ACK, now) : retransmit(sndUna, 0);
                if (sent > 0 && sndNxt == sndUna) {
                    sndNxt = sndUna + 1;
                    sndMax = Seq.max(sndMax, sndNxt);
                }
                persistShift++;
                timer.schedule(rexmtTimer, persistInterval());
            } else {
                persisting = false;
            }
            return;
        }
        if (sndUna == sndMax) {
            return;
        }
        if (probeArmed) {
            probeArmed = false;
            tailLossProbe(now);
            timer.schedule(rexmtTimer, rtt.rto());
            return;
        }
        rexmtCount++;
        probeOutstanding = false;
        stats.count(Stat.REXMT_TIMEOUTS);
        int limit = state.synchronizedState() ? cfg.maxRetransmits : cfg.synRetries;
        if (rexmtCount > limit) {
            stats.count(Stat.REXMT_DROPS);
            stats.count(Stat.CONN_DROPPED);
            if (state.synchronizedState()) {
                tcp.sendResetFor(this);
            }
            if (state == TcpState.SYN_RECEIVED && listener != null) {
                stats.count(Stat.EMBRYONIC_DROPPED);
            }
            reset("Connection timed out");
            return;
        }
        rtt.backOff();
        timing = false; // Karn
        if (state.synchronizedState()) {
            cc.onTimeout(sndMax - sndUna, now);
            inRecovery = false;
            inflation = 0;
            dupAcks = 0;
            scoreboard.clear(); // RFC 2018 §8: the receiver may have reneged
            highRxt = sndUna;
            sndNxt = sndUna;
        } else {
            sndNxt = iss; // the SYN again
        }
        output();
        timer.schedule(rexmtTimer, rtt.rto());
    }

    /** Starts keepalive timing from now (the option was just switched on). */
    void armKeepaliveNow() {
        armKeepalive();
    }

    /**
     * Arms the retransmission timer: as a tail loss probe timeout when TLP may
     * probe (RFC 8985 §7.2: established, SACK, not in recovery, no probe
     * outstanding, an RTT measured), else as the RTO.
     */
    private void armRetransmit() {
        if (sackOk && !inRecovery && !probeOutstanding && rtt.hasSample()
                && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
            long pto = 2 * rtt.srtt();
            if (sndMax - sndUna <= smss) {
                pto += WORST_CASE_DELAYED_ACK; // one segment out: the peer may sit on its ACK that long
            }
            pto = Math.min(Math.max(pto, MIN_PTO), rtt.rto());
            probeArmed = true;
            timer.schedule(rexmtTimer, pto);
        } else {
            probeArmed = false;
            timer.schedule(rexmtTimer, rtt.rto());
        }
    }

    /**
     * The probe (RFC 8985 §7.3): a new segment if one may be sent, else the
     * last segment again, so that the peer's SACK shows what the tail lost and
     * recovery starts without waiting for the RTO.
     */
    private void tailLossProbe(long now) {
        stats.count(Stat.TLP_PROBES);
        int newData = (int) Math.min(Math.min(unsent(), smss), sndWnd - (sndNxt - sndUna));
        if (newData > 0) {
            int sent = sendSegment(sndNxt, newData, TcpSegment.ACK | TcpSegment.PSH, now);
            if (sent > 0) {
                sndNxt += sent;
                sndMax = Seq.max(sndMax, sndNxt);
            }
        } else {
            int last = Seq.max(sndUna, sndMax - smss - (finQueued && Seq.gt(sndMax, finSeq()) ? 1 : 0));
            retransmit(last, smss);
        }
        probeOutstanding = true;
        probeHigh = sndMax;
    }

    private void armKeepalive() {
        if (keepAlive && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)) {
            timer.schedule(idleTimer, TimeUnit.SECONDS.toNanos(keepIdleSeconds));
        }
    }

    /**
     * Keepalive, FIN_WAIT_2 of an orphan, and TIME_WAIT share one timer: the
     * state says which it is. A half-closed connection the application still
     * reads from (FIN_WAIT_2, not an orphan) is kept, with keepalive if it
     * is on: only the peer's FIN ends it (RFC 9293 §3.10.7.4).
     */
    private void idleTimeout(long now) {
        switch (state) {
            case TIME_WAIT -> close("closed");
            case FIN_WAIT_2, ESTABLISHED, CLOSE_WAIT -> {
                if (state == TcpState.FIN_WAIT_2 && orphan) {
                    close("closed");
                    return;
                }
                if (!keepAlive) {
                    return;
                }
                long idle = now - lastRecvTime;
                long idleLimit = TimeUnit.SECONDS.toNanos(keepIdleSeconds);
                if (keepProbes == 0 && idle < idleLimit) {
                    timer.schedule(idleTimer, idleLimit - idle); // data came meanwhile: wait the rest
                    return;
                }
                if (keepProbes >= keepCount) {
                    stats.count(Stat.KEEPALIVE_DROPS);
                    stats.count(Stat.CONN_DROPPED);
                    tcp.sendResetFor(this);
                    reset("Connection timed out");
                    return;
                }
                keepProbes++;
                sendKeepalive(now);
                timer.schedule(idleTimer, TimeUnit.SECONDS.toNanos(keepIntervalSeconds));
            }
            default -> {
            }
        }
    }

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        timer.cancel(rexmtTimer);
        timer.cancel(delackTimer);
        timer.schedule(idleTimer, cfg.timeWaitNanos());
        changed.wakeAll();
    }

    // =====================================================================================
    // Ending
    // =====================================================================================

    /**
     * The connection was reset or given up: {@code why} becomes the error of
     * the application's next call (null: ended without error).
     */
    void reset(String why) {
        if (why != null && error == null && state != TcpState.CLOSED) {
            error = why.contains("refused") ? new java.net.ConnectException(why) : new SocketException(why);
        }
        if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
            stats.count(Stat.CONN_DROPPED);
        }
        close(why);
    }

    /** Removes the connection: timers off, out of the tables, waiters woken. Caller holds the lock. */
    void close(String why) {
        state = TcpState.CLOSED;
        timer.cancel(rexmtTimer);
        timer.cancel(delackTimer);
        timer.cancel(idleTimer);
        if (!removed) {
            removed = true;
            stats.count(Stat.CONN_CLOSED);
            tcp.remove(this);
        }
        changed.wakeAll();
    }

    // =====================================================================================
    // Socket operations, caller holds the lock
    // =====================================================================================

    /** Queues a FIN after the buffered data (RFC 9293 §3.10.4 CLOSE / shutdown). */
    void queueFin() {
        if (finQueued) {
            return;
        }
        switch (state) {
            case ESTABLISHED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            case SYN_RECEIVED -> {
                if (sendBuf == null) {
                    sendBuf = new ByteRing(sendBufSize);
                    recvBuf = new ByteRing(recvBufSize);
                }
                state = TcpState.FIN_WAIT_1;
            }
            default -> {
                return;
            }
        }
        finQueued = true;
        outputShutdown = true;
        output();
    }

    /**
     * The application closed the socket and nobody will read: the FIN goes
     * after the queued data, and the stack finishes the close. An orphan
     * already in FIN_WAIT_2 (the FIN went with shutdownOutput) gets the
     * FIN_WAIT_2 limit now: the transition that arms it is behind it.
     */
    void orphan() {
        orphan = true;
        queueFin();
        if (state == TcpState.FIN_WAIT_2) {
            timer.schedule(idleTimer, TimeUnit.SECONDS.toNanos(cfg.finWait2Seconds));
        }
    }

    /** Facts for {@code netstat -a} and tests. */
    Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mss", smss);
        d.put("cwnd", cc.cwnd());
        long ss = cc.ssthresh();
        d.put("ssthresh", ss == Long.MAX_VALUE ? -1 : ss);
        d.put("snd_wnd", sndWnd);
        d.put("rto_ms", TimeUnit.NANOSECONDS.toMillis(rtt.rto()));
        d.put("srtt_us", rtt.hasSample() ? TimeUnit.NANOSECONDS.toMicros(rtt.srtt()) : -1);
        d.put("retransmits", retransmittedSegments);
        d.put("cc", cc.name());
        d.put("options", (wsOk ? "ws " + sndScale + "/" + rcvScale + " " : "") + (tsOk ? "ts " : "")
                + (sackOk ? "sack" : ""));
        return d;
    }

    int recvQueued() {
        return recvBuf == null ? 0 : recvBuf.size();
    }

    int sendQueued() {
        return sendBuf == null ? 0 : sendBuf.size();
    }

    @Override
    public String toString() {
        return key + " " + state;
    }
}
