package io.pktstack.shell.internal;

import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.UdpSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code udp send} and {@code udp recv}: a datagram in or out of the stack's
 * UDP sockets from the shell, as netcat does on a BSD box. Payloads are text,
 * or exact bytes in hex with {@code -x}; received payloads are printed both
 * ways so a test can compare bytes.
 */
@Component(service = UdpCommand.class, property = {"osgi.command.scope=net", "osgi.command.function=udp"})
public final class UdpCommand {

    private static final String USAGE = "udp send [-p SRCPORT] [-x] HOST PORT DATA... | udp recv [-c COUNT] [-t SECONDS] PORT";

    private final NetworkStack stack;

    @Activate
    public UdpCommand(@Reference NetworkStack stack) {
        this.stack = stack;
    }

    @Descriptor("send or receive UDP datagrams: " + USAGE)
    public Report udp(@Descriptor("send|recv and its arguments") String... args) throws InterruptedException {
        if (args.length == 0) {
            throw new IllegalArgumentException("udp: missing send or recv (usage: " + USAGE + ")");
        }
        return switch (args[0]) {
            case "send" -> send(args);
            case "recv" -> receive(args);
            default -> throw new IllegalArgumentException("udp: unknown action '" + args[0] + "' (usage: " + USAGE + ")");
        };
    }

    private Report send(String[] args) {
        int srcPort = 0;
        boolean hex = false;
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "-p" -> srcPort = NetCommands.intArg(args, ++i, "-p", 1, 65535);
                case "-x" -> hex = true;
                default -> rest.add(args[i]);
            }
        }
        if (rest.size() < 3) {
            throw new IllegalArgumentException("udp send: needs HOST PORT DATA (usage: " + USAGE + ")");
        }
        InetAddress dst = NetCommands.numeric("udp", rest.get(0));
        int port = NetCommands.intArg(rest.toArray(new String[0]), 1, "PORT", 1, 65535);
        String text = String.join(" ", rest.subList(2, rest.size()));
        byte[] data;
        if (hex) {
            try {
                data = HexFormat.of().parseHex(text.replace(" ", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("udp send: '" + text + "' is not hex (" + e.getMessage() + ")");
            }
        } else {
            data = text.getBytes(StandardCharsets.UTF_8);
        }
        try (UdpSocket s = stack.openUdp(srcPort)) {
            s.send(dst, port, ByteBuffer.wrap(data));
            return new UdpReport(List.of(new UdpReport.Datagram("sent to", dst, port, data)));
        }
    }

    private Report receive(String[] args) {
        int count = 1;
        int seconds = 10;
        Integer port = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "-c" -> count = NetCommands.intArg(args, ++i, "-c", 1, 100_000);
                case "-t" -> seconds = NetCommands.intArg(args, ++i, "-t", 1, 3600);
                default -> {
                    if (port != null) {
                        throw new IllegalArgumentException("udp recv: unknown argument '" + args[i] + "'");
                    }
                    port = NetCommands.intArg(args, i, "PORT", 1, 65535);
                }
            }
        }
        if (port == null) {
            throw new IllegalArgumentException("udp recv: missing PORT (usage: " + USAGE + ")");
        }
        List<UdpReport.Datagram> got = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(65536);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        try (UdpSocket s = stack.openUdp(port)) {
            while (got.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                buf.clear();
                UdpSocket.Datagram d = s.receive(buf, Duration.ofNanos(left));
                if (d == null) {
                    break;
                }
                byte[] data = new byte[Math.min(d.length(), buf.position())];
                buf.flip().get(data);
                got.add(new UdpReport.Datagram("from", d.source(), d.sourcePort(), data));
            }
        }
        UdpReport report = new UdpReport(got);
        if (got.size() < count) {
            throw new IllegalStateException(report.render() + "udp recv: " + got.size() + " of " + count
                    + " datagrams on port " + port + " within " + seconds + " s");
        }
        return report;
    }
}
