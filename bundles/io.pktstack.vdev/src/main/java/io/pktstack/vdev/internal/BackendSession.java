package io.pktstack.vdev.internal;

import static io.pktstack.vdev.internal.VirtioNetFeatures.bit;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.vdev.DeviceQueue;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The back-end of a vhost-user connection for a virtio-net device
 * (vhost-user.rst; VIRTIO 1.2 §5.1): answers the front-end's messages, maps
 * its memory, runs its two rings, and moves frames between them and the
 * stack. A QEMU VM and a pktstack guest are served by this same code.
 *
 * <p>Everything the front-end sends is checked: each request's payload size
 * and descriptor count exactly, every field's range, the order of requests
 * (a ring starts only with its size, addresses and the memory known). A
 * broken rule ends the connection (the link is reset; the front-end may come
 * back), is counted and reported; descriptors and mappings the session held
 * are closed. The session's thread handles messages and the guest's transmit
 * queue; the stack's threads fill the guest's receive queue under
 * {@link #lock}, which message handling also takes before it changes memory
 * or rings.
 */
final class BackendSession implements Session {

    static final long OFFERED = bit(VirtioNetFeatures.VERSION_1) | bit(VirtioNetFeatures.MRG_RXBUF)
            | bit(VirtioNetFeatures.RING_EVENT_IDX) | bit(VirtioNetFeatures.CSUM) | bit(VirtioNetFeatures.GUEST_CSUM)
            | bit(VirtioNetFeatures.HOST_TSO4) | bit(VirtioNetFeatures.HOST_TSO6) | bit(VirtioNetFeatures.GUEST_TSO4)
            | bit(VirtioNetFeatures.GUEST_TSO6) | bit(VirtioNetFeatures.MAC) | bit(VhostUser.F_PROTOCOL_FEATURES);
    /** With {@code legacy}: no VERSION_1 and no MRG_RXBUF, so the guest uses the 10-byte header. */
    static final long OFFERED_LEGACY = OFFERED & ~bit(VirtioNetFeatures.VERSION_1) & ~bit(VirtioNetFeatures.MRG_RXBUF);
    static final long PROTOCOL_OFFERED = bit(VhostUser.PROTOCOL_F_MQ) | bit(VhostUser.PROTOCOL_F_REPLY_ACK)
            | bit(VhostUser.PROTOCOL_F_CONFIG) | bit(VhostUser.PROTOCOL_F_RESET_DEVICE)
            | bit(VhostUser.PROTOCOL_F_STATUS);
    /** virtio_net_config as GET_CONFIG gives it: mac[6], le16 status, le16 max_virtqueue_pairs, le16 mtu (§5.1.4). */
    static final int CONFIG_SIZE = 12;

    private final EndpointConfig config;
    private final MessageChannel channel;
    private final Endpoint endpoint;
    private final FramePool pool;
    private final LinkListener listener;
    private final LinkCounters counters;
    private final String peerProcess;
    private final long offered;
    private final Arena arena = Arena.ofShared();
    private final VhostMessage msg = new VhostMessage(arena);
    private final Vring[] rings = {new Vring(0), new Vring(1)};
    private final ReentrantLock lock = new ReentrantLock();

    private long features;
    private boolean featuresSet;
    private long protocolFeatures;
    private int status;
    private MemoryTable memory;
    private volatile GuestQueues queues;
    private volatile MacAddress peerMac;
    private volatile boolean refused;
    private volatile boolean alive = true;
    /** Set by a transmit that found the guest's ring broken: the session's thread ends the session. */
    private volatile String transmitBroken;
    private volatile String stopReason = "";
    /** Carrier as last reported; the listener is called by the session's thread only, never under the lock. */
    private boolean reportedUp;
    private String downReason = "";

    BackendSession(EndpointConfig config, MessageChannel channel, Endpoint endpoint, FramePool pool,
            LinkListener listener, LinkCounters counters) {
        this.config = config;
        this.channel = channel;
        this.endpoint = endpoint;
        this.pool = pool;
        this.listener = listener;
        this.counters = counters;
        this.offered = config.legacyHeader() ? OFFERED_LEGACY : OFFERED;
        this.peerProcess = Endpoint.processName(channel.socket().peerPid());
    }

    @Override
    public boolean up() {
        return queues != null;
    }

    @Override
    public int offloads() {
        GuestQueues q = queues;
        return q == null ? 0 : q.offloads();
    }

    @Override
    public boolean refused() {
        return refused;
    }

    // ---- the session's thread -------------------------------------------------------

    @Override
    public void run() {
        try (Poller poller = new Poller(4)) {
            poller.set(0, channel.socket().fd());
            poller.set(2, endpoint.wakeFd());
            poller.set(3, endpoint.listenFd());
            PollBudget budget = endpoint.pollBudget();
            int rounds = 0;
            while (alive) {
                GuestQueues q = queues;
                if (q != null) {
                    int n = q.receive();
                    if (n > 0) {
                        budget.worked();
                        // Under load, look for a message now and then rather than only when idle.
                        if ((++rounds & 63) == 0 && poller.poll(3, 0) > 0) {
                            if (poller.readable(2) || ((poller.readable(0) || poller.failed(0)) && !message())) {
                                break;
                            }
                        }
                        continue;
                    }
                    if (budget.keepPolling(System.nanoTime())) {
                        PollBudget.pause();
                        continue;
                    }
                    // Ask for a kick, then look once more so a packet that raced the request is not stranded.
                    q.notifyOnTransmit(true);
                    if (q.transmitPending()) {
                        q.notifyOnTransmit(false);
                        continue;
                    }
                }
                Vring txRing = rings[1];
                poller.set(1, q != null && txRing.kick != null ? txRing.kick.fd() : -1);
                poller.poll(4, q != null && txRing.polling ? 1 : -1);
                if (poller.readable(2)) {
                    break; // the endpoint is closing
                }
                if (poller.readable(1)) {
                    txRing.kick.drain();
                    counters.kicksReceived.increment();
                }
                if (poller.readable(3)) {
                    endpoint.refuseWaiting();
                }
                if ((poller.readable(0) || poller.failed(0)) && !message()) {
                    break;
                }
                if (transmitBroken != null) {
                    break;
                }
                if (q != null && queues == q) {
                    q.notifyOnTransmit(false);
                }
            }
        } catch (RingViolation e) {
            violation(counters.ringViolations, "guest broke the ring rules: " + e.getMessage());
        } catch (ProtocolViolation e) {
            violation(counters.protocolViolations, "front-end broke the vhost-user protocol: " + e.getMessage());
        } catch (InternalError e) {
            // The front-end shrank a memory file behind our mapping: the JVM turns the SIGBUS into this.
            violation(counters.ringViolations, "guest memory became inaccessible (a region file was truncated)");
        } catch (HostIoException e) {
            stopReason = "connection failed: " + e.getMessage();
        } catch (MessageChannel.Woken e) {
            stopReason = "link closed";
        } finally {
            alive = false;
            lock.lock();
            try {
                releaseEverything();
            } finally {
                lock.unlock();
            }
            String broken = transmitBroken;
            if (broken != null) {
                listener.event(broken);
            }
            downReason = broken != null ? broken : stopReason.isEmpty() ? "peer " + config.peerPath() + " disconnected"
                    : stopReason;
            report();
            arena.close();
        }
    }

    /**
     * Tells the listener when the data path started or stopped since the last
     * report. Called by the session's thread outside the lock: the stack may
     * transmit from inside its carrier callback, and a transmit takes the lock.
     */
    private void report() {
        boolean now = queues != null;
        if (now && !reportedUp) {
            reportedUp = true;
            counters.sessions.increment();
            listener.up(peerMac);
        } else if (!now && reportedUp) {
            reportedUp = false;
            listener.down(downReason);
        }
    }

    private void violation(java.util.concurrent.atomic.LongAdder counter, String why) {
        counter.increment();
        stopReason = why + "; link reset";
        listener.event(stopReason);
        for (Vring r : rings) {
            if (r.err != null) {
                r.err.signal(); // vhost-user.rst "SET_VRING_ERR": tell the front-end
            }
        }
    }

    /** Reads and handles one message if one is waiting; returns false when the peer closed the connection. */
    private boolean message() throws ProtocolViolation, HostIoException, RingViolation, MessageChannel.Woken {
        try {
            if (channel.read(msg, 0)) {
                handle();
                msg.closeUntakenFds();
                report();
            }
            return true;
        } catch (MessageChannel.PeerClosed e) {
            return false;
        } finally {
            msg.closeUntakenFds();
        }
    }

    private void handle() throws ProtocolViolation, HostIoException, RingViolation {
        int req = msg.request();
        if ((msg.flags() & VhostUser.FLAG_REPLY) != 0) {
            throw new ProtocolViolation(VhostUser.name(req) + " sent as a reply");
        }
        boolean ack = msg.needsReply() && has(protocolFeatures, VhostUser.PROTOCOL_F_REPLY_ACK);
        long result = 0;
        switch (req) {
            case VhostUser.GET_FEATURES -> reply(sized(0, 0).start(req, reply()).putU64(offered));
            case VhostUser.SET_FEATURES -> setFeatures(sized(8, 0).u64(0));
            case VhostUser.SET_OWNER -> sized(0, 0);
            case VhostUser.RESET_OWNER, VhostUser.RESET_DEVICE -> {
                sized(0, 0);
                if (req == VhostUser.RESET_DEVICE) {
                    requireProtocol(VhostUser.PROTOCOL_F_RESET_DEVICE, req);
                }
                resetDevice("the front-end reset the device");
            }
            case VhostUser.GET_PROTOCOL_FEATURES -> {
                reply(sized(0, 0).start(req, reply()).putU64(PROTOCOL_OFFERED));
            }
            case VhostUser.SET_PROTOCOL_FEATURES -> {
                long p = sized(8, 0).u64(0);
                if ((p & ~PROTOCOL_OFFERED) != 0) {
                    throw new ProtocolViolation("SET_PROTOCOL_FEATURES 0x" + Long.toHexString(p)
                            + " asks for protocol features not offered (0x" + Long.toHexString(PROTOCOL_OFFERED) + ")");
                }
                protocolFeatures = p;
                ack = msg.needsReply() && has(p, VhostUser.PROTOCOL_F_REPLY_ACK);
            }
            case VhostUser.GET_QUEUE_NUM -> {
                requireProtocol(VhostUser.PROTOCOL_F_MQ, req);
                reply(sized(0, 0).start(req, reply()).putU64(1)); // one queue pair
            }
            case VhostUser.SET_MEM_TABLE -> setMemTable();
            case VhostUser.SET_VRING_NUM -> {
                Vring r = ring(sized(8, 0).u32(0), req);
                int num = msg.u32(4);
                stopped(r, req);
                if (num < 2 || num > VirtqueueLayout.MAX_QUEUE_SIZE || Integer.bitCount(num) != 1) {
                    throw new ProtocolViolation("SET_VRING_NUM " + Integer.toUnsignedString(num) + " for ring " + r.index
                            + ": a split ring's size is a power of two up to 32768 (VIRTIO 1.2 §2.7)");
                }
                r.num = num;
            }
            case VhostUser.SET_VRING_ADDR -> setVringAddr();
            case VhostUser.SET_VRING_BASE -> {
                Vring r = ring(sized(8, 0).u32(0), req);
                int base = msg.u32(4);
                stopped(r, req);
                if (base < 0 || base > 0xffff) {
                    throw new ProtocolViolation("SET_VRING_BASE " + Integer.toUnsignedString(base) + " for ring "
                            + r.index + ": a split ring's index is 16 bits");
                }
                r.base = base;
            }
            case VhostUser.GET_VRING_BASE -> {
                Vring r = ring(sized(8, 0).u32(0), req);
                int next = stopRing(r);
                reply(msg.start(req, reply()).putU32(r.index).putU32(next));
            }
            case VhostUser.SET_VRING_KICK -> setVringKick();
            case VhostUser.SET_VRING_CALL, VhostUser.SET_VRING_ERR -> setVringFd(req);
            case VhostUser.SET_VRING_ENABLE -> {
                Vring r = ring(sized(8, 0).u32(0), req);
                int on = msg.u32(4);
                if (on != 0 && on != 1) {
                    throw new ProtocolViolation("SET_VRING_ENABLE " + Integer.toUnsignedString(on) + " for ring " + r.index);
                }
                r.enabled = on == 1;
                changed();
            }
            case VhostUser.GET_CONFIG -> getConfig();
            case VhostUser.SET_CONFIG -> result = setConfig();
            case VhostUser.SET_STATUS -> {
                requireProtocol(VhostUser.PROTOCOL_F_STATUS, req);
                long s = sized(8, 0).u64(0);
                if (s < 0 || s > 0xff) {
                    throw new ProtocolViolation("SET_STATUS 0x" + Long.toHexString(s) + ": the status is 8 bits");
                }
                status = (int) s;
                if (status == 0) {
                    resetDevice("the guest reset its device"); // VIRTIO 1.2 §2.1: writing 0 resets it
                }
            }
            case VhostUser.GET_STATUS -> {
                requireProtocol(VhostUser.PROTOCOL_F_STATUS, req);
                reply(sized(0, 0).start(req, reply()).putU64(status));
            }
            default -> throw new ProtocolViolation(VhostUser.name(req) + " is not supported (features offered: "
                    + VirtioNetFeatures.describe(offered) + ")");
        }
        if (ack && !repliesItself(req)) {
            reply(msg.start(req, reply()).putU64(result));
        }
    }

    private static boolean repliesItself(int req) {
        return switch (req) {
            case VhostUser.GET_FEATURES, VhostUser.GET_PROTOCOL_FEATURES, VhostUser.GET_QUEUE_NUM,
                    VhostUser.GET_VRING_BASE, VhostUser.GET_CONFIG, VhostUser.GET_STATUS -> true;
            default -> false;
        };
    }

    private static int reply() {
        return VhostUser.VERSION | VhostUser.FLAG_REPLY;
    }

    private void reply(VhostMessage m) throws HostIoException {
        channel.write(m);
    }

    private static boolean has(long bits, int b) {
        return (bits & bit(b)) != 0;
    }

    /** Checks the payload size and descriptor count of the message; returns it. */
    private VhostMessage sized(int size, int fds) throws ProtocolViolation {
        if (msg.size() != size || msg.fdCount != fds) {
            throw new ProtocolViolation(VhostUser.name(msg.request()) + " with " + msg.size() + " bytes and "
                    + msg.fdCount + " descriptors (expected " + size + " and " + fds + ")");
        }
        return msg;
    }

    private void requireProtocol(int b, int req) throws ProtocolViolation {
        if (!has(protocolFeatures, b)) {
            throw new ProtocolViolation(VhostUser.name(req) + " without the protocol feature that enables it (bit " + b + ")");
        }
    }

    private Vring ring(int index, int req) throws ProtocolViolation {
        if (index != 0 && index != 1) {
            throw new ProtocolViolation(VhostUser.name(req) + " for ring " + Integer.toUnsignedString(index)
                    + "; a virtio-net device with one queue pair has rings 0 and 1");
        }
        return rings[index];
    }

    private static void stopped(Vring r, int req) throws ProtocolViolation {
        if (r.started()) {
            throw new ProtocolViolation(VhostUser.name(req) + " for ring " + r.index + " while it runs");
        }
    }

    private void setFeatures(long f) throws ProtocolViolation {
        long unoffered = f & ~offered & VirtioNetFeatures.DATA_PATH;
        if (unoffered != 0) {
            throw new ProtocolViolation("SET_FEATURES asks for " + VirtioNetFeatures.describe(unoffered)
                    + ", not offered");
        }
        if (rings[0].started() || rings[1].started()) {
            throw new ProtocolViolation("SET_FEATURES while rings run");
        }
        features = f;
        featuresSet = true;
        if (!has(f, VhostUser.F_PROTOCOL_FEATURES)) {
            rings[0].enabled = true; // vhost-user.rst "Ring states": enabled from the start without them
            rings[1].enabled = true;
        }
    }

    private void setMemTable() throws ProtocolViolation, RingViolation {
        MemoryTable fresh = MemoryTable.map(msg);
        lock.lock();
        try {
            MemoryTable old = memory;
            memory = fresh;
            try {
                // Running rings now live in the new mapping: build them again where they were.
                for (Vring r : rings) {
                    if (r.started()) {
                        r.queue = queueFor(r, r.queue.nextAvail());
                    }
                }
                rebuildQueues();
            } catch (RingViolation e) {
                // A running ring is not inside the new table. Nothing may touch the old mapping once it is
                // unmapped below: the data path stops here (the violation ends the session).
                stop("a ring is not inside the new memory table");
                for (Vring r : rings) {
                    r.queue = null;
                }
                throw e;
            } finally {
                // Unmapped in every case: only the session referred to it (a table the fuzzer made fail here
                // used to keep the old mapping and its descriptor for ever).
                if (old != null) {
                    old.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void setVringAddr() throws ProtocolViolation {
        Vring r = ring(sized(40, 0).u32(0), VhostUser.SET_VRING_ADDR);
        stopped(r, VhostUser.SET_VRING_ADDR);
        // u32 index, u32 flags (bit 0: log), u64 desc, u64 used, u64 avail, u64 log (vhost-user.rst "Vring address")
        r.descAddr = msg.u64(8);
        r.usedAddr = msg.u64(16);
        r.availAddr = msg.u64(24);
        r.addressed = true;
    }

    private void setVringKick() throws ProtocolViolation, HostIoException, RingViolation {
        long v = msg.size() == 8 ? msg.u64(0) : -1;
        Vring r = ring((int) (v & VhostUser.VRING_INDEX_MASK), VhostUser.SET_VRING_KICK);
        boolean nofd = (v & VhostUser.VRING_NOFD) != 0;
        sized(8, nofd ? 0 : 1);
        if ((v & ~(VhostUser.VRING_INDEX_MASK | VhostUser.VRING_NOFD)) != 0) {
            throw new ProtocolViolation("SET_VRING_KICK with unknown bits 0x" + Long.toHexString(v));
        }
        EventFd kick = nofd ? null : adopt(VhostUser.SET_VRING_KICK, r);
        if (r.num == 0 || !r.addressed || memory == null || !featuresSet) {
            if (kick != null) {
                kick.close();
            }
            throw new ProtocolViolation("SET_VRING_KICK for ring " + r.index + " before its "
                    + (r.num == 0 ? "size" : !r.addressed ? "addresses" : memory == null ? "memory table" : "features")
                    + " (vhost-user.rst \"Starting and stopping rings\")");
        }
        lock.lock();
        try {
            r.kick = Vring.replace(r.kick, kick);
            r.polling = nofd;
            // vhost-user.rst: the ring starts when its kick descriptor is set.
            r.queue = queueFor(r, r.base);
            rebuildQueues();
        } finally {
            lock.unlock();
        }
    }

    private void setVringFd(int req) throws ProtocolViolation, HostIoException {
        long v = msg.size() == 8 ? msg.u64(0) : -1;
        Vring r = ring((int) (v & VhostUser.VRING_INDEX_MASK), req);
        boolean nofd = (v & VhostUser.VRING_NOFD) != 0;
        sized(8, nofd ? 0 : 1);
        if ((v & ~(VhostUser.VRING_INDEX_MASK | VhostUser.VRING_NOFD)) != 0) {
            throw new ProtocolViolation(VhostUser.name(req) + " with unknown bits 0x" + Long.toHexString(v));
        }
        EventFd fd = nofd ? null : adopt(req, r);
        lock.lock();
        try {
            if (req == VhostUser.SET_VRING_CALL) {
                r.call = Vring.replace(r.call, fd);
                rebuildQueues();
            } else {
                r.err = Vring.replace(r.err, fd);
            }
        } finally {
            lock.unlock();
        }
    }

    private EventFd adopt(int req, Vring r) throws ProtocolViolation {
        try {
            return EventFd.adopt(msg.takeFd(0));
        } catch (HostIoException e) {
            throw new ProtocolViolation(VhostUser.name(req) + " for ring " + r.index + ": " + e.getMessage());
        }
    }

    /** The ring's queue over the current memory, starting at {@code base}; the ring's parts must lie in it. */
    private DeviceQueue queueFor(Vring r, int base) throws RingViolation {
        var mem = memory.memory();
        int n = r.num;
        MemorySegment desc = mem.userRange(r.descAddr, 16L * n);
        MemorySegment avail = mem.userRange(r.availAddr, 6 + 2L * n);
        MemorySegment used = mem.userRange(r.usedAddr, 6 + 8L * n);
        if (desc == null || avail == null || used == null) {
            throw new RingViolation("ring " + r.index + "'s " + (desc == null ? "descriptor table" : avail == null
                    ? "available ring" : "used ring") + " is not inside the memory table");
        }
        try {
            DeviceQueue q = new DeviceQueue(mem, desc, avail, used, n,
                    has(features, VirtioNetFeatures.RING_EVENT_IDX));
            q.reset(base);
            return q;
        } catch (IllegalArgumentException e) {
            throw new RingViolation("ring " + r.index + ": " + e.getMessage());
        }
    }

    /** Stops a ring (GET_VRING_BASE) and returns the index to resume from. */
    private int stopRing(Vring r) {
        lock.lock();
        try {
            int next = r.started() ? r.queue.nextAvail() : r.base;
            r.queue = null;
            r.base = next;
            rebuildQueues();
            return next;
        } finally {
            lock.unlock();
        }
    }

    private void resetDevice(String why) {
        lock.lock();
        try {
            for (Vring r : rings) {
                r.queue = null;
                r.base = 0;
                r.enabled = !has(features, VhostUser.F_PROTOCOL_FEATURES);
            }
            stop(why);
        } finally {
            lock.unlock();
        }
    }

    private void changed() {
        lock.lock();
        try {
            rebuildQueues();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts or stops the data path after a change (under the lock): it runs
     * while both rings are started and enabled.
     */
    private void rebuildQueues() {
        Vring rx = rings[0];
        Vring tx = rings[1];
        boolean run = rx.started() && tx.started() && rx.enabled && tx.enabled;
        GuestQueues old = queues;
        if (run) {
            queues = new GuestQueues(rx.queue, tx.queue, rx.kick, rx.call, tx.call, features, config.mtu(), pool, listener,
                    counters);
            if (old != null) {
                old.close();
            }
        } else if (old != null) {
            stop("peer " + config.peerPath() + " stopped its rings");
        }
    }

    /** Stops the data path (under the lock); {@link #report()} tells the listener. */
    private void stop(String why) {
        GuestQueues old = queues;
        if (old != null) {
            queues = null;
            old.close();
            downReason = why;
        }
    }

    private void getConfig() throws ProtocolViolation, HostIoException {
        requireProtocol(VhostUser.PROTOCOL_F_CONFIG, VhostUser.GET_CONFIG);
        int off = configHeader();
        int size = msg.u32(4);
        byte[] space = new byte[CONFIG_SIZE];
        MacAddress pm = peerMac;
        long mac = pm == null ? 0 : pm.bits();
        for (int i = 0; i < 6; i++) {
            space[i] = (byte) (mac >>> (40 - 8 * i));
        }
        space[6] = 1; // status: VIRTIO_NET_S_LINK_UP
        space[8] = 1; // max_virtqueue_pairs
        space[10] = (byte) ((config.mtu() - 14) & 0xff);
        space[11] = (byte) ((config.mtu() - 14) >>> 8);
        byte[] part = java.util.Arrays.copyOfRange(space, off, off + size);
        reply(msg.start(VhostUser.GET_CONFIG, reply()).putU32(off).putU32(size).putU32(0).putBytes(part));
    }

    /**
     * SET_CONFIG: a driver writing the config space. The only field a
     * virtio-net driver writes is {@code mac} (legacy drivers set their MAC
     * there, §5.1.4); pktstack's front-end does so to tell the host its MAC,
     * which is refused when it is this side's own or not unicast.
     *
     * @return 0 if accepted, 1 if refused (the REPLY_ACK value)
     */
    private long setConfig() throws ProtocolViolation {
        requireProtocol(VhostUser.PROTOCOL_F_CONFIG, VhostUser.SET_CONFIG);
        int off = configHeader();
        int size = msg.u32(4);
        if (off != 0 || size != 6) {
            throw new ProtocolViolation("SET_CONFIG of " + size + " bytes at " + off + ": only the MAC (6 bytes at 0) is writable");
        }
        long bits = 0;
        for (int i = 0; i < 6; i++) {
            bits = (bits << 8) | (msg.u8(VhostUser.CONFIG_HEADER + i) & 0xff);
        }
        MacAddress mac = new MacAddress(bits);
        if (mac.equals(config.mac())) {
            refused = true;
            listener.event("MAC " + mac + " of " + config.bindPath() + " collides with peer " + config.peerPath()
                    + " on the same link; refused");
            return 1;
        }
        if (mac.isMulticast()) {
            refused = true;
            listener.event("peer " + config.peerPath() + " uses multicast MAC " + mac + "; refused");
            return 1;
        }
        peerMac = mac;
        return 0;
    }

    /** Checks a GET_CONFIG/SET_CONFIG payload: u32 offset, u32 size, u32 flags, then size bytes. */
    private int configHeader() throws ProtocolViolation {
        int req = msg.request();
        if (msg.fdCount != 0 || msg.size() < VhostUser.CONFIG_HEADER) {
            throw new ProtocolViolation(VhostUser.name(req) + " of " + msg.size() + " bytes with " + msg.fdCount + " descriptors");
        }
        int off = msg.u32(0);
        int size = msg.u32(4);
        if (size < 0 || size > VhostUser.MAX_CONFIG || msg.size() != VhostUser.CONFIG_HEADER + size
                || off < 0 || off > CONFIG_SIZE - size) {
            throw new ProtocolViolation(VhostUser.name(req) + " of " + Integer.toUnsignedString(size) + " bytes at "
                    + Integer.toUnsignedString(off) + " in a message of " + msg.size() + " (config space "
                    + CONFIG_SIZE + " bytes)");
        }
        return off;
    }

    /** Closes every descriptor and mapping the session holds (under the lock, after the data path stopped). */
    private void releaseEverything() {
        GuestQueues q = queues;
        queues = null;
        if (q != null) {
            q.close();
        }
        for (Vring r : rings) {
            r.queue = null;
            r.closeFds();
        }
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }

    // ---- the stack's threads -----------------------------------------------------------

    @Override
    public int transmit(FrameBatch batch) {
        lock.lock();
        try {
            GuestQueues q = queues;
            if (q == null || transmitBroken != null) {
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            }
            try {
                return q.transmit(batch);
            } catch (RingViolation | InternalError e) {
                String why = (e instanceof RingViolation ? "guest broke the ring rules on receive: " + e.getMessage()
                        : "guest memory became inaccessible (a region file was truncated)") + "; link reset";
                counters.ringViolations.increment();
                transmitBroken = why; // reported by the session's thread, not under the lock
                endpoint.wake(); // the session's thread ends the connection
                counters.txNoCarrier.add(batch.size());
                batch.releaseAll();
                return 0;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vhost-user role", "back-end (device)");
        MacAddress pm = peerMac;
        m.put("peer process", pm != null ? "pktstack " + peerProcess : peerProcess);
        m.put("features offered", VirtioNetFeatures.describe(offered));
        m.put("features negotiated", featuresSet ? VirtioNetFeatures.describe(features & offered) : "not yet");
        m.put("rx ring (0)", rings[0].describe());
        m.put("tx ring (1)", rings[1].describe());
        io.pktstack.vdev.GuestMemory mem = memory == null ? null : memory.memory();
        if (mem != null) {
            m.put("guest memory", mem.regions() + " regions, " + (mem.totalSize() >> 20) + " MiB mapped");
        }
        return m;
    }
}
