package io.pktstack.launcher.internal;

import io.pktstack.api.shell.CommandLines;
import io.pktstack.launcher.ctl.CtlProtocol;
import io.pktstack.launcher.ctl.InstanceNames;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The control socket of a running instance, {@code ROOT/run/NAME.ctl}: each
 * connection carries one request and gets back its exit status and output
 * ({@link CtlProtocol}). This is how {@code pktstack ctl} and the tests drive a
 * running stack without a terminal.
 *
 * <p>A client is not trusted to behave: at most {@link Limits#maxRequests}
 * requests run at once (one more is answered "busy" at once and closed, so
 * idle connections cannot pile up descriptors or memory); a request must
 * arrive whole within {@link Limits#requestTimeout}; an answer the client
 * does not read within {@link Limits#answerTimeout} is dropped; a client that
 * leaves while its command runs has the command interrupted. A failing
 * {@code accept} (out of descriptors) is retried with a growing pause, never
 * the end of the server.
 */
final class ControlServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.pktstack.launcher");
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long MAX_BACKOFF_MILLIS = 1000;

    /**
     * How much a client may take.
     *
     * @param maxRequests requests served at once
     * @param requestTimeout time from connect to the end of the request
     * @param answerTimeout time a client may take to read an answer
     * @param heartbeat interval of the sign of life sent while a command runs
     */
    record Limits(int maxRequests, Duration requestTimeout, Duration answerTimeout, Duration heartbeat) {
        static final Limits DEFAULT = new Limits(32, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofMillis(CtlProtocol.HEARTBEAT_MILLIS));
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final CommandLines runner;
    private final Limits limits;
    private final Semaphore slots;
    private final ScheduledExecutorService timers;
    private final Thread thread;
    /** Connections answered "busy", requests that timed out, failed accepts, clients that left mid-command. */
    final LongAdder refusedBusy = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder acceptFailures = new LongAdder();
    final LongAdder clientsGone = new LongAdder();
    private long lastReport;

    ControlServer(Path path, CommandLines runner) throws IOException {
        this(path, runner, Limits.DEFAULT);
    }

    ControlServer(Path path, CommandLines runner, Limits limits) throws IOException {
        this.path = path;
        this.runner = runner;
        this.limits = limits;
        this.slots = new Semaphore(limits.maxRequests());
        checkFree(path);
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path); // left behind by an instance that was killed
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), 64);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("pktstack-ctl-timer").unstarted(r));
        // Every request arms two deadlines and cancels them when it is done: without this, each cancelled one
        // (and the connection it holds) stays queued for the whole timeout, thousands under a burst of requests.
        t.setRemoveOnCancelPolicy(true);
        timers = t;
        startVirtualThreadPoller();
        thread = Thread.ofPlatform().daemon().name("pktstack-ctl").start(this::serve);
    }

    /**
     * Makes the JDK start its poller for virtual threads' blocking I/O now,
     * while descriptors are to be had. It starts at the first read that has to
     * wait and opens descriptors of its own; started when the process has run
     * out of them (what this server must outlive), its class fails to
     * initialize for good, and every request after it ends without an answer.
     * (Seen with the instance on one CPU: no earlier request had had to wait.)
     * A virtual thread that waits once on an empty pipe starts it.
     */
    private static void startVirtualThreadPoller() throws IOException {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel in = pipe.source(); Pipe.SinkChannel out = pipe.sink()) {
            Thread reader = Thread.ofVirtual().name("pktstack-ctl-poller-start").start(() -> {
                try {
                    in.read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    // the pipe closed under it: nothing to do
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // until it waits for the byte
            }
            out.write(ByteBuffer.wrap(new byte[] {1}));
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Checks that a control socket can be bound at {@code path}: the OS takes
     * a path of that length, and no running instance answers there.
     *
     * @throws IllegalArgumentException if the path is too long
     * @throws IllegalStateException if an instance is running there
     */
    static void checkFree(Path path) {
        InstanceNames.checkSocketPath(path.toAbsolutePath(), "control socket");
        if (Files.exists(path) && inUse(path)) {
            throw new IllegalStateException("an instance is already running with control socket " + path);
        }
    }

    private static boolean inUse(Path path) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve() {
        long backoff = 0;
        while (server.isOpen()) {
            SocketChannel ch;
            try {
                ch = server.accept();
                backoff = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                // Out of descriptors (EMFILE/ENFILE) or memory: the connection stays queued; pause, then try again.
                acceptFailures.increment();
                report("cannot accept a connection: " + e.getMessage() + "; trying again");
                backoff = Math.min(MAX_BACKOFF_MILLIS, Math.max(10, backoff * 2));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                continue;
            }
            if (!slots.tryAcquire()) {
                refusedBusy.increment();
                report(limits.maxRequests() + " requests already running; a connection was refused");
                refuse(ch, "the instance is busy: " + limits.maxRequests() + " requests are running; try again");
                continue;
            }
            try {
                // One virtual thread per request: a long ping must not hold up other commands.
                Thread.ofVirtual().name("pktstack-ctl-request").start(() -> {
                    try {
                        handle(ch);
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException | OutOfMemoryError e) {
                slots.release();
                refuse(ch, "the instance cannot take the request: " + e);
            }
        }
    }

    /**
     * Answers at once without running the request, and closes. Never blocks: a
     * fresh socket's buffer takes the answer, and what the client already sent
     * is read and dropped (a Unix socket closed with unread data resets the
     * client's end, and it would lose the answer).
     */
    private static void refuse(SocketChannel ch, String why) {
        try (ch) {
            ch.configureBlocking(false);
            ch.write(CtlProtocol.response(CtlProtocol.STATUS_REFUSED, "", "pktstack: " + why + "\n"));
            ch.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(4096);
            for (int i = 0; i < 16 && ch.read(sink) > 0; i++) {
                sink.clear();
            }
        } catch (IOException e) {
            // the client is gone already
        }
    }

    /** Logs a problem at most every ten seconds, with the counters so far. */
    private synchronized void report(String what) {
        long now = System.nanoTime();
        if (lastReport != 0 && now - lastReport < REPORT_EVERY_NANOS) {
            return;
        }
        lastReport = now;
        LOG.log(Level.WARNING, "control socket {0}: {1} (so far: {2} refused busy, {3} timed out, {4} failed accepts)",
                path, what, refusedBusy.sum(), timedOut.sum(), acceptFailures.sum());
    }

    private void handle(SocketChannel ch) {
        Connection c = new Connection(ch);
        try (ch) {
            CtlProtocol.Request request;
            ScheduledFuture<?> deadline = c.closeAfter(limits.requestTimeout());
            try {
                request = CtlProtocol.readRequest(ch);
            } catch (IllegalArgumentException | CtlProtocol.TooLarge e) {
                deadline.cancel(false);
                c.answer(new CommandLines.Outcome(CtlProtocol.STATUS_REFUSED, "", "pktstack: bad request: "
                        + e.getMessage() + "\n"));
                return;
            } catch (IOException e) {
                if (c.expired) {
                    timedOut.increment();
                    report("a client sent no complete request within " + limits.requestTimeout().toSeconds() + " s");
                }
                return; // timed out, or the client went away: nothing to tell it
            } finally {
                deadline.cancel(false);
            }
            c.write(CtlProtocol.accepted());
            Thread worker = Thread.currentThread();
            Thread beat = Thread.ofVirtual().name("pktstack-ctl-heartbeat").start(() -> c.heartbeats(worker));
            CommandLines.Outcome o;
            try {
                o = run(request);
            } finally {
                c.done = true;
                LockSupport.unpark(beat);
            }
            Thread.interrupted(); // an interrupt meant for the command (its client left) must not close the channel
            if (!c.gone) {
                c.answer(o);
            }
        } catch (IOException e) {
            // the client went away; nothing to tell it
        }
    }

    private CommandLines.Outcome run(CtlProtocol.Request request) {
        try {
            return switch (request) {
                case CtlProtocol.Argv(var args) -> runner.run(args);
                case CtlProtocol.Line(String text) -> runner.run(text);
            };
        } catch (RuntimeException e) {
            // CommandLines promises not to throw; should it anyway, the client still gets an answer.
            return new CommandLines.Outcome(1, "", "pktstack: " + request.describe() + ": " + e + "\n");
        }
    }

    /** One client's connection: writes are serialized (the heartbeat and the answer share it). */
    private final class Connection {
        private final SocketChannel ch;
        private final ReentrantLock writing = new ReentrantLock();
        volatile boolean expired;
        volatile boolean done;
        volatile boolean gone;

        Connection(SocketChannel ch) {
            this.ch = ch;
        }

        /** Closes the channel after {@code d} unless cancelled: ends a blocked read or write. */
        ScheduledFuture<?> closeAfter(Duration d) {
            return timers.schedule(() -> {
                expired = true;
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closed is all we wanted
                }
            }, d.toMillis(), TimeUnit.MILLISECONDS);
        }

        void write(ByteBuffer b) throws IOException {
            writing.lock();
            try {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } finally {
                writing.unlock();
            }
        }

        void answer(CommandLines.Outcome o) throws IOException {
            ScheduledFuture<?> deadline = closeAfter(limits.answerTimeout());
            try {
                write(CtlProtocol.response(o.status(), o.out(), o.err()));
            } finally {
                deadline.cancel(false);
            }
        }

        /** Sends a sign of life while the command runs; interrupts it when the client has left. */
        void heartbeats(Thread worker) {
            long interval = limits.heartbeat().toNanos();
            while (!done) {
                LockSupport.parkNanos(interval);
                if (done) {
                    return;
                }
                try {
                    write(CtlProtocol.heartbeat());
                } catch (IOException e) {
                    gone = true;
                    clientsGone.increment();
                    worker.interrupt(); // ping, tcpdump, nc and the like stop when interrupted
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        timers.shutdownNow();
        Files.deleteIfExists(path);
    }
}
