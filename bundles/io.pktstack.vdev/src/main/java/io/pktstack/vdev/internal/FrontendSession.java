package io.pktstack.vdev.internal;


import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.TcpSegmenter;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.vdev.DriverQueue;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtioNetHeader;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import static io.pktstack.vdev.internal.VirtioNetFeatures.bit;

/**
 * pktstack's virtio-net as a vhost-user front-end (as DPDK's virtio-user is):
 * it owns its rings in a memfd ({@link DriverRegion}), sets the back-end up
 * with the messages QEMU would send (vhost-user.rst "Front-end message
 * types"), and then drives its own two queues as a VIRTIO driver: it
 * transmits on queue 1 and receives on queue 0, kicking the back-end through
 * eventfds and woken by its call eventfd.
 *
 * <p>The stack's frame pools are shared with the back-end as regions of the
 * memory table beside the rings ({@link FramePool#shared}), so frames go on
 * the rings as they are: a frame to send is posted where it lies, its
 * virtio_net_hdr written into its headroom, and held until the back-end
 * returns it; the receive ring holds frames of the pool, handed to the stack
 * as they are filled and replaced by fresh ones. The only copy between two
 * guests is then the host's (as with vhost). Frames of pools that cannot be
 * shared, a frame without headroom for the header, a packet merged from
 * several buffers, and frames beyond the pool's share for rings (half of it
 * for all links of the process, {@link RingLoans}) fall back to the region's
 * own buffers and a copy. The back-end, like a hypervisor, can then write the pool's
 * memory: it is this guest's host; bounds are still checked on every frame
 * (a frame's bytes are read through bounds-checked segments), and before the
 * frames on the rings are taken back at the end of a session the back-end is
 * told to stop its rings (GET_VRING_BASE).
 *
 * <p>It tells the back-end its MAC by writing the config space's {@code mac}
 * (SET_CONFIG) when the back-end offers VHOST_USER_PROTOCOL_F_CONFIG, so a
 * pktstack host knows which station is behind the link and refuses a
 * colliding MAC. The back-end is not trusted either: each used entry is
 * checked against what was posted ({@link DriverQueue}).
 */
final class FrontendSession implements Session {

    /**
     * Features this driver can use; everything else it declines. Checksum offload both ways: what the stack leaves partial goes to the
     * back-end as NEEDS_CSUM (CSUM), and what arrives partial or checked is taken
     * as such (GUEST_CSUM), so TCP between guests sums its data nowhere.
     */
    static final long WANTED = bit(VirtioNetFeatures.VERSION_1) | bit(VirtioNetFeatures.RING_EVENT_IDX)
            | bit(VirtioNetFeatures.CSUM) | bit(VirtioNetFeatures.GUEST_CSUM) | bit(VirtioNetFeatures.HOST_TSO4)
            | bit(VirtioNetFeatures.HOST_TSO6) | bit(VirtioNetFeatures.GUEST_TSO4) | bit(VirtioNetFeatures.GUEST_TSO6)
            | bit(VirtioNetFeatures.MRG_RXBUF);
    /**
     * Large transmit buffers, for TCP segments sent whole (HOST_TSO4/6): the
     * back-end passes them on as one frame and they are cut only where a link
     * needs it. 16 of 68 KiB: a megabyte in flight.
     */
    static final int LARGE_TX_BUFFERS = 16;
    /** How long a closing session waits for the back-end to stop its rings. */
    static final int STOP_MILLIS = 1000;
    static final long PROTOCOL_WANTED = bit(VhostUser.PROTOCOL_F_REPLY_ACK) | bit(VhostUser.PROTOCOL_F_CONFIG)
            | bit(VhostUser.PROTOCOL_F_STATUS);

    private final EndpointConfig config;
    private final MessageChannel channel;
    private final Endpoint endpoint;
    private final FramePool pool;
    private final LinkListener listener;
    private final LinkCounters counters;
    private final String peerProcess;
    private final Arena arena = Arena.ofShared();
    private final VhostMessage msg = new VhostMessage(arena);
    private final ReentrantLock txLock = new ReentrantLock();

