package io.pktstack.vdev;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One end of a guest link: binds its device path as a Unix domain socket,
 * finds its peer at the peer path, and keeps the link alive across restarts of
 * either side. The connection carries the handshake ({@link Hello}) and then
 * one-byte notifications; the frames cross in shared memory
 * ({@link LinkSession}).
 *
 * <p>Either side may start first: the side whose path sorts first keeps trying
 * to connect, the other accepts. When the connection drops, the link goes
 * down, this side keeps running and the link comes up again when the peer
 * returns.
 */
public final class VdevEndpoint implements AutoCloseable {

    /** What the endpoint tells its owner (the driver's link). */
    public interface Listener {
        /** A session started: the peer is there and frames may flow. */
        void up(MacAddress peerMac);

        /** The session ended (peer gone, or reset). */
        void down(String reason);

        /** Frames arrived; takes ownership of the batch's frames and empties it. */
        void received(FrameBatch batch);

        /** Something the operator should see. */
        void event(String message);
    }

    private static final long RETRY_NANOS = 100_000_000L;

    private final EndpointConfig config;
    private final ServerSocketChannel server;
    private FramePool pool;
    private Listener listener;
    private Thread thread;
    private final LinkSession.Counters counters = new LinkSession.Counters();
    private volatile LinkSession session;
    /** The connection being set up or in use, so close() can end a blocked read without an interrupt. */
    private volatile SocketChannel channel;
    private volatile boolean closed;
    private volatile String lastProblem = "";
    private volatile MacAddress peerMac;
    private volatile boolean legacyInUse;

    /**
     * Binds the socket, so that a path already in use fails here, before
     * anything started.
     *
     * @throws IOException if the bind path is in use by a running endpoint or cannot be bound
     */
    public VdevEndpoint(EndpointConfig config) throws IOException {
        this.config = config;
        this.server = bind(config.bindSocket(), config.socketMode(), config.bindPath());
    }

    /** Starts finding the peer; from now on frames go to {@code listener}, receive buffers come from {@code pool}. */
    public synchronized void start(FramePool pool, Listener listener) {
        if (thread != null) {
            throw new IllegalStateException("endpoint " + config.bindPath() + " already started");
        }
        this.pool = pool;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("vdev-" + config.bindPath()).start(this::run);
    }

