package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What client and server share in one test: the control connection, the
 * streams, and the clock that samples them once per interval while the
 * control connection is watched for the peer's next state.
 */
final class TestRun implements AutoCloseable {

    final TcpSocket control;
    final ControlChannel channel;
    final TcpProbe probe;
    final List<DataStream> streams = new ArrayList<>();
    final long epochSeconds = Instant.now().getEpochSecond();
    private Meter meter;
    private CpuMeter cpu;
    private ExchangedResults.Cpu cpuUsed = ExchangedResults.Cpu.NONE;
    private String congestion;
    private long nextTick;

    TestRun(TcpSocket control, TcpProbe probe) {
        this.control = control;
        this.channel = ControlChannel.over(control);
        this.probe = probe;
    }

    /** iperf3's stream numbering (iperf_api.c iperf_add_stream): 1, then 3, 4, 5... */
    static int streamId(int index) {
        return index == 0 ? 1 : index + 2;
    }

    /** TEST_START: the test's clock starts. */
    void begin() {
        long start = System.nanoTime();
        meter = new Meter(streams, start, probe);
        cpu = CpuMeter.start();
        nextTick = start + Meter.INTERVAL_NANOS;
    }

    /** When TEST_START came (System.nanoTime). */
    long startNanos() {
        return meter.startNanos();
    }

    /** TEST_RUNNING: data flows. */
    void startStreams() {
        streams.forEach(DataStream::start);
    }

    /**
     * Waits for the peer's next state until {@code deadline} (System.nanoTime),
     * sampling the streams at each interval on the way.
     *
     * @return the state, or null when the deadline came first
     * @throws IOException if a stream failed while the test ran, or the control connection did
     */
    ControlState awaitState(long deadline) throws IOException {
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return null; // a tick due now is left to endTest's last sample, taken once the senders stopped
            }
            if (now >= nextTick) {
                meter.sample(now);
                while (nextTick <= now) {
                    nextTick += Meter.INTERVAL_NANOS;
                }
                checkStreams();
            }
            long wait = Math.min(nextTick, deadline) - now;
            control.setReadTimeout(Duration.ofNanos(Math.max(wait, 1_000_000)));
            try {
                return channel.readState();
            } catch (SocketTimeoutException e) {
                // a tick or the deadline: go round
            }
        }
    }

    private void checkStreams() throws IOException {
        for (DataStream s : streams) {
            IOException e = s.failure();
            if (e != null) {
                throw new Iperf3Exception((s.sender ? "unable to write to stream socket: "
                        : "unable to read from stream socket: ") + e.getMessage(), e);
            }
        }
    }

    /**
     * The test leaves TEST_RUNNING: senders stop (their last write counted),
     * receivers stop counting but keep draining, and the last interval is taken.
     */
    void endTest() throws IOException {
        for (DataStream s : streams) {
            if (s.sender) {
                s.requestStop(); // all at once: a sender blocked on a full window takes up to a POLL to see it
            } else {
                s.stopCounting();
            }
        }
        for (DataStream s : streams) {
            if (s.sender) {
                s.stop();
            }
        }
        meter.finish(System.nanoTime());
        cpuUsed = cpu.stop();
        if (!streams.isEmpty()) { // before the streams close and their connections leave the table
            TcpProbe.Facts f = probe.now(streams.getFirst().local, streams.getFirst().remote);
            congestion = f == null ? null : f.congestion();
        }
        checkStreams();
    }

    void closeStreams() {
        streams.forEach(DataStream::close);
    }

    /** What this side sends at EXCHANGE_RESULTS. */
    ExchangedResults ours(boolean sends) {
        int has = sends ? (meter.hasRetransmits() ? 1 : 0) : -1;
        return new ExchangedResults(cpuUsed, has, congestion, meter.totals());
    }

    /** The setup as the reports show it, from the control connection as it is now. */
    Iperf3Results.Setup setup(boolean client, String host, int port, int testNumber, byte[] cookie,
            TestParameters params) {
        List<Iperf3Results.Connected> connected = new ArrayList<>();
        for (DataStream s : streams) {
            connected.add(new Iperf3Results.Connected(s.id, s.local, s.remote));
        }
        TcpProbe.Facts f = probe.now(control.localAddress(), control.remoteAddress());
        return new Iperf3Results.Setup(client, host, port, control.remoteAddress(), testNumber,
                Iperf3Protocol.cookieText(cookie), params, List.copyOf(connected), epochSeconds,
                f == null ? 0 : Math.max(0, f.mss()), option(StandardSocketOptions.SO_SNDBUF),
                option(StandardSocketOptions.SO_RCVBUF));
    }

    private int option(java.net.SocketOption<Integer> o) {
        try {
            return control.getOption(o);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The whole test, once this side knows what it can of the peer's half. */
    Iperf3Results results(Iperf3Results.Setup setup, ExchangedResults ours, ExchangedResults peer) {
        List<StreamSummary> summaries = new ArrayList<>();
        for (StreamSummary s : meter.summaries()) {
            summaries.add(peer == null ? s : s.withPeer(peer.stream(s.id())));
        }
        Iperf3Results.Ending ending = new Iperf3Results.Ending(cpuUsed,
                peer == null ? ExchangedResults.Cpu.NONE : peer.cpu(), ours.congestionUsed(),
                peer == null ? null : peer.congestionUsed(), meter.hasRetransmits(),
                peer == null ? 0 : peer.senderHasRetransmits());
        return new Iperf3Results(setup, meter.intervals(), List.copyOf(summaries), ending);
    }

    /** Resets the control connection and the streams at once (the server is stopping). */
    void abort() {
        control.abort();
        for (DataStream s : streams) {
            s.socket.abort();
        }
    }

    /** Closes the streams, then the control connection. */
    @Override
    public void close() {
        closeStreams();
        try {
            control.close();
        } catch (IOException e) {
            control.abort();
        }
    }
}