    private DriverRegion region;
    private EventFd rxKick;
    private EventFd rxCall;
    private EventFd txKick;
    /** The back-end's used-buffer notification on the transmit queue: waited for only when the ring is full. */
    private EventFd txCall;
    private final Poller txWait = new Poller(1);
    private DriverQueue rxq;
    private DriverQueue txq;
    private int hdrLen;
    private long offered;
    private long features;
    /** The back-end takes partial checksums (CSUM negotiated). */
    private boolean csum;
    /** The receive queue's buffers and what arrives in them (the worker's side of the data path). */
    private FrontendReceive rx;
    /** Cuts a large segment to send when no large buffer is free. */
    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final TcpSegmenter.Contiguous whole = new TcpSegmenter.Contiguous();
    /** The back-end takes large TCP segments (HOST_TSO4, HOST_TSO6, with CSUM). */
    private boolean tso4;
    private boolean tso6;
    private long protocolFeatures;
    private volatile boolean up;
    private volatile boolean refused;
    private volatile boolean alive = true;
    /** The back-end let a whole wait pass without returning transmit buffers (see {@link #awaitTxRoom}). */
    private boolean txStalled;
    private String stopReason = "";

    // Data path state.
    private int[] freeTx;
    private int freeTxCount;
    /** The large buffer a transmit descriptor points at, or -1 for its own. */
    private int[] largeOf;
    private int[] freeLarge;
    private int freeLargeCount;
    /** The stack's frame posted as transmit buffer {@code id} until the back-end returns it, or null for a copy. */
    private Frame[] txFrames;
    /** Frames the back-end returned from the transmit ring, given back to their pools once per reap. */
    private final FrameBatch txReturned = new FrameBatch();
    private FramePool largePool;
    /** The pools are in the memory table: their frames go on the rings as they are. */
    private boolean poolShared;
    private boolean largeShared;
    /** The pool's frames lent to rings by every link of this process, at most half the pool. */
    private RingLoans loans;
    /** Frames of the pool held on the transmit ring; beyond the loans' limit frames are copied. */
    private int txFramesOnRing;
    /** {@link #txFramesOnRing} as last told to the loans (once per transmit, not per frame). */
    private int txFramesLent;
    /** The back-end stopped its rings or is gone: the frames on them are ours again (see {@link #stopRings}). */
    private boolean peerGone;
    private final DriverQueue.UsedHandler txDone = this::transmitted;

    FrontendSession(EndpointConfig config, MessageChannel channel, Endpoint endpoint, FramePool pool,
            LinkListener listener, LinkCounters counters) {
        this.config = config;
        this.channel = channel;
        this.endpoint = endpoint;
        this.pool = pool;
        this.listener = listener;
        this.counters = counters;
        this.peerProcess = Endpoint.processName(channel.socket().peerPid());
    }

    @Override
    public boolean up() {
        return up;
    }

    @Override
    public int offloads() {
        if (!up || !csum) { // the flags are written before up is set
            return 0;
        }
        return Link.OFFLOAD_CSUM | (tso4 ? Link.OFFLOAD_TSO4 : 0) | (tso6 ? Link.OFFLOAD_TSO6 : 0);
    }

    @Override
    public int framesOnRings() {
        FrontendReceive r = rx;
        return (r == null ? 0 : r.framesOnRing()) + txFramesOnRing; // read racily: a figure for netstat -m
    }

    @Override
    public boolean refused() {
        return refused;
    }

