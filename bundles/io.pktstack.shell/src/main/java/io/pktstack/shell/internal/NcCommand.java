package io.pktstack.shell.internal;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code nc}: one TCP connection from the shell, as netcat. Listening, it
 * accepts one connection and writes what arrives to a file until the peer's
 * FIN; connecting, it sends a file, half-closes, and reads to the end. Both
 * report byte counts and SHA-256 so a test can compare them with the peer's.
 */
@Component(service = NcCommand.class, property = {"osgi.command.scope=net", "osgi.command.function=nc"})
public final class NcCommand {

    static final String USAGE = "nc -l [-o FILE] [-t SECONDS] PORT | nc [-i FILE] [-t SECONDS] HOST PORT";
    private static final int CHUNK = 64 * 1024;

    private final TcpStack tcp;

    @Activate
    public NcCommand(@Reference TcpStack tcp) {
        this.tcp = tcp;
    }

    @Descriptor("one TCP connection: " + USAGE + " (listening, what arrives goes to FILE; connecting, FILE is sent,"
            + " then the output is shut down and the reply read to the end; -t limits the whole exchange)")
    public Report nc(@Descriptor("options, then PORT to listen or HOST PORT to connect") String... args)
            throws IOException {
        boolean listen = false;
        Path in = null;
        Path out = null;
        int seconds = 60;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-l" -> listen = true;
                case "-i" -> in = path(args, ++i, "-i");
                case "-o" -> out = path(args, ++i, "-o");
                case "-t" -> seconds = NetCommands.intArg(args, ++i, "-t", 1, 86_400);
                default -> {
                    if (args[i].startsWith("-") && args[i].length() > 1) {
                        throw new IllegalArgumentException("nc: unknown option '" + args[i] + "' (usage: " + USAGE + ")");
                    }
                    rest.add(args[i]);
                }
            }
        }
        Duration limit = Duration.ofSeconds(seconds);
        if (listen) {
            if (rest.size() != 1 || in != null) {
                throw new IllegalArgumentException("nc -l: needs exactly PORT, and takes -o not -i (usage: " + USAGE + ")");
            }
            int port = NetCommands.intArg(rest.toArray(new String[0]), 0, "PORT", 1, 65535);
            return serve(port, out, limit);
        }
        if (rest.size() != 2 || out != null) {
            throw new IllegalArgumentException("nc: needs HOST PORT, and takes -i not -o (usage: " + USAGE + ")");
        }
        InetAddress host = NetCommands.numeric("nc", rest.get(0));
        int port = NetCommands.intArg(rest.toArray(new String[0]), 1, "PORT", 1, 65535);
        if (in != null && !Files.isReadable(in)) {
            throw new IllegalArgumentException("nc: cannot read '" + in + "' (" + (Files.exists(in) ? "permission denied"
                    : "no such file") + ")");
        }
        return call(new InetSocketAddress(host, port), in, limit);
    }

    private static Path path(String[] args, int i, String flag) {
        String p = NetCommands.stringArg(args, i, flag);
        try {
            return Path.of(p);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("nc: bad path '" + p + "' for " + flag + " (" + e.getReason() + ")");
        }
    }

    private Report serve(int port, Path out, Duration limit) throws IOException {
        long start = System.nanoTime();
        FileChannel file = null;
        if (out != null) {
            try {
                file = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("nc: cannot write '" + out + "' (no such folder)");
            } catch (IOException e) {
                throw new IllegalArgumentException("nc: cannot write '" + out + "' (" + e.getMessage() + ")");
            }
        }
        try (TcpListener l = tcp.listen(new InetSocketAddress(InetAddress.ofLiteral("::"), port), 1);
                FileChannel f = file) {
            TcpSocket s = l.accept(limit);
            try (s) {
                Digest received = new Digest();
                s.setReadTimeout(left(start, limit));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                while (true) {
                    buf.clear();
                    int n = s.read(buf);
                    if (n < 0) {
                        break;
                    }
                    buf.flip();
                    received.update(buf);
                    if (f != null) {
                        buf.rewind();
                        while (buf.hasRemaining()) {
                            f.write(buf);
                        }
                    }
                    s.setReadTimeout(left(start, limit));
                }
                return new NcReport(s.remoteAddress(), 0, Digest.EMPTY, received.bytes, received.hex(),
                        (System.nanoTime() - start) / 1e9);
            }
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("nc -l: nothing more within " + limit.toSeconds() + " s on port " + port);
        }
    }

    private Report call(InetSocketAddress to, Path in, Duration limit) throws IOException {
        long start = System.nanoTime();
        try (TcpSocket s = tcp.connect(to, null, limit)) {
            Digest sent = new Digest();
            if (in != null) {
                try (FileChannel f = FileChannel.open(in, StandardOpenOption.READ)) {
                    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
                    while (f.read(buf.clear()) >= 0) {
                        buf.flip();
                        sent.update(buf);
                        buf.rewind();
                        s.setWriteTimeout(left(start, limit));
                        s.write(buf);
                    }
                }
            }
            s.shutdownOutput();
            Digest received = new Digest();
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            while (true) {
                s.setReadTimeout(left(start, limit));
                buf.clear();
                int n = s.read(buf);
                if (n < 0) {
                    break;
                }
                received.update(buf.flip());
            }
            return new NcReport(to, sent.bytes, sent.hex(), received.bytes, received.hex(),
                    (System.nanoTime() - start) / 1e9);
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("nc: " + to.getAddress().getHostAddress() + " port " + to.getPort()
                    + ": not finished within " + limit.toSeconds() + " s");
        }
    }

    private static Duration left(long start, Duration limit) throws SocketTimeoutException {
        long left = limit.toNanos() - (System.nanoTime() - start);
        if (left <= 0) {
            throw new SocketTimeoutException("time limit");
        }
        return Duration.ofNanos(left);
    }

    /** SHA-256 and byte count of a stream. */
    static final class Digest {
        static final String EMPTY = new Digest().hex();
        private final MessageDigest sha;
        long bytes;

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new UncheckedIOException(new IOException(e));
            }
        }

        void update(ByteBuffer b) {
            bytes += b.remaining();
            sha.update(b);
        }

        String hex() {
            try {
                return HexFormat.of().formatHex(((MessageDigest) sha.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
