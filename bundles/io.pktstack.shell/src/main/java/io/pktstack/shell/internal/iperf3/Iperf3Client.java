package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * iperf3's client on pktstack (iperf_client_api.c): it opens the control
 * connection with a new cookie, answers the server's states (parameters,
 * streams, start), runs the test for its time, says TEST_END, exchanges
 * results and says IPERF_DONE.
 */
public final class Iperf3Client {

    /** How long the server may take for each step outside the test's running time. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final TcpStack tcp;
    private final TcpProbe probe;
    private final SplittableRandom random = new SplittableRandom();

    public Iperf3Client(TcpStack tcp) {
        this.tcp = tcp;
        this.probe = new TcpProbe(tcp);
    }

    /**
     * Runs one test against {@code server}.
     *
     * @param host the server as the user named it, for the report
     * @param duration seconds to send (or, with {@code reverse}, to receive)
     * @param parallel streams
     * @param reverse the server sends
     * @throws Iperf3Exception with iperf3's wording when the test cannot run or finish
     */
    public Iperf3Results run(String host, InetSocketAddress server, int duration, int parallel, boolean reverse)
            throws IOException {
        TestParameters params = TestParameters.timed(duration, parallel, reverse);
        TcpSocket control;
        try {
            control = tcp.connect(server, null, STEP_TIMEOUT);
        } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
            throw new Iperf3Exception("error - unable to connect to server: " + e.getMessage(), e);
        }
        byte[] cookie = Iperf3Protocol.newCookie(random);
        try (TestRun run = new TestRun(control, probe)) {
            return drive(run, host, server, cookie, params);
        } catch (ProtocolException e) {
            throw new Iperf3Exception("error - " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new Iperf3Exception("error - control socket has closed unexpectedly", e);
        }
    }

    private Iperf3Results drive(TestRun run, String host, InetSocketAddress server, byte[] cookie,
            TestParameters params) throws IOException {
        TcpSocket control = run.control;
        ControlChannel ch = run.channel;
        control.setOption(StandardSocketOptions.TCP_NODELAY, true); // as iperf_connect
        ch.sendCookie(cookie);
        ExchangedResults ours = null;
        ExchangedResults peer = null;
        String step = "the cookie";
        try {
            while (true) {
                control.setReadTimeout(STEP_TIMEOUT);
                ControlState state;
                try {
                    state = ch.readState();
                } catch (SocketTimeoutException e) {
                    throw new Iperf3Exception("the server said nothing for " + STEP_TIMEOUT.toSeconds() + " s after "
                            + step, e);
                }
                step = state == ControlState.TEST_RUNNING ? "TEST_END" : state.name();
                switch (state) {
                    case PARAM_EXCHANGE -> ch.sendJson(params.toJson());
                    case CREATE_STREAMS -> createStreams(run, server, cookie, params);
                    case TEST_START -> run.begin();
                    case TEST_RUNNING -> runTest(run, params);
                    case EXCHANGE_RESULTS -> {
                        ours = run.ours(!params.reverse());
                        ch.sendJson(ours.toJson());
                        peer = ExchangedResults.fromJson(ch.readJson());
                    }
                    case DISPLAY_RESULTS -> {
                        if (ours == null) {
                            throw new Iperf3Exception("error - the server ended the test without its results");
                        }
                        run.closeStreams(); // iperf_client_end
                        Iperf3Results.Setup setup = run.setup(true, host, server.getPort(), 0, cookie, params);
                        ch.sendState(ControlState.IPERF_DONE);
                        return run.results(setup, ours, peer);
                    }
                    case ACCESS_DENIED -> throw new Iperf3Exception(
                            "error - " + Iperf3Protocol.errorText(Iperf3Protocol.IEACCESSDENIED));
                    case SERVER_ERROR -> {
                        int[] err = ch.readServerError();
                        throw new Iperf3Exception("error - " + Iperf3Protocol.errorText(err[0])
                                + (err[1] != 0 ? " (server errno " + err[1] + ")" : ""));
                    }
                    case SERVER_TERMINATE -> throw new Iperf3Exception("error - the server has terminated");
                    default -> throw new Iperf3Exception("error - received an unknown control message (" + state + ")");
                }
            }
        } catch (InterruptedIOException e) {
            // Interrupted (Ctrl-C): tell the server, as iperf3 does on a signal (iperf_got_sigend).
            terminate(ch);
            throw e;
        }
    }

    private void createStreams(TestRun run, InetSocketAddress server, byte[] cookie, TestParameters params)
            throws IOException {
        for (int i = 0; i < params.parallel(); i++) {
            TcpSocket s;
            try {
                s = tcp.connect(server, null, STEP_TIMEOUT);
            } catch (ConnectException | NoRouteToHostException | SocketTimeoutException e) {
                throw new Iperf3Exception("error - unable to connect stream: " + e.getMessage(), e);
            }
            try {
                ControlChannel.over(s).sendCookie(cookie); // iperf_tcp_connect: the stream names its test
            } catch (IOException e) {
                s.abort();
                throw e;
            }
            run.streams.add(new DataStream(TestRun.streamId(i), !params.reverse(), s, params.blockSize(),
                    params.repeatingPayload(), random));
        }
    }

    /** TEST_RUNNING until the test's time is up (create_client_timers), then TEST_END. */
    private void runTest(TestRun run, TestParameters params) throws IOException {
        run.startStreams();
        // The test's time counts from TEST_START, when iperf3 starts its timers (create_client_timers).
        ControlState s = run.awaitState(run.startNanos() + TimeUnit.SECONDS.toNanos(params.duration()));
        if (s != null) {
            switch (s) {
                case SERVER_TERMINATE -> throw new Iperf3Exception("error - the server has terminated");
                case SERVER_ERROR -> {
                    int[] err = run.channel.readServerError();
                    throw new Iperf3Exception("error - " + Iperf3Protocol.errorText(err[0]));
                }
                default -> throw new Iperf3Exception("error - received an unexpected control message (" + s + ")");
            }
        }
        run.endTest();
        run.channel.sendState(ControlState.TEST_END);
    }

    private static void terminate(ControlChannel ch) {
        boolean interrupted = Thread.interrupted();
        try {
            ch.sendState(ControlState.CLIENT_TERMINATE);
        } catch (IOException e) {
            // the server learns from the closed connection instead
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
