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
import java.util.Arrays;
import java.util.List;
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
        long[] micros = new long[1 << 20];
        int n = 0;
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
                if (n < micros.length) {
                    micros[n] = (now - t) / 1000;
                }
                n++;
                t = now;
            }
            double seconds = (t - start) / 1e9;
            int kept = Math.min(n, micros.length);
            long[] sorted = Arrays.copyOf(micros, kept);
            Arrays.sort(sorted);
            return new RrReport(peer, size, n, seconds, pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999));
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("tcprr: no response within 10 s after " + n + " transactions");
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }
}
