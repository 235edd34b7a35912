package io.pktstack.vdev.internal;


import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.vdev.DriverQueue;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * own buffers and a copy. Before the frames on the rings are taken back at
 * the end of a session the back-end is told to stop its rings
 * (GET_VRING_BASE); frames it does not answer for stay with it.
 *
 * <p>It tells the back-end its MAC by writing the config space's {@code mac}
 * (SET_CONFIG) when the back-end offers VHOST_USER_PROTOCOL_F_CONFIG, so a
 * pktstack host knows which station is behind the link and refuses a
 * colliding MAC.
 *
 * <p>Trust: with the pools shared, the back-end maps the whole pool (frames
 * other links and sockets hold too) and can rewrite a frame after the stack
 * checked it, as a hypervisor can its guest's memory; so a pool is shared only
 * with the guest's host, and a link to a back-end that must not see it is
 * given a pool that is not shared ({@code FramePool} without {@code shared}).
 * What the back-end writes into the rings is still checked against what was
 * posted ({@link DriverQueue}), so a faulty one resets the link rather than
 * making the stack read outside its frames.
 */
final class FrontendSession implements Session {

    /**
     * Features this driver can use; everything else it declines. Checksum
     * offload both ways: what the stack leaves partial goes to the back-end as
     * NEEDS_CSUM (CSUM), and what arrives partial or checked is taken as such
     * (GUEST_CSUM), so TCP between guests sums its data nowhere.
     */
    static final long WANTED = bit(VirtioNetFeatures.VERSION_1) | bit(VirtioNetFeatures.RING_EVENT_IDX)
            | bit(VirtioNetFeatures.CSUM) | bit(VirtioNetFeatures.GUEST_CSUM) | bit(VirtioNetFeatures.HOST_TSO4)
            | bit(VirtioNetFeatures.HOST_TSO6) | bit(VirtioNetFeatures.GUEST_TSO4) | bit(VirtioNetFeatures.GUEST_TSO6)
            | bit(VirtioNetFeatures.MRG_RXBUF);
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
    private DriverQueue rxq;
    private DriverQueue txq;
    private long offered;
    private long features;
    /** The receive queue's buffers and what arrives in them (the worker's side of the data path). */
    private FrontendReceive rx;
    /** The transmit queue (any thread, under {@link #txLock}). */
    private FrontendTransmit tx;
    /** The stack's large frames, or null. */
    private FramePool largePool;
    /** The pools are in the memory table: their frames go on the rings as they are. */
    private boolean poolShared;
    private boolean largeShared;
    private long protocolFeatures;
    private volatile boolean up;
    private volatile boolean refused;
    private volatile boolean alive = true;
    private String stopReason = "";