    private static ServerSocketChannel bind(Path socket, String mode, String bindPath) throws IOException {
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new IOException("bind path " + bindPath + " is in use by another running endpoint");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("bind path")) {
                    throw e;
                }
                Files.delete(socket); // left behind by an endpoint that died
            }
        }
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(mode));
        return s;
    }

    /** The connected peer's MAC, or null while there is no session. */
    public MacAddress peerMac() {
        return connected() ? peerMac : null;
    }

    public boolean connected() {
        LinkSession s = session;
        return s != null && s.alive;
    }

    /**
     * Sends frames from the front of the batch (the {@code Link.transmit}
     * contract): without a peer they are dropped and counted; frames that find
     * the peer's ring full stay in the batch. Returns frames sent.
     */
    public int transmit(FrameBatch batch) {
        LinkSession s = session;
        if (s == null) {
            counters.txNoCarrier.add(batch.size());
            batch.releaseAll();
            return 0;
        }
        return s.transmit(batch);
    }

    private void run() {
        while (!closed) {
            SocketChannel ch = null;
            try {
                ch = config.connects() ? connect() : server.accept();
                if (ch == null) {
                    continue;
                }
                channel = ch;
                if (closed) {
                    return; // close() may have run before the channel was published
                }
                runSession(ch);
            } catch (IOException e) {
                if (!closed) {
                    problem(e.getMessage());
                    sleepRetry();
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                channel = null;
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        }
    }

    private SocketChannel connect() {
        while (!closed) {
            if (Files.exists(config.peerSocket())) {
                try {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    try {
                        ch.connect(UnixDomainSocketAddress.of(config.peerSocket()));
                        return ch;
                    } catch (IOException e) {
                        ch.close();
                    }
                } catch (IOException e) {
                    problem(e.getMessage());
                }
            }
            sleepRetry();
        }
        return null;
    }

    private void sleepRetry() {
        try {
            Thread.sleep(RETRY_NANOS / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void problem(String message) {
        if (message != null && !message.equals(lastProblem)) {
            lastProblem = message;
            listener.event(message);
        }
    }

    /** Handshake, run the data path until the connection drops, then tear down. */
    private void runSession(SocketChannel ch) throws IOException, InterruptedException {
        SharedRegion own = null;
        SharedRegion peer = null;
        LinkSession s = null;
        try {
            if (config.driverRole()) {
                own = SharedRegion.create(config.shmFolder(), config.queueSize(), config.bufferSize());
            }
            Hello mine = new Hello(config.driverRole() ? Hello.DRIVER : Hello.DEVICE, config.legacyHeader(),
                    config.mac(), config.mtu(), config.bindPath(), own == null ? "" : own.file().toString());
            mine.write(ch);
            Hello theirs = Hello.read(ch);
            String refusal = check(theirs);
            if (refusal != null) {
                problem(refusal);
                Thread.sleep(1000); // do not spin on a peer that will be refused again
                return;
            }
            if (theirs.role() == Hello.DRIVER) {
                peer = SharedRegion.open(config.shmFolder(), theirs.regionPath(), 32768, 65536);
            }
            // The header format is the device's to choose (there is no feature negotiation between two
            // peers); two drivers use the VIRTIO 1.x header.
            boolean legacy = theirs.role() == Hello.DEVICE ? theirs.legacyHeader() : config.legacyHeader();
            legacyInUse = legacy;
            s = new LinkSession(ch, own, peer, legacy, config.mtu(), pool, listener, counters);
            if (own != null) {
                s.initializeOwnRings();
            }
            // Both sides have mapped what they need: say so, and wait for the peer to say so.
            Hello.writeFully(ch, ByteBuffer.wrap(new byte[] {'R'}));
            ByteBuffer ready = Hello.readFully(ch, 1);
            if (ready.get() != 'R') {
                throw new Hello.ProtocolException("peer did not confirm the handshake");
            }
            if (own != null) {
                own.unlink(); // both sides have it mapped: the name is no longer needed
            }
            session = s;
            peerMac = theirs.mac();
            lastProblem = "";
            listener.up(theirs.mac());
            s.runWorker(); // until the link ends: peer gone, rules broken, or close()
        } catch (Hello.ProtocolException e) {
            problem("peer " + config.peerPath() + ": " + e.getMessage());
        } catch (java.io.EOFException e) {
            // peer went away during the handshake
        } finally {
            boolean wasUp = session == s && s != null;
            session = null;
            if (s != null) {
                s.stop();
            }
            if (wasUp) {
                listener.down("peer " + config.peerPath() + " disconnected");
            }
            if (own != null) {
                own.unlink();
                own.close();
            }
            if (peer != null) {
                peer.close();
            }
        }
    }

    /** Checks the peer's handshake; returns why it is refused, or null. */
    private String check(Hello theirs) {
        if (!theirs.bindPath().equals(config.peerPath())) {
            return "peer at " + config.peerPath() + " announced itself as " + theirs.bindPath() + "; refused";
        }
        if (theirs.role() == Hello.DEVICE && !config.driverRole()) {
            return "peer " + config.peerPath() + " is a vdevpeer-net device too; one side must be virtio-net";
        }
        if (theirs.mac().equals(config.mac())) {
            return "MAC " + config.mac() + " of " + config.bindPath() + " collides with peer " + theirs.bindPath()
                    + " on the same link; refused";
        }
        if (theirs.mac().isMulticast()) {
            return "peer " + theirs.bindPath() + " uses multicast MAC " + theirs.mac() + "; refused";
        }
        return null;
    }

    /** Counters and state for {@code nicinfo}. */
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bind", config.bindPath());
        m.put("peer", config.peerPath());
        MacAddress pm = peerMac;
        m.put("peer state", connected() ? "connected" + (pm == null ? "" : " (peer MAC " + pm + ")") : "waiting for peer");
        m.put("virtio_net_hdr", (connected() ? legacyInUse : config.legacyHeader()) ? "legacy (10 bytes)" : "12 bytes");
        m.put("tx: peer ring full (frames)", counters.txRingFull.sum());
        m.put("tx drops: no carrier", counters.txNoCarrier.sum());
        m.put("tx drops: frame too big", counters.txTooBig.sum());
        m.put("rx drops: no buffer", counters.rxNoFrame.sum());
        m.put("rx drops: bad header/length", counters.rxBadHeader.sum());
        m.put("kicks sent/received", counters.kicksSent.sum() + "/" + counters.kicksReceived.sum());
        m.put("link resets", counters.resets.sum());
        if (!lastProblem.isEmpty()) {
            m.put("last problem", lastProblem);
        }
        return m;
    }

    /**
     * Stops the endpoint: the session ends, the worker stops, and every frame
     * the endpoint held has gone back to its pool when this returns.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        LinkSession s = session;
        if (s != null) {
            s.alive = false;
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        // No interrupt: the session thread also writes to other links' channels while it
        // forwards, and an interrupt would close whichever channel it touched next.
        SocketChannel ch = channel;
        if (ch != null) {
            ch.close(); // ends a blocked handshake read or the worker's kick read
        }
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(config.bindSocket());
    }
}
