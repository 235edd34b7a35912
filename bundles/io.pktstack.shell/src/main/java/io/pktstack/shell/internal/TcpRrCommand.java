package io.pktstack.shell.internal;

import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code tcprr}: netperf's TCP_RR over the stack's TCP. Sends a request of
 * {@code -s} bytes to an echo service (inetd's echo, or any), waits for as
 * many back, and repeats for {@code -t} seconds on one connection with
 * TCP_NODELAY: transactions per second and the latency of each, what
 * request/response protocols see of a stack.
 */
@Component(service = TcpRrCommand.class, property = {"osgi.command.scope=net", "osgi.command.function=tcprr"})
public final class TcpRrCommand {

    static final String USAGE = "tcprr [-t SECONDS] [-s BYTES] HOST PORT";

    /** The longest latency recorded as itself: the read timeout; a longer one fails the run anyway. */
    private static final long MAX_MICROS = 10_000_000;

    private final TcpStack tcp;

    @Activate
    public TcpRrCommand(@Reference TcpStack tcp) {
        this.tcp = tcp;
    }

    @Descriptor("request/response transactions per second over one TCP connection to an echo service: " + USAGE
            + " (default 5 s, 1 byte)")
    public Report tcprr(@Descriptor("options, then HOST PORT of an echo service") String... args) throws IOException {
        int seconds = 5;
        int size = 1;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-t" -> seconds = NetCommands.intArg(args, ++i, "-t", 1, 3600);
                case "-s" -> size = NetCommands.intArg(args, ++i, "-s", 1, 65536);
                default -> {
                    if (args[i].startsWith("-")) {
                        throw new IllegalArgumentException("tcprr: unknown option '" + args[i] + "' (usage: " + USAGE
                                + ")");
                    }
                    rest.add(args[i]);
                }
            }
        }
        if (rest.size() != 2) {
            throw new IllegalArgumentException("tcprr: needs HOST PORT (usage: " + USAGE + ")");
        }
        InetAddress host = NetCommands.numeric("tcprr", rest.get(0));
        int port = NetCommands.intArg(rest.toArray(new String[0]), 1, "PORT", 1, 65535);
        return run(new InetSocketAddress(host, port), size, Duration.ofSeconds(seconds));
    }

    private Report run(InetSocketAddress peer, int size, Duration length) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(size);
        ByteBuffer response = ByteBuffer.allocate(size);
        // Every transaction's latency in fixed memory (about 100 KiB, 3 significant digits up to the
        // 10 s read timeout): a guest's heap does not grow with the length of the run.
        Histogram micros = new Histogram(MAX_MICROS, 3);
        long n = 0;
        try (TcpSocket s = tcp.connect(peer, null, Duration.ofSeconds(10))) {
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            s.setReadTimeout(Duration.ofSeconds(10));
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long t = start;
            while (t < end) {
                request.clear();
                s.write(request);
                response.clear();
                while (response.hasRemaining()) {
                    if (s.read(response) < 0) {
                        throw new IllegalStateException("tcprr: the echo service closed the connection");
                    }
                }
                long now = System.nanoTime();
                micros.recordValue(Math.min((now - t) / 1000, MAX_MICROS));
                n++;
                t = now;
            }
            double seconds = (t - start) / 1e9;
            return new RrReport(peer, size, n, seconds, pct(micros, 50), pct(micros, 99), pct(micros, 99.9));
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("tcprr: no response within 10 s after " + n + " transactions");
        }
    }

    private static double pct(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
    }
}