    @Override
    public void run() {
        try (Poller poller = new Poller(4)) {
            if (!setUp()) {
                return;
            }
            poller.set(0, channel.socket().fd());
            poller.set(1, rxCall.fd());
            poller.set(2, endpoint.wakeFd());
            poller.set(3, endpoint.listenFd());
            counters.sessions.increment();
            up = true;
            listener.up(null);
            PollBudget budget = endpoint.pollBudget();
            while (alive) {
                int n = rx.receive();
                if (n > 0) {
                    budget.worked();
                    continue;
                }
                if (budget.keepPolling(System.nanoTime())) {
                    PollBudget.pause();
                    continue;
                }
                rxq.enableNotifications(true);
                if (!rxq.hasUsed()) {
                    poller.poll(4, -1);
                    if (poller.readable(2)) {
                        break;
                    }
                    if (poller.readable(1)) {
                        rxCall.drain();
                        counters.kicksReceived.increment();
                    }
                    if (poller.readable(3)) {
                        endpoint.refuseWaiting();
                    }
                    if (poller.readable(0) || poller.failed(0)) {
                        // A back-end sends nothing unasked (no BACKEND_REQ negotiated): this is its end.
                        stopReason = "peer " + config.peerPath() + " disconnected";
                        peerGone = true;
                        break;
                    }
                }
                rxq.enableNotifications(false);
            }
        } catch (RingViolation e) {
            violation(counters.ringViolations, "back-end broke the ring rules: " + e.getMessage());
        } catch (ProtocolViolation e) {
            violation(counters.protocolViolations, "back-end broke the vhost-user protocol: " + e.getMessage());
        } catch (HostIoException e) {
            stopReason = "connection failed: " + e.getMessage();
        } catch (MessageChannel.PeerClosed e) {
            stopReason = "peer " + config.peerPath() + " disconnected during set-up";
            peerGone = true;
        } catch (MessageChannel.Woken e) {
            stopReason = "link closed";
        } finally {
            alive = false;
            boolean wasUp = up;
            txLock.lock();
            try {
                up = false;
            } finally {
                txLock.unlock();
            }
            boolean ringsStopped = peerGone || stopRings();
            txLock.lock();
            try {
                releaseEverything(ringsStopped);
            } finally {
                txLock.unlock();
            }
            if (wasUp) {
                listener.down(stopReason.isEmpty() ? "peer " + config.peerPath() + " disconnected" : stopReason);
            }
            arena.close();
        }
    }

    private void violation(java.util.concurrent.atomic.LongAdder counter, String why) {
        counter.increment();
        stopReason = why + "; link reset";
        listener.event(stopReason);
    }

    // ---- set-up: the message sequence of a front-end ------------------------------------

