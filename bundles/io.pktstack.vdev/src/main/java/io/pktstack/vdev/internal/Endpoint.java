package io.pktstack.vdev.internal;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.link.LinkPort;
import io.pktstack.hostio.CpuAffinity;
import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.hostio.UnixSocket;
import io.pktstack.vdev.EndpointConfig;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One end of a guest link: listens at its own node, connects to its peer's
 * node when it is the side that dials ({@link EndpointConfig#dials()}), and
 * runs one vhost-user session at a time on its own thread, starting over when
 * the connection ends. So either side may start first, and either may be
 * killed and started again: the link goes down, this side keeps running and
 * the link comes up when the peer returns.
 *
 * <p>Roles: the side that connects is the back-end on that connection; a
 * connection accepted at our node gets our configured role (a virtio-net
 * front-end waits there for back-ends; a vdevpeer-net back-end also accepts
 * front-ends that connect themselves, as QEMU does with a client chardev).
 */
public final class Endpoint implements AutoCloseable {

    private static final long RETRY_NANOS = 100_000_000L;
    private static final long REFUSED_NANOS = 1_000_000_000L;
    /** Pause after a failed accept (out of descriptors): the connection stays queued, the thread must not spin. */
    private static final long ACCEPT_BACKOFF_NANOS = 100_000_000L;
    /**
     * Problems logged per window at most: each is counted and kept for nicinfo,
     * but a peer that keeps breaking the rules (or a node that keeps failing)
     * must not flood the log; what was left out is summed up in the next window.
     */
    static final int LOG_BURST = 10;
    static final long LOG_WINDOW_NANOS = 10_000_000_000L;
    /** Linux's errno for "no such file" (nobody there yet) and "connection refused" (a node its listener left). */
    private static final int ENOENT = 2;
    private static final int ECONNREFUSED = 111;

    private final EndpointConfig config;
    private final UnixSocket listen;
    private final EventFd wake;
    private final LinkCounters counters = new LinkCounters();
    private FramePool pool;
    private LinkListener out;      // the link's listener
    private LinkListener listener; // what sessions report to: tracks state, then tells out
    private Thread thread;
    private volatile Session session;
    /** How the current session's connection came: "connected to PEER" or "accepted at BIND". */
    private volatile String sessionVia = "";
    private volatile boolean closed;
    /** Frames left with peers that did not stop their rings at their session's end (only the endpoint thread adds). */
    private volatile int withheld;
    private volatile String lastProblem = "";
    private volatile MacAddress peerMac;
    private final Object logLock = new Object();
    private long logWindowStart;
    private int loggedInWindow;
    private int notLogged;

    // Until start() says otherwise (a session run by a test or fuzz harness): never poll, no pinning.
    private LongSupplier busyPollMicros = () -> 0;
    private IntSupplier pollCpu = () -> -1;
    private int pinnedTo = -1;

    /**
     * Binds this side's node, so that a path already in use fails here, before
     * anything started.
     *
     * @throws IOException if the node is in use by a running endpoint or cannot be bound
     */
    public Endpoint(EndpointConfig config) throws IOException {
        this.config = config;
        Path socket = config.bindSocket();
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket)) {
            boolean live;
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(socket));
                live = true;
            } catch (IOException e) {
                live = false;
            }
            if (live) {
                throw new IOException("bind path " + config.bindPath() + " is in use by another running endpoint");
            }
            Files.delete(socket); // left behind by an endpoint that died
        }
        this.listen = UnixSocket.listen(socket, PosixFilePermissions.fromString(config.socketMode()));
        try {
            this.wake = EventFd.create();
        } catch (HostIoException e) {
            listen.close();
            throw e;
        }
    }

    /** Starts serving with the default polling and no pinning. */
    public void start(FramePool framePool, LinkListener linkListener) {
        start(framePool, linkListener, () -> LinkPort.DEFAULT_BUSY_POLL_MICROS, () -> -1);
    }

    /**
     * Starts serving; frames go to {@code listener}, frames for receiving come
     * from {@code pool}. The worker polls for {@code busyPollMicros} after its
     * last work ({@link PollBudget}) and, at each session's start, pins itself
     * to CPU {@code pollCpu} unless it is -1.
     */
    public synchronized void start(FramePool framePool, LinkListener linkListener, LongSupplier busyPollMicros,
            IntSupplier pollCpu) {
        this.busyPollMicros = busyPollMicros;
        this.pollCpu = pollCpu;
        if (thread != null) {
            throw new IllegalStateException("endpoint " + config.bindPath() + " already started");
        }
        this.pool = framePool;
        this.out = linkListener;
        this.listener = new Tracking(linkListener);
        this.thread = Thread.ofPlatform().daemon().name("vdev-" + config.bindPath()).start(this::run);
    }

    /** Remembers the peer's MAC and the last problem, then passes everything on. */
    private final class Tracking implements LinkListener {
        private final LinkListener next;

        Tracking(LinkListener next) {
            this.next = next;
        }

        @Override
        public FramePool largePool() {
            return next.largePool();
        }

        @Override
        public void up(MacAddress mac) {
            peerMac = mac;
            lastProblem = "";
            next.up(mac);
        }

        @Override
        public void down(String reason) {
            peerMac = null;
            next.down(reason);
            if (reason != null && !reason.equals(lastProblem)) {
                problem(reason); // why the link went down, unless the problem that took it down was just said
            }
        }

        @Override
        public void received(FrameBatch batch) {
            next.received(batch);
        }

        @Override
        public void event(String message) {
            problem(message);
        }
    }

    /** Keeps a problem for nicinfo and logs it, at most {@link #LOG_BURST} per {@link #LOG_WINDOW_NANOS}. */
    private void problem(String message) {
        if (message == null) {
            return;
        }
        String summary;
        boolean log;
        synchronized (logLock) {
            lastProblem = message;
            summary = newWindow(System.nanoTime());
            log = loggedInWindow++ < LOG_BURST;
            if (!log) {
                notLogged++;
            }
        }
        if (summary != null) {
            out.event(summary);
        }
        if (log) {
            out.event(message);
        }
    }

    /** Starts a new window if the last one is over; returns the summary of what it left out, or null. */
    private String newWindow(long now) {
        if (now - logWindowStart <= LOG_WINDOW_NANOS) {
            return null;
        }
        String summary = notLogged == 0 ? null : notLogged + " more problem(s) in the " + LOG_WINDOW_NANOS / 1_000_000_000L
                + " s before were counted but not logged";
        logWindowStart = now;
        loggedInWindow = 0;
        notLogged = 0;
        return summary;
    }

    /** Says what the last window left out once it is over, even when no new problem comes. */
    private void flushSummary() {
        String summary;
        synchronized (logLock) {
            summary = notLogged == 0 ? null : newWindow(System.nanoTime());
        }
        if (summary != null) {
            out.event(summary);
        }
    }

    /**
     * Marks the calling thread as a guest-link worker: a thread that empties
     * rings. A front-end's transmit never waits for room on such a thread (see
     * {@link FrontendSession#transmit}).
     */
    private static final ThreadLocal<Boolean> WORKER = new ThreadLocal<>();

    /** Whether the calling thread is a guest-link worker of this process. */
    static boolean onWorker() {
        return WORKER.get() != null;
    }

    private void run() {
        WORKER.set(Boolean.TRUE);
        try (Poller poller = new Poller(2)) {
            poller.set(0, listen.fd());
            poller.set(1, wake.fd());
            long nextDial = 0;
            while (!closed) {
                flushSummary();
                if (config.dials() && System.nanoTime() - nextDial >= 0) {
                    UnixSocket s = dial();
                    if (s != null) {
                        sessionVia = "connected to " + config.peerPath();
                        boolean refused = runSession(s, false);
                        nextDial = System.nanoTime() + (refused ? REFUSED_NANOS : 0);
                        continue;
                    }
                    nextDial = System.nanoTime() + RETRY_NANOS;
                }
                long waitNanos = config.dials() ? Math.max(0, nextDial - System.nanoTime()) : 1_000_000_000L;
                poller.poll(2, (int) (waitNanos / 1_000_000) + 1);
                if (poller.readable(1)) {
                    wake.drain();
                    continue;
                }
                if (poller.readable(0)) {
                    UnixSocket s = accept();
                    if (s != null) {
                        sessionVia = "accepted at " + config.bindPath();
                        runSession(s, config.frontEnd());
                    }
                }
            }
        } catch (RuntimeException e) {
            // Only a fault of ours gets here (peers' errors end their session): say so loudly, the link is dead.
            System.getLogger("io.pktstack.vdev").log(System.Logger.Level.ERROR,
                    config.bindPath() + ": endpoint stopped", e);
            problem("endpoint " + config.bindPath() + " stopped: " + e);
        }
    }

    /**
     * Accepts a waiting connection. A failure (out of descriptors, a
     * connection reset before it was taken) is reported and waited out: the
     * endpoint must outlive it, or the link would never come back.
     */
    private UnixSocket accept() {
        try {
            return listen.accept();
        } catch (HostIoException e) {
            problem("cannot accept a connection at " + config.bindPath() + ": " + e.getMessage());
            java.util.concurrent.locks.LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS);
            return null;
        }
    }

    private UnixSocket dial() {
        try {
            return UnixSocket.connect(config.peerSocket());
        } catch (HostIoException e) {
            // Nobody there yet (ENOENT) or a node left by a peer that died (ECONNREFUSED): normal, keep trying.
            if (e.errno() != ENOENT && e.errno() != ECONNREFUSED) {
                problem("peer " + config.peerPath() + ": " + e.getMessage());
            }
            return null;
        }
    }

    /** Runs one session to its end on this thread; returns whether the peer was refused. */
    private boolean runSession(UnixSocket socket, boolean frontEnd) {
        pin();
        try (MessageChannel channel = new MessageChannel(socket, wake)) {
            Session s = frontEnd ? new FrontendSession(config, channel, this, pool, listener, counters)
                    : new BackendSession(config, channel, this, pool, listener, counters);
            session = s;
            if (closed) {
                return false; // close() may have run before the session was published
            }
            try {
                s.run();
            } finally {
                withheld += s.withheld();
            }
            return s.refused();
        } catch (RuntimeException e) {
            // A fault of ours, not the peer's (the sessions turn every peer error into a reset): the link is reset
            // and the endpoint goes on; the stack trace is for the bug report.
            counters.internalErrors.increment();
            System.getLogger("io.pktstack.vdev").log(System.Logger.Level.ERROR,
                    config.bindPath() + ": session failed; link reset", e);
            problem("session failed (" + e + "); link reset");
            return false;
        } finally {
            session = null;
            // A session may have ended on a wake-up meant for it (a transmit found the guest's ring broken); left
            // set, it would end every session after it at once. Closing is known by the closed flag, not by this.
            wake.drain();
        }
    }

    /** Pins the worker to the CPU the port names, if it changed since the last session. */
    private void pin() {
        int cpu = pollCpu.getAsInt();
        if (cpu < 0 || cpu == pinnedTo) {
            return;
        }
        try {
            CpuAffinity.pinCurrentThread(cpu);
            pinnedTo = cpu;
        } catch (HostIoException | IllegalArgumentException e) {
            problem("cannot pin the worker of " + config.bindPath() + " to CPU " + cpu + ": " + e.getMessage());
        }
    }

    // ---- for the sessions -----------------------------------------------------------

    /** A fresh polling budget for a session's worker. */
    PollBudget pollBudget() {
        return new PollBudget(busyPollMicros);
    }

    int wakeFd() {
        return wake.fd();
    }

    int listenFd() {
        return listen.fd();
    }

    /** Wakes the endpoint's thread (a session that must end, or close()). */
    void wake() {
        wake.signal();
    }

    /** A second connection while a session runs: accepted and closed at once, and said. */
    void refuseWaiting() {
        try {
            UnixSocket extra = listen.accept();
            if (extra != null) {
                long pid = extra.peerPid();
                extra.close();
                problem("refused a second connection at " + config.bindPath() + " from " + processName(pid)
                        + " while one is in use");
            }
        } catch (HostIoException e) {
            problem(e.getMessage());
        }
    }

    /** A peer process for messages: {@code qemu-system-x86 (pid 123)}. */
    static String processName(long pid) {
        if (pid <= 0) {
            return "unknown process";
        }
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip() + " (pid " + pid + ")";
        } catch (IOException e) {
            return "pid " + pid;
        }
    }

    // ---- for the link -----------------------------------------------------------------

    /** The connected peer's MAC if it told us, else null. */
    public MacAddress peerMac() {
        return connected() ? peerMac : null;
    }

    /** Whether frames flow. */
    public boolean connected() {
        Session s = session;
        return s != null && s.up();
    }

    /**
     * Frames of the stack's pools on the current session's rings and left with earlier sessions' peers,
     * which did not stop their rings ({@code Link.framesOnRings}): out of the pool for good.
     */
    public int framesOnRings() {
        Session s = session;
        return (s == null ? 0 : s.framesOnRings()) + withheld;
    }

    /** What the current session's peer takes of offloads ({@code Link.offloads}); 0 without one. */
    public int offloads() {
        Session s = session;
        return s == null ? 0 : s.offloads();
    }

    /**
     * Sends frames from the front of the batch (the {@code Link.transmit}
     * contract): without a session they are dropped and counted; frames that
     * find the peer's ring full stay in the batch. Returns frames sent.
     */
    public int transmit(FrameBatch batch) {
        Session s = session;
        if (s == null) {
            counters.txNoCarrier.add(batch.size());
            batch.releaseAll();
            return 0;
        }
        return s.transmit(batch);
    }

    /**
     * The link's drops and errors by kind of count: no receive buffer is a
     * drop, a bad header or length or size and every reset the peer caused
     * are errors; no carrier is a transmit drop, a frame larger than the MTU a
     * transmit error.
     */
    public io.pktstack.api.link.DriverCounters counters() {
        LinkCounters c = counters;
        return new io.pktstack.api.link.DriverCounters(c.rxNoFrame.sum(),
                c.rxBadHeader.sum() + c.rxTooBig.sum() + c.ringViolations.sum() + c.protocolViolations.sum(),
                c.txNoCarrier.sum(), c.txTooBig.sum());
    }

    /** Counters and state for {@code nicinfo}. */
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bind", config.bindPath());
        m.put("peer", config.peerPath());
        MacAddress pm = peerMac;
        m.put("peer state", connected() ? "connected" + (pm == null ? "" : " (peer MAC " + pm + ")")
                : "waiting for peer");
        m.put("connects to peer", config.dials() ? "yes (back-end on that connection)" : "no (waits at bind)");
        Session s = session;
        if (s != null) {
            m.put("connection", sessionVia);
            m.putAll(s.details());
        }
        m.put("tx: peer ring full (frames)", counters.txRingFull.sum());
        m.put("tx: waits for peer room / peer stalled", counters.txWaits.sum() + "/" + counters.txStalls.sum());
        m.put("tx drops: no carrier", counters.txNoCarrier.sum());
        m.put("tx drops: frame too big", counters.txTooBig.sum());
        m.put("rx drops: no buffer", counters.rxNoFrame.sum());
        m.put("rx drops: bad header/length", counters.rxBadHeader.sum());
        m.put("rx drops: larger than the MTU", counters.rxTooBig.sum());
        m.put("rx: segments cut / frames made", counters.rxSegmented.sum() + "/" + counters.rxSegments.sum());
        m.put("rx: large segments passed whole / cut for want of a large frame", counters.rxLarge.sum() + "/"
                + counters.rxNoLargeFrame.sum());
        m.put("tx: large segments handed whole / sent in pieces for want of a large buffer", counters.txLarge.sum()
                + "/" + counters.txCutForWantOfLarge.sum());
        m.put("rx: partial checksums (left to the egress link)", counters.rxChecksummed.sum());
        m.put("kicks sent/received", counters.kicksSent.sum() + "/" + counters.kicksReceived.sum());
        m.put("sessions", counters.sessions.sum());
        m.put("resets: ring rules/protocol", counters.ringViolations.sum() + "/" + counters.protocolViolations.sum());
        m.put("resets: internal errors", counters.internalErrors.sum());
        if (!lastProblem.isEmpty()) {
            m.put("last problem", lastProblem);
        }
        return m;
    }

    /**
     * Stops the endpoint: the session ends, the thread stops, the node is
     * removed, and every frame the endpoint held has gone back to its pool when
     * this returns, but those a back-end kept on its rings ({@link #framesOnRings}).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        wake.signal();
        if (t != null) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        listen.close();
        wake.close();
    }
}
