package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.shell.internal.AddressText;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * iperf3's server on a pktstack port (iperf_server_api.c): it takes one test
 * at a time on its control connection, accepts the test's streams on the same
 * port by their cookie, answers every other connection with ACCESS_DENIED
 * while a test runs, and ends the test when the client says TEST_END.
 */
public final class Iperf3Server implements AutoCloseable {

    /** How long the client may take for each step outside the test's running time. */
    static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    /** iperf_server_api.c create_server_timers: a test may overrun its time by 4 s for each of 10 state changes. */
    static final long GRACE_SECONDS = 40;

    private final TcpListener listener;
    private final TcpProbe probe;
    private final int port;
    private final SplittableRandom random = new SplittableRandom();
    private int tests;
    private volatile TestRun current;
    /** The next client's control connection, accepted by the busy gate just after the test ended. */
    private final AtomicReference<TcpSocket> next = new AtomicReference<>();
    private volatile boolean closed;

    private Iperf3Server(TcpStack tcp, TcpListener listener, int port) {
        this.listener = listener;
        this.probe = new TcpProbe(tcp);
        this.port = port;
    }

    /**
     * Listens on {@code port} on every address of the stack, IPv4 and IPv6.
     *
     * @throws Iperf3Exception with iperf3's wording if the port is taken
     */
    public static Iperf3Server listen(TcpStack tcp, int port) throws IOException {
        try {
            return new Iperf3Server(tcp, tcp.listen(new InetSocketAddress(InetAddress.ofLiteral("::"), port),
                    Iperf3Protocol.MAX_STREAMS), port);
        } catch (BindException e) {
            throw new Iperf3Exception("error - unable to start listener for connections: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    /** Tests begun so far. */
    public synchronized int tests() {
        return tests;
    }

    /**
     * Waits for a client and runs its test.
     *
     * @throws Iperf3Exception if the test failed (the server is ready for the next one)
     * @throws SocketException if the server was closed meanwhile
     */
    public Iperf3Results serveOne() throws IOException {
        TcpSocket early = next.getAndSet(null);
        TcpSocket control = early != null ? early : listener.accept(Duration.ZERO);
        int number;
        synchronized (this) {
            number = ++tests;
        }
        try (TestRun run = new TestRun(control, probe)) {
            current = run;
            if (closed) {
                throw new SocketException("the server was stopped");
            }
            return serve(run, number);
        } catch (SocketTimeoutException e) {
            throw new Iperf3Exception("the client did not go on within " + SETUP_TIMEOUT.toSeconds() + " s", e);
        } catch (ProtocolException e) {
            throw new Iperf3Exception("error - " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new Iperf3Exception("the client has unexpectedly closed the connection", e);
        } finally {
            current = null;
        }
    }

    private Iperf3Results serve(TestRun run, int number) throws IOException {
        TcpSocket control = run.control;
        ControlChannel ch = run.channel;
        control.setOption(StandardSocketOptions.TCP_NODELAY, true); // as iperf_accept: control messages are tiny
        control.setReadTimeout(SETUP_TIMEOUT);
        byte[] cookie = ch.readCookie();
        ch.sendState(ControlState.PARAM_EXCHANGE);
        TestParameters params;
        try {
            params = TestParameters.fromJson(ch.readJson());
        } catch (TestParameters.Unsupported e) {
            ch.sendServerError(Iperf3Protocol.IEUNIMP, 0);
            throw new Iperf3Exception("the client asked for what this server does not do: " + e.getMessage());
        }
        ch.sendState(ControlState.CREATE_STREAMS);
        acceptStreams(run, cookie, params);
        ch.sendState(ControlState.TEST_START);
        run.begin();
        ch.sendState(ControlState.TEST_RUNNING);
        run.startStreams();
        AtomicBoolean testOver = new AtomicBoolean();
        Thread gate = Thread.ofVirtual().name("iperf3-busy-" + port).start(() -> denyOthers(testOver));
        try {
            long limit = params.duration() > 0 ? params.duration() + GRACE_SECONDS : Iperf3Protocol.MAX_TIME;
            ControlState s = run.awaitState(System.nanoTime() + TimeUnit.SECONDS.toNanos(limit));
            if (s == null) {
                throw new Iperf3Exception("the client did not end the test within " + limit + " s");
            }
            switch (s) {
                case TEST_END -> { }
                case CLIENT_TERMINATE -> throw new Iperf3Exception("the client has terminated");
                default -> throw new Iperf3Exception("error - received an unexpected control message (" + s + ")");
            }
            run.endTest();
            run.closeStreams(); // iperf_handle_message_server closes the streams at TEST_END
            ch.sendState(ControlState.EXCHANGE_RESULTS);
            control.setReadTimeout(SETUP_TIMEOUT);
            ExchangedResults peer = ExchangedResults.fromJson(ch.readJson());
            ExchangedResults ours = run.ours(params.reverse());
            ch.sendJson(ours.toJson());
            ch.sendState(ControlState.DISPLAY_RESULTS);
            testOver.set(true); // the client may start its next test once it has this: not busy any more
            Iperf3Results.Setup setup = run.setup(false, AddressText.format(control.remoteAddress().getAddress()),
                    port, number, cookie, params);
            try {
                ch.readState(); // IPERF_DONE; iperf3 takes the client closing instead as the end as well
            } catch (IOException e) {
                // The client went without IPERF_DONE, or the server is being stopped (iperf3 -s -k) in the
                // moment between the client's last message and this read: the results are complete all the same.
            }
            return run.results(setup, ours, peer);
        } finally {
            testOver.set(true); // not an interrupt: on some sockets that closes the listener too
            try {
                gate.join(SETUP_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The test's streams: connections to this port that start with the test's cookie (iperf_tcp.c iperf_tcp_accept). */
    private void acceptStreams(TestRun run, byte[] cookie, TestParameters params) throws IOException {
        while (run.streams.size() < params.parallel()) {
            TcpSocket s = listener.accept(SETUP_TIMEOUT);
            try {
                s.setReadTimeout(SETUP_TIMEOUT);
                byte[] theirs = ControlChannel.over(s).readCookie();
                if (!Arrays.equals(cookie, theirs)) {
                    deny(s); // another client, or a stale stream of an earlier test
                    continue;
                }
                if (params.noDelay()) {
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            } catch (IOException | RuntimeException e) {
                s.abort();
                throw e;
            }
            run.streams.add(new DataStream(TestRun.streamId(run.streams.size()), params.reverse(), s,
                    params.blockSize(), params.repeatingPayload(), random));
        }
    }

    /** While a test runs, every other connection is told ACCESS_DENIED and closed, unread (iperf_accept). */
    private void denyOthers(AtomicBoolean testOver) {
        while (!testOver.get()) {
            try {
                TcpSocket s = listener.accept(DataStream.POLL);
                if (testOver.get()) {
                    next.set(s); // it came after the test: the next test's control connection
                    return;
                }
                deny(s);
            } catch (SocketTimeoutException e) {
                // look at the flag again
            } catch (IOException e) {
                return; // the listener closed
            }
        }
    }

    private static void deny(TcpSocket s) {
        try {
            s.setWriteTimeout(DataStream.POLL);
            s.write(ByteBuffer.wrap(new byte[] {ControlState.ACCESS_DENIED.code}));
            s.close();
        } catch (IOException e) {
            s.abort();
        }
    }

    /** Stops listening and ends a test being served: its connections are reset. */
    @Override
    public void close() {
        closed = true;
        listener.close();
        TcpSocket early = next.getAndSet(null);
        if (early != null) {
            early.abort();
        }
        TestRun run = current;
        if (run != null) {
            run.abort();
        }
    }
}