    private static final int EPIPE = 32; // Linux errno values
    private static final int ECONNRESET = 104;
    /** The back-end is gone (hung up, closed): the frames on its rings are ours again without asking. */
    private boolean peerGone;
    /** Frames left with the back-end at the end (set once the worker stopped). */
    private volatile int withheld;

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
        return up ? tx.offloads() : 0; // tx is set before up
    }

    @Override
    public int framesOnRings() {
        FrontendReceive r = rx;
        FrontendTransmit t = tx;
        return (r == null ? 0 : r.framesOnRing()) + (t == null ? 0 : t.framesOnRing()); // read racily: netstat -m
    }

    @Override
    public int withheld() {
        return withheld;
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
                    if (poller.failed(0)) { // hung up: its end of the socket is closed
                        stopReason = "peer " + config.peerPath() + " disconnected";
                        peerGone = true;
                        break;
                    }
                    if (poller.readable(0)) {
                        // A back-end sends nothing unasked (no BACKEND_REQ negotiated), and one that did may
                        // still be writing our frames: it is asked to stop its rings like any other.
                        violation(counters.protocolViolations, "back-end sent a message unasked");
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
        boolean tso = VirtioNetFeatures.hostTso4(features) || VirtioNetFeatures.hostTso6(features);
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
                tso ? FrontendTransmit.LARGE_TX_BUFFERS : 0);
        largePool = listener.largePool();
        poolShared = pool.sharedFd() >= 0;
        largeShared = largePool != null && largePool != pool && largePool.sharedFd() >= 0;
        sendMemoryTable();
        boolean eventIdx = has(features, VirtioNetFeatures.RING_EVENT_IDX);
        rxq = new DriverQueue(region.segment(), region.rxQueue(), eventIdx);
        txq = new DriverQueue(region.segment(), region.txQueue(), eventIdx);
        RingLoans loans = poolShared ? RingLoans.of(pool) : null;
        rxKick = EventFd.create();
        rx = new FrontendReceive(rxq, region, features, config.mtu(), pool, loans, rxKick, listener, counters);
        rx.fill();
        rxq.publish();
        rxq.enableNotifications(false); // polling until the worker sleeps
        txq.enableNotifications(false); // transmit buffers are reaped on transmit: no interrupts wanted
        rxCall = EventFd.create();
        txKick = EventFd.create();
        txCall = EventFd.create();
        tx = new FrontendTransmit(txq, region, features, config.mtu(), pool, largePool, loans, largeShared, txKick,
                txCall, counters);
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
     * of ours after we take the frames back; returns whether it answered for
     * both. Replies to earlier requests (a set-up cut short) are passed over;
     * anything else, silence past {@link #STOP_MILLIS}, or a failing socket
     * that is not a closed peer's means the frames stay with it.
     */
    private boolean stopRings() {
        if (rxq == null) {
            return true; // nothing was posted
        }
        channel.ignoreWake();
        try {
            for (int ring = 0; ring < 2; ring++) {
                channel.write(msg.start(VhostUser.GET_VRING_BASE, VhostUser.VERSION).putU32(ring).putU32(0));
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MILLIS);
            int answered = 0; // a bit per ring
            while (answered != 0b11) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !channel.read(msg, (int) left)) {
                    return false;
                }
                try {
                    if ((msg.flags() & VhostUser.FLAG_REPLY) == 0 || msg.fdCount != 0) {
                        return false;
                    }
                    if (msg.request() == VhostUser.GET_VRING_BASE) {
                        int ring = msg.size() == 8 ? msg.u32(0) : -1;
                        if (ring != 0 && ring != 1) {
                            return false;
                        }
                        answered |= 1 << ring;
                    }
                } finally {
                    msg.closeUntakenFds();
                }
            }
            return true;
        } catch (MessageChannel.PeerClosed e) {
            return true; // its end is closed: a back-end unmaps our memory before it closes (BackendSession does)
        } catch (HostIoException e) {
            return e.errno() == EPIPE || e.errno() == ECONNRESET; // gone, as above; a timeout: it may live on
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
                return tx.transmit(batch);
            } catch (RingViolation e) {
                counters.ringViolations.increment();
                listener.event("back-end broke the ring rules on transmit: " + e.getMessage() + "; link reset");
                up = false;
                alive = false;
                endpoint.wake();
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            }
        } finally {
            txLock.unlock();
        }
    }

    /** Under the transmit lock, after the worker stopped: frames back to their pools (those the back-end answered for), memory and descriptors closed. */
    private void releaseEverything(boolean ringsStopped) {
        withheld = rx == null ? 0 : rx.release(ringsStopped);
        if (tx != null) {
            withheld += tx.release(ringsStopped);
        }
        if (withheld > 0) {
            // The back-end maps them and did not say it stopped: a frame it may still write is lost, not reused.
            listener.event("back-end did not stop its rings: " + withheld + " frames left with it");
        }
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
                    + (tx != null && tx.sendsInPlace() ? "sent in place" : "sent by copy") + " (pools "
                    + (poolShared ? "shared" : "private") + ")");
        }
        return m;
    }
}
