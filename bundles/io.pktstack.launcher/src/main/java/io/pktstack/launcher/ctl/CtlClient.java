package io.pktstack.launcher.ctl;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code pktstack ctl ROOT NAME COMMAND [ARGS...]}: runs one shell command in
 * the running instance NAME and exits with its status. Plain Java (no OSGi),
 * started with the launcher bundle jar on the class path so it starts fast.
 */
public final class CtlClient {

    private CtlClient() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: pktstack ctl [--root DIR] NAME COMMAND [ARGS...]");
            System.exit(2);
        }
        Path socket = Path.of(args[0], "run", args[1] + ".ctl");
        String line = String.join(" ", Arrays.copyOfRange(args, 2, args.length));
        System.exit(run(socket, args[1], line));
    }

    /** What a command printed, and its exit status. */
    public record Response(int status, String out, String err) {
    }

    /**
     * Runs one command line in the instance behind {@code socket}.
     *
     * @throws IOException if the instance cannot be reached or answers malformed
     */
    public static Response call(Path socket, String line) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer req = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (req.hasRemaining()) {
                ch.write(req);
            }
            ch.shutdownOutput();
            byte[] all = CtlProtocol.readAll(ch, Integer.MAX_VALUE - 16);
            if (all.length < 8) {
                throw new IOException("the instance closed the connection without an answer");
            }
            ByteBuffer b = ByteBuffer.wrap(all);
            int status = b.getInt();
            int outLen = b.getInt();
            if (outLen < 0 || outLen > all.length - 8) {
                throw new IOException("malformed answer");
            }
            return new Response(status, new String(all, 8, outLen, StandardCharsets.UTF_8),
                    new String(all, 8 + outLen, all.length - 8 - outLen, StandardCharsets.UTF_8));
        }
    }

    static int run(Path socket, String name, String line) {
        if (!Files.exists(socket)) {
            System.err.println("pktstack ctl: no running instance '" + name + "' (no control socket " + socket + ")");
            return 2;
        }
        try {
            Response r = call(socket, line);
            System.out.print(r.out());
            System.out.flush();
            System.err.print(r.err());
            System.err.flush();
            return r.status();
        } catch (IOException e) {
            System.err.println("pktstack ctl: cannot reach instance '" + name + "' at " + socket + ": " + e.getMessage());
            return 2;
        }
    }
}