    /** Negotiates and starts the rings; returns false if the back-end refused us. */
    private boolean setUp() throws ProtocolViolation, HostIoException, MessageChannel.Woken,
            MessageChannel.PeerClosed {
        offered = request(VhostUser.GET_FEATURES);
        long want = WANTED & config.featureMask();
        features = offered & want;
        if (!has(features, VirtioNetFeatures.MRG_RXBUF)) {
            // Our receive buffers are 2 KiB: a large segment needs them merged (we post no 64 KiB chains).
            features &= ~(bit(VirtioNetFeatures.GUEST_TSO4) | bit(VirtioNetFeatures.GUEST_TSO6));
        }
        boolean protocol = (offered & bit(VhostUser.F_PROTOCOL_FEATURES)) != 0;
        if (protocol) {
            features |= bit(VhostUser.F_PROTOCOL_FEATURES);
            protocolFeatures = request(VhostUser.GET_PROTOCOL_FEATURES) & PROTOCOL_WANTED;
            send(msg.start(VhostUser.SET_PROTOCOL_FEATURES, VhostUser.VERSION).putU64(protocolFeatures), false);
        }
        send(msg.start(VhostUser.SET_OWNER, VhostUser.VERSION), true);
        send(msg.start(VhostUser.SET_FEATURES, VhostUser.VERSION).putU64(features), true);
        hdrLen = VirtioNetFeatures.headerLength(features);
        csum = has(features, VirtioNetFeatures.CSUM);
        // §5.1.3.1: HOST_TSO4/6 require CSUM.
        tso4 = csum && has(features, VirtioNetFeatures.HOST_TSO4);
        tso6 = csum && has(features, VirtioNetFeatures.HOST_TSO6);
        if (has(protocolFeatures, VhostUser.PROTOCOL_F_CONFIG)) {
            long mac = config.mac().bits();
            byte[] b = new byte[6];
            for (int i = 0; i < 6; i++) {
                b[i] = (byte) (mac >>> (40 - 8 * i));
            }
            long nack = send(msg.start(VhostUser.SET_CONFIG, VhostUser.VERSION).putU32(0).putU32(6).putU32(0).putBytes(b),
                    true);
            if (nack != 0) {
                refused = true;
                listener.event("peer " + config.peerPath() + " refused MAC " + config.mac() + " of " + config.bindPath()
                        + ": it collides with the peer's own or is not unicast; refused");
                return false;
            }
        }
        region = new DriverRegion("pktstack " + config.bindPath(), config.queueSize(), config.bufferSize(),
                tso4 || tso6 ? LARGE_TX_BUFFERS : 0);
        largePool = listener.largePool();
        poolShared = pool.sharedFd() >= 0;
        largeShared = largePool != null && largePool != pool && largePool.sharedFd() >= 0;
        sendMemoryTable();
        boolean eventIdx = has(features, VirtioNetFeatures.RING_EVENT_IDX);
        rxq = new DriverQueue(region.segment(), region.rxQueue(), eventIdx);
        txq = new DriverQueue(region.segment(), region.txQueue(), eventIdx);
        freeTx = new int[region.queueSize()];
        for (int i = 0; i < freeTx.length; i++) {
            freeTx[i] = freeTx.length - 1 - i;
        }
        freeTxCount = freeTx.length;
        largeOf = new int[region.queueSize()];
        java.util.Arrays.fill(largeOf, -1);
        freeLarge = new int[region.largeCount()];
        for (int i = 0; i < freeLarge.length; i++) {
            freeLarge[i] = i;
        }
        freeLargeCount = freeLarge.length;
        txFrames = new Frame[region.queueSize()];
        loans = poolShared ? RingLoans.of(pool) : null;
        rxKick = EventFd.create();
        rx = new FrontendReceive(rxq, region, features, config.mtu(), pool, loans, rxKick, listener, counters);
        rx.fill();
        rxq.publish();
        rxq.enableNotifications(false); // polling until the worker sleeps
        txq.enableNotifications(false); // transmit buffers are reaped on transmit: no interrupts wanted
        rxCall = EventFd.create();
        txKick = EventFd.create();
        txCall = EventFd.create();
        txWait.set(0, txCall.fd());
        startRing(0, region.rxQueue(), rxKick, rxCall);
        startRing(1, region.txQueue(), txKick, txCall);
        if (has(protocolFeatures, VhostUser.PROTOCOL_F_STATUS)) {
            send(msg.start(VhostUser.SET_STATUS, VhostUser.VERSION).putU64(VhostUser.STATUS_ACKNOWLEDGE
                    | VhostUser.STATUS_DRIVER | VhostUser.STATUS_FEATURES_OK | VhostUser.STATUS_DRIVER_OK), true);
        }
        // The receive buffers are there: say so once (vhost-user.rst: a front-end SHOULD kick after start).
        rxKick.signal();
        return true;
    }

    private void startRing(int index, VirtqueueLayout l, EventFd kick, EventFd call)
            throws ProtocolViolation, HostIoException, MessageChannel.Woken, MessageChannel.PeerClosed {
        send(msg.start(VhostUser.SET_VRING_NUM, VhostUser.VERSION).putU32(index).putU32(l.queueSize()), true);
        send(msg.start(VhostUser.SET_VRING_BASE, VhostUser.VERSION).putU32(index).putU32(0), true);
        send(msg.start(VhostUser.SET_VRING_ADDR, VhostUser.VERSION).putU32(index).putU32(0)
                .putU64(region.userAddress(l.descTable())).putU64(region.userAddress(l.usedRing()))
                .putU64(region.userAddress(l.availRing())).putU64(0), true);
        VhostMessage m = msg.start(VhostUser.SET_VRING_CALL, VhostUser.VERSION);
        if (call != null) {
            send(m.putU64(index).attach(call.fd()), true);
        } else {
            send(m.putU64(index | VhostUser.VRING_NOFD), true);
        }
        send(msg.start(VhostUser.SET_VRING_KICK, VhostUser.VERSION).putU64(index).attach(kick.fd()), true);
        if (has(features, VhostUser.F_PROTOCOL_FEATURES)) {
            send(msg.start(VhostUser.SET_VRING_ENABLE, VhostUser.VERSION).putU32(index).putU32(1), true);
        }
    }

