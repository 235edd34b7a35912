package io.pktstack.launcher.internal;

import io.pktstack.api.shell.CommandLines;
import io.pktstack.launcher.ctl.CtlProtocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The control socket of a running instance, {@code ROOT/run/NAME.ctl}: each
 * connection carries one command line and gets back its exit status and
 * output ({@link CtlProtocol}). This is how {@code pktstack ctl} and the tests
 * drive a running stack without a terminal.
 */
final class ControlServer implements AutoCloseable {

    private final Path path;
    private final ServerSocketChannel server;
    private final CommandLines runner;
    private final Thread thread;

    ControlServer(Path path, CommandLines runner) throws IOException {
        this.path = path;
        this.runner = runner;
        Files.createDirectories(path.getParent());
        if (Files.exists(path)) {
            if (inUse(path)) {
                throw new IllegalStateException("an instance is already running with control socket " + path);
            }
            Files.delete(path); // left behind by an instance that was killed
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        thread = Thread.ofPlatform().daemon().name("pktstack-ctl").start(this::serve);
    }

    private static boolean inUse(Path path) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                // One virtual thread per request: a long ping must not hold up other commands.
                Thread.ofVirtual().name("pktstack-ctl-request").start(() -> handle(ch));
            } catch (IOException e) {
                if (server.isOpen()) {
                    System.err.println("pktstack: control socket: " + e.getMessage());
                }
                return;
            }
        }
    }

    private void handle(SocketChannel ch) {
        try (ch) {
            String line = CtlProtocol.readRequest(ch);
            CommandLines.Outcome o = runner.run(line);
            for (ByteBuffer b : CtlProtocol.response(o.status(), o.out(), o.err())) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        } catch (IOException e) {
            // the client went away; nothing to tell it
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(path);
    }
}
