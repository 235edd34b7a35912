package io.pktstack.launcher.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code pktstack ctl ROOT NAME COMMAND [ARGS...]}: runs one shell command in
 * the running instance NAME, its arguments exactly as given, and exits with
 * its status. Plain Java (no OSGi), started with the launcher bundle jar on the
 * class path so it starts fast.
 *
 * <p>It never waits for ever: the instance must take the request within
 * {@link #ACCEPT_TIMEOUT} and show it is alive at least every
 * {@link #SILENCE_TIMEOUT} while the command runs ({@link CtlProtocol}).
 */
public final class CtlClient {

    /** How long an instance may take to accept a request. */
    public static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a running command's instance may stay silent (it sends a heartbeat every second). */
    public static final Duration SILENCE_TIMEOUT = Duration.ofSeconds(30);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pktstack-ctl-watchdog");
        t.setDaemon(true);
        return t;
    });

    private CtlClient() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: pktstack ctl [--root DIR] NAME COMMAND [ARGS...]");
            System.exit(2);
        }
        String name = args[1];
        Path socket;
        try {
            socket = socketPath(Path.of(args[0]), name);
        } catch (IllegalArgumentException e) {
            System.err.println("pktstack ctl: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(socket, name, new CtlProtocol.Argv(Arrays.asList(args).subList(2, args.length))));
    }

    /**
     * The control socket of instance {@code name} under {@code root}.
     *
     * @throws IllegalArgumentException if the name is not an instance name or
     *         the path is too long for a Unix socket
     */
    public static Path socketPath(Path root, String name) {
        if (!InstanceNames.valid(name)) {
            throw new IllegalArgumentException("bad instance name '" + name + "' (" + InstanceNames.RULE + ")");
        }
        Path socket = root.toAbsolutePath().resolve("run").resolve(name + ".ctl");
        InstanceNames.checkSocketPath(socket, "control socket");
        return socket;
    }

    /** What a command printed, and its exit status. */
    public record Response(int status, String out, String err) {
    }

    /** Runs one command line, as the shell parses it, in the instance behind {@code socket}. */
    public static Response call(Path socket, String line) throws IOException {
        return call(socket, new CtlProtocol.Line(line));
    }

    /**
     * Runs one request in the instance behind {@code socket}.
     *
     * @throws IOException if the instance cannot be reached, does not accept the
     *         request in time, falls silent, or answers malformed
     */
    public static Response call(Path socket, CtlProtocol.Request request) throws IOException {
        return call(socket, request, ACCEPT_TIMEOUT, SILENCE_TIMEOUT);
    }

    static Response call(Path socket, CtlProtocol.Request request, Duration acceptTimeout, Duration silenceTimeout)
            throws IOException {
        byte[] bytes = CtlProtocol.encode(request);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Watchdog dog = new Watchdog(ch);
            try {
                dog.arm(acceptTimeout, "the instance did not accept the request within " + acceptTimeout.toSeconds() + " s");
                ch.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer req = ByteBuffer.wrap(bytes);
                try {
                    while (req.hasRemaining()) {
                        ch.write(req);
                    }
                    ch.shutdownOutput();
                } catch (AsynchronousCloseException e) {
                    throw e;
                } catch (IOException e) {
                    // An instance that refuses at once (busy) may close before the request went out: its answer says why.
                }
                InputStream in = Channels.newInputStream(ch);
                int b = in.read();
                if (b == CtlProtocol.ACCEPTED) {
                    String silent = "the instance fell silent for " + silenceTimeout.toSeconds() + " s while the command ran";
                    dog.arm(silenceTimeout, silent);
                    while ((b = in.read()) == CtlProtocol.HEARTBEAT) {
                        dog.arm(silenceTimeout, silent);
                    }
                }
                if (b < 0) {
                    throw new IOException("the instance closed the connection without an answer");
                }
                if (b != CtlProtocol.RESPONSE) {
                    throw new IOException("malformed answer (byte 0x" + Integer.toHexString(b) + ")");
                }
                byte[] rest = CtlProtocol.readAll(ch, Integer.MAX_VALUE - 16);
                dog.disarm();
                if (rest.length < 8) {
                    throw new IOException("malformed answer (" + rest.length + " bytes after its mark)");
                }
                ByteBuffer r = ByteBuffer.wrap(rest);
                int status = r.getInt();
                int outLen = r.getInt();
                if (outLen < 0 || outLen > rest.length - 8) {
                    throw new IOException("malformed answer (output length " + outLen + ")");
                }
                return new Response(status, new String(rest, 8, outLen, StandardCharsets.UTF_8),
                        new String(rest, 8 + outLen, rest.length - 8 - outLen, StandardCharsets.UTF_8));
            } catch (AsynchronousCloseException e) {
                String why = dog.expired();
                throw why != null ? new IOException(why) : e;
            } finally {
                dog.disarm();
            }
        }
    }

    static int run(Path socket, String name, CtlProtocol.Request request) {
        if (!Files.exists(socket)) {
            System.err.println("pktstack ctl: no running instance '" + name + "' (no control socket " + socket + ")");
            return 2;
        }
        try {
            Response r = call(socket, request);
            System.out.print(r.out());
            System.out.flush();
            System.err.print(r.err());
            System.err.flush();
            return r.status();
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("pktstack ctl: instance '" + name + "' at " + socket + ": " + e.getMessage());
            return 2;
        }
    }

    /** Closes the channel when a deadline passes, so a blocked connect or read ends with the reason. */
    private static final class Watchdog {
        private final SocketChannel channel;
        private ScheduledFuture<?> pending;
        private volatile String expired;

        Watchdog(SocketChannel channel) {
            this.channel = channel;
        }

        synchronized void arm(Duration after, String reason) {
            disarm();
            pending = WATCHDOG.schedule(() -> {
                expired = reason;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        synchronized void disarm() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
        }

        String expired() {
            return expired;
        }
    }
}