    private static boolean has(long bits, int b) {
        return (bits & bit(b)) != 0;
    }

    /** Sends a GET_* request and returns its u64 reply. */
    private long request(int req) throws ProtocolViolation, HostIoException, MessageChannel.Woken,
            MessageChannel.PeerClosed {
        channel.write(msg.start(req, VhostUser.VERSION));
        return awaitReply(req);
    }

    /**
     * SET_MEM_TABLE: the region (rings and own buffers) at guest address 0, and
     * each shared pool at its user address, so that a frame's guest address is
     * where it lies here (as DPDK's virtio-user does for all its memory).
     */
    private void sendMemoryTable() throws ProtocolViolation, HostIoException, MessageChannel.Woken,
            MessageChannel.PeerClosed {
        VhostMessage m = msg.start(VhostUser.SET_MEM_TABLE, VhostUser.VERSION);
        MemoryTable.count(m, 1 + (poolShared ? 1 : 0) + (largeShared ? 1 : 0));
        MemoryTable.region(m, 0, region.segment(), region.memory().fd());
        if (poolShared) {
            MemoryTable.region(m, pool.memory().address(), pool.memory(), pool.sharedFd());
        }
        if (largeShared) {
            MemoryTable.region(m, largePool.memory().address(), largePool.memory(), largePool.sharedFd());
        }
        send(m, true);
    }

    /**
     * Tells the back-end to stop both rings (GET_VRING_BASE, vhost-user.rst
     * "Stopping rings") and waits for its answers, so that it writes no frame
     * of ours after we take the frames back; returns whether it answered.
     */
    private boolean stopRings() {
        if (rxq == null) {
            return true; // nothing was posted
        }
        channel.ignoreWake();
        try {
            for (int ring = 0; ring < 2; ring++) {
                channel.write(msg.start(VhostUser.GET_VRING_BASE, VhostUser.VERSION).putU32(ring).putU32(0));
                if (!channel.read(msg, STOP_MILLIS)) {
                    return false;
                }
                boolean answer = msg.request() == VhostUser.GET_VRING_BASE
                        && (msg.flags() & VhostUser.FLAG_REPLY) != 0 && msg.size() == 8;
                msg.closeUntakenFds();
                if (!answer) {
                    return false;
                }
            }
            return true;
        } catch (MessageChannel.PeerClosed | HostIoException e) {
            return true; // its end is closed: a back-end unmaps our memory before it closes (BackendSession does)
        } catch (ProtocolViolation | MessageChannel.Woken | RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends a request without a reply of its own; with {@code ack} and
     * REPLY_ACK negotiated, asks for and waits for the acknowledgement.
     *
     * @return the acknowledgement (0: success), or 0 when none was asked for
     */
    private long send(VhostMessage m, boolean ack) throws ProtocolViolation, HostIoException, MessageChannel.Woken,
            MessageChannel.PeerClosed {
        int req = m.request();
        boolean wait = ack && has(protocolFeatures, VhostUser.PROTOCOL_F_REPLY_ACK);
        if (wait) {
            m.buf.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4,
                    VhostUser.VERSION | VhostUser.FLAG_NEED_REPLY);
        }
        channel.write(m);
        m.fdCount = 0; // attached descriptors stay ours
        long r = wait ? awaitReply(req) : 0;
        if (wait && r != 0 && req != VhostUser.SET_CONFIG) {
            throw new ProtocolViolation(VhostUser.name(req) + " failed at the back-end (reply " + r + ")");
        }
        return r;
    }

    private long awaitReply(int req) throws ProtocolViolation, HostIoException, MessageChannel.Woken,
            MessageChannel.PeerClosed {
        if (!channel.read(msg, MessageChannel.MESSAGE_MILLIS)) {
            throw new ProtocolViolation("no reply to " + VhostUser.name(req) + " within "
                    + MessageChannel.MESSAGE_MILLIS + " ms");
        }
        try {
            if (msg.request() != req || (msg.flags() & VhostUser.FLAG_REPLY) == 0 || msg.size() != 8 || msg.fdCount != 0) {
                throw new ProtocolViolation("expected a reply to " + VhostUser.name(req) + ", got " + msg);
            }
            return msg.u64(0);
        } finally {
            msg.closeUntakenFds();
        }
    }

    // ---- data path --------------------------------------------------------------------

    /** Transmit descriptor {@code id} is back: it, the frame or large buffer it carried, are free again. */
    private void transmitted(int id, int len) {
        freeTx[freeTxCount++] = id;
        Frame f = txFrames[id];
        if (f != null) {
            txFrames[id] = null;
            if (f.pool() == pool) {
                txFramesOnRing--;
            }
            giveBack(f);
        }
        int large = largeOf[id];
        if (large >= 0) {
            largeOf[id] = -1;
            freeLarge[freeLargeCount++] = large;
        }
    }

    /** Whether the back-end takes {@code f}, a large segment, as it is: of a type it took TSO for, partial. */
    private boolean takesLarge(Frame f) {
        return f.checksum() == Frame.CSUM_PARTIAL
                && (f.gso() == Frame.GSO_TCPV4 ? tso4 : f.gso() == Frame.GSO_TCPV6 && tso6)
                && hdrLen + f.length() <= DriverRegion.LARGE_BUFFER;
    }

    @Override
    public int transmit(FrameBatch batch) {
        txLock.lock();
        try {
            if (!up) {
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            }
            try {
                if (txq.reap(txDone, region.queueSize()) > 0) {
                    txStalled = false;
                }
                return send(batch);
            } catch (RingViolation e) {
                counters.ringViolations.increment();
                listener.event("back-end broke the ring rules on transmit: " + e.getMessage() + "; link reset");
                up = false;
                alive = false;
                endpoint.wake();
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            } finally {
                txReturned.releaseAll();
                if (loans != null) {
                    loans.lend(txFramesOnRing - txFramesLent);
                    txFramesLent = txFramesOnRing;
                }
            }
        } finally {
            txLock.unlock();
        }
    }

    /** Whether {@code f} can go on the ring where it lies: a frame of a shared pool with headroom for the header. */
    private boolean inPlace(Frame f) {
        FramePool p = f.pool();
        return f.offset() >= hdrLen
                && ((p == pool && poolShared && loans.mayLend()) || (p == largePool && largeShared));
    }

    /**
     * Posts the batch's frames on the transmit ring, each where it lies or
     * copied into a transmit buffer, waiting for room when the ring is full;
     * removes from the batch what it took (posted, or dropped as too big).
     */
    private int send(FrameBatch batch) throws RingViolation {
        int sent = 0;
        int i = 0;
        try {
            for (; i < batch.size(); i++) {
                Frame f = batch.get(i);
                int posted = post(f);
                if (posted < 0) {
                    break;
                }
                sent += posted;
            }
        } finally {
            kickTx();
            if (i < batch.size()) {
                counters.txRingFull.add(batch.size() - i);
            }
            // Taken: held in txFrames until the back-end returns them, or given back (copied, too big).
            batch.removeFirst(i);
        }
        return sent;
    }
    /**
     * Posts one frame: where it lies (held until the back-end returns it) or
     * copied into a transmit buffer (given back at once); returns 1 when
     * posted, 0 when dropped as too big, -1 when there is no room (it stays
     * the caller's).
     */
    private int post(Frame f) throws RingViolation {
        boolean large = f.gso() != Frame.GSO_NONE;
        if (large ? !takesLarge(f) : f.length() > config.mtu() || hdrLen + f.length() > region.bufferSize()) {
            counters.txTooBig.increment(); // a large one only if TSO was renegotiated away since the stack looked
            giveBack(f);
            return 0;
        }
        if (large && freeLargeCount == 0 && Endpoint.onWorker()) {
            // The worker cannot wait for a large buffer (below): the segment goes in MTU-sized pieces through
            // ordinary buffers, or, with too few of those, stays with the caller.
            int pieces = sendInPieces(f, region.segment());
            if (pieces < 0) {
                return -1;
            }
            giveBack(f);
            return 1;
        }
        if (freeTxCount == 0 || (large && freeLargeCount == 0)) {
            kickTx(); // the back-end must see what is posted before it can make room
            // A worker never waits: it is what empties this process's receive rings, and the
            // back-end may itself be waiting for it to make room (a TCP ACK sent from the receive
            // thread); waiting would close a cycle. The frames stay with the caller (TCP keeps them).
            if (Endpoint.onWorker() || !awaitTxRoom(large)) {
                return -1;
            }
        }
        int id = freeTx[--freeTxCount];
        boolean inPlace = inPlace(f);
        MemorySegment mem;
        long addr;
        if (inPlace) {
            mem = f.segment();
            addr = f.offset() - hdrLen;
        } else {
            mem = region.segment();
            addr = region.txBuffer(id);
        }
        if (large) {
            // A large slot is taken in place too: it bounds the large frames in flight, so the stack's large pool
            // keeps frames for what arrives.
            int b = freeLarge[--freeLargeCount];
            largeOf[id] = b;
            if (!inPlace) {
                addr = region.largeBuffer(b);
            }
            VirtioNetHeader.writeGso(mem, addr, hdrLen, 0, f);
            counters.txLarge.increment();
        } else if (f.checksum() == Frame.CSUM_PARTIAL && csum) {
            VirtioNetHeader.write(mem, addr, hdrLen, 0, VirtioNetHeader.F_NEEDS_CSUM, f.csumStart(), f.csumOffset());
        } else {
            if (f.checksum() == Frame.CSUM_PARTIAL) { // the back-end renegotiated since the stack looked
                Checksum.completePartial(f.segment(), f.offset(), f.length(), f.csumStart(), f.csumOffset());
            }
            VirtioNetHeader.write(mem, addr, hdrLen, 0);
        }
        if (inPlace) {
            txFrames[id] = f;
            if (f.pool() == pool) {
                txFramesOnRing++;
            }
            txq.post(id, mem.address() + addr, hdrLen + f.length(), false);
        } else {
            MemorySegment.copy(f.segment(), f.offset(), mem, addr + hdrLen, f.length());
            txq.post(id, addr, hdrLen + f.length(), false);
            giveBack(f);
        }
        return 1;
    }

    /** A frame done with on the transmit side, given back to its pool with others after this transmit or reap. */
    private void giveBack(Frame f) {
        if (txReturned.isFull()) {
            txReturned.releaseAll();
        }
        txReturned.add(f);
    }

    /**
     * A large segment cut into MTU-sized pieces, each in an ordinary transmit
     * buffer with its checksum partial; returns the pieces, or -1 (nothing
     * posted) when fewer buffers are free than it needs.
     */
    private int sendInPieces(Frame f, MemorySegment mem) {
        int type = f.gso() == Frame.GSO_TCPV4 ? TcpSegmenter.GSO_TCPV4 : TcpSegmenter.GSO_TCPV6;
        TcpSegmenter.Source src = whole.over(f.segment(), f.offset(), f.length());
        if (!segmenter.prepare(src, type, f.gsoSize(), config.mtu())) {
            counters.txTooBig.increment(); // the stack's own headers: not expected
            return 0;
        }
        int n = segmenter.segments();
        if (n > freeTxCount) {
            return -1;
        }
        for (int k = 0; k < n; k++) {
            int id = freeTx[--freeTxCount];
            long addr = region.txBuffer(id);
            VirtioNetHeader.write(mem, addr, hdrLen, 0, VirtioNetHeader.F_NEEDS_CSUM, segmenter.transportOffset(), 16);
            int len = segmenter.build(k, src, mem, addr + hdrLen, true);
            txq.post(id, addr, hdrLen + len, false);
        }
        counters.txCutForWantOfLarge.increment();
        return n;
    }

    /** Publishes what was posted since the last call and kicks the back-end if it asked (§2.7.13.4). */
    private void kickTx() {
        if (txq.publishPending()) {
            txq.publish();
            if (txq.needsKick()) {
                txKick.signal();
                counters.kicksSent.increment();
            }
        }
    }

    /**
     * Back-pressure: the transmit ring is full. Waits, up to
     * {@link GuestQueues#FULL_WAIT_MILLIS}, for the back-end to return buffers,
     * asking it for a used-buffer notification (§2.7.7) and sleeping on the call
     * eventfd; returns whether buffers came back. A back-end that returns none
     * for so long is stalled, and its frames are left to the caller at once
     * until it returns buffers again.
     */
    private boolean awaitTxRoom(boolean large) throws RingViolation {
        if (txStalled) {
            return false;
        }
        txq.enableNotifications(true);
        try {
            long deadline = System.nanoTime() + GuestQueues.FULL_WAIT_MILLIS * 1_000_000L;
            while (true) {
                txq.reap(txDone, region.queueSize());
                if (freeTxCount > 0 && (!large || freeLargeCount > 0)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    txStalled = true;
                    counters.txStalls.increment();
                    return false;
                }
                txWait.poll(1, (int) Math.max(1, left / 1_000_000));
                if (txWait.readable(0)) {
                    txCall.drain();
                    counters.kicksReceived.increment();
                }
                counters.txWaits.increment();
            }
        } finally {
            txq.enableNotifications(false);
        }
    }

    /** Under the transmit lock, after the worker stopped: frames back to the pool, memory and descriptors closed. */
    private void releaseEverything(boolean ringsStopped) {
        int withheld = rx == null ? 0 : rx.release(ringsStopped);
        for (int id = 0; txFrames != null && id < txFrames.length; id++) {
            if (txFrames[id] != null) {
                if (ringsStopped) {
                    giveBack(txFrames[id]);
                } else {
                    withheld++;
                }
                txFrames[id] = null;
            }
        }
        if (loans != null) {
            loans.giveBack(txFramesLent); // withheld frames too: they will not come back
            txFramesLent = 0;
        }
        txFramesOnRing = 0;
        txReturned.releaseAll();
        if (withheld > 0) {
            // The back-end maps them and did not say it stopped: a frame it may still write is lost, not reused.
            listener.event("back-end did not stop its rings: " + withheld + " frames left with it");
        }
        txWait.close();
        for (EventFd e : new EventFd[] {rxKick, rxCall, txKick, txCall}) {
            if (e != null) {
                e.close();
            }
        }
        if (region != null) {
            region.close();
        }
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost-user role", "front-end (driver)");
        m.put("peer process", peerProcess);
        m.put("features offered", VirtioNetFeatures.describe(offered));
        m.put("features negotiated", VirtioNetFeatures.describe(features));
        if (region != null) {
            m.put("rings", "rx " + region.queueSize() + ", tx " + region.queueSize() + " entries in a memfd of "
                    + (region.memory().size() >> 10) + " KiB");
            m.put("frames on the rings", (rx != null && rx.zeroCopy() ? "received in place" : "received by copy") + ", "
                    + (poolShared ? "sent in place" : "sent by copy") + " (pools "
                    + (poolShared ? "shared" : "private") + ")");
        }
        return m;
    }
}
