package io.pktstack.launcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.shell.CommandLines;
import io.pktstack.launcher.ctl.CtlClient;
import io.pktstack.launcher.ctl.CtlClientAccess;
import io.pktstack.launcher.ctl.CtlProtocol;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The control socket against clients that misbehave: idle, too many, too large, gone mid-command. */
class ControlServerTest {

    private final Path dir;
    private final Path socket;
    private final List<SocketChannel> held = new ArrayList<>();
    private ControlServer server;

    ControlServerTest() throws IOException {
        dir = Files.createTempDirectory("ctl");
        socket = dir.resolve("run").resolve("t.ctl");
    }

    @AfterEach
    void close() throws IOException {
        for (SocketChannel c : held) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Records what it ran; answers with the arguments it got. */
    private static final class Recorder implements CommandLines {
        final List<Object> ran = new CopyOnWriteArrayList<>();

        @Override
        public Outcome run(String line) {
            ran.add(line);
            return new Outcome(0, "line:" + line + "\n", "");
        }

        @Override
        public Outcome run(List<String> argv) {
            ran.add(argv);
            return new Outcome(argv.size() > 1 && argv.get(1).equals("fail") ? 1 : 0, "argv:" + argv + "\n", "err\n");
        }
    }

    private SocketChannel idle() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        held.add(c);
        return c;
    }

    @Test
    void argumentVectorsAndLinesArriveAsSent() throws IOException {
        Recorder r = new Recorder();
        server = new ControlServer(socket, r);
        List<String> argv = List.of("echo", "a;b", "$x", "'q'", "", "two words");
        CtlClient.Response v = CtlClient.call(socket, new CtlProtocol.Argv(argv));
        assertEquals(0, v.status());
        assertEquals("argv:" + argv + "\n", v.out());
        assertEquals("err\n", v.err());
        assertEquals(argv, r.ran.get(0));
        assertEquals(1, CtlClient.call(socket, new CtlProtocol.Argv(List.of("x", "fail"))).status());
        assertEquals("line:ifconfig vp0\n", CtlClient.call(socket, "ifconfig vp0").out());
    }

    @Test
    void idleConnectionsAreBoundedAndTimedOut() throws Exception {
        Recorder r = new Recorder();
        server = new ControlServer(socket, r, new ControlServer.Limits(4, Duration.ofMillis(300),
                Duration.ofSeconds(5), Duration.ofMillis(100)));
        for (int i = 0; i < 200; i++) {
            idle(); // connected, never sends a request
        }
        // The four slots are taken by idle clients: a real one is told so at once rather than left waiting.
        CtlClient.Response busy = CtlClient.call(socket, "drivers");
        assertEquals(CtlProtocol.STATUS_REFUSED, busy.status());
        assertTrue(busy.err().contains("busy"), busy.err());
        // The idle ones are dropped after the request timeout; then requests run again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CtlClient.Response ok;
        do {
            Thread.sleep(50);
            ok = CtlClient.call(socket, "drivers");
        } while (ok.status() != 0 && System.nanoTime() < deadline);
        assertEquals(0, ok.status(), ok.err());
        assertTrue(server.timedOut.sum() >= 1, "timed out " + server.timedOut.sum());
        assertTrue(server.refusedBusy.sum() >= 190, "refused " + server.refusedBusy.sum());
        // Every idle connection was closed by the server: reading gives end of stream, never blocks.
        for (SocketChannel c : held) {
            c.configureBlocking(true);
            ByteBuffer b = ByteBuffer.allocate(256);
            while (c.read(b) >= 0) {
                b.clear();
            }
        }
    }

    @Test
    void malformedAndOversizedRequestsAreRefusedWithAReason() throws IOException {
        server = new ControlServer(socket, new Recorder());
        SocketChannel c = idle();
        c.write(ByteBuffer.wrap(new byte[] {'X', 'y'}));
        c.shutdownOutput();
        String answer = readAll(c);
        assertTrue(answer.startsWith("R") && answer.contains("bad request: unknown request kind 0x58"), answer);

        SocketChannel big = idle();
        ByteBuffer b = ByteBuffer.allocate(70_000);
        b.put((byte) 'L');
        while (b.hasRemaining()) {
            b.put((byte) 'a');
        }
        b.flip();
        try {
            while (b.hasRemaining()) {
                big.write(b);
            }
            big.shutdownOutput();
        } catch (IOException e) {
            // the server may close before it all went: that is a refusal too
        }
        String tooBig = readAll(big);
        assertTrue(tooBig.isEmpty() || tooBig.contains("larger than 65536"), tooBig);
    }

    @Test
    void aClientThatLeavesInterruptsItsCommand() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        CommandLines slow = new CommandLines() {
            @Override
            public Outcome run(String line) {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return new Outcome(0, "", "");
            }

            @Override
            public Outcome run(List<String> argv) {
                return run(String.join(" ", argv));
            }
        };
        server = new ControlServer(socket, slow, new ControlServer.Limits(4, Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofMillis(50)));
        SocketChannel c = idle();
        c.write(ByteBuffer.wrap(CtlProtocol.encode(new CtlProtocol.Line("ping -c 100000 10.0.0.1"))));
        c.shutdownOutput();
        ByteBuffer ack = ByteBuffer.allocate(1);
        c.read(ack);
        assertEquals('A', ack.get(0));
        assertTrue(started.await(5, TimeUnit.SECONDS));
        c.close();
        assertTrue(interrupted.await(5, TimeUnit.SECONDS), "the command was not interrupted when its client left");
        assertEquals(1, server.clientsGone.sum());
    }

    @Test
    void theClientGivesUpOnAnInstanceThatDoesNotAccept() throws IOException {
        // A listening socket nobody serves: connections queue in the backlog, no answer ever comes.
        try (var deaf = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.createDirectories(socket.getParent());
            deaf.bind(UnixDomainSocketAddress.of(socket));
            long t0 = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> CtlClientAccess.call(socket, "drivers",
                    Duration.ofMillis(300), Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("did not accept the request"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void theClientGivesUpOnAnInstanceThatFallsSilent() throws Exception {
        try (var mute = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Files.createDirectories(socket.getParent());
            mute.bind(UnixDomainSocketAddress.of(socket));
            Thread t = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = mute.accept()) {
                    c.write(CtlProtocol.accepted()); // accepted, then never a heartbeat nor an answer
                    Thread.sleep(10_000);
                } catch (IOException | InterruptedException ignored) {
                    // the test is over
                }
            });
            IOException e = assertThrows(IOException.class, () -> CtlClientAccess.call(socket, "drivers",
                    Duration.ofSeconds(5), Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("fell silent"), e.getMessage());
            t.interrupt();
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void aSocketPathTooLongForTheOsIsRefusedBeforeBinding() {
        Path deep = dir.resolve("x".repeat(100)).resolve("run").resolve("t.ctl");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ControlServer(deep, new Recorder()));
        assertTrue(e.getMessage().contains(deep.toString()) && e.getMessage().contains("at most 107"), e.getMessage());
        assertTrue(!Files.exists(deep.getParent()), "nothing was created");
    }

    private static String readAll(SocketChannel c) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        try {
            while (c.read(b) >= 0) {
                b.flip();
                while (b.hasRemaining()) {
                    sb.append((char) b.get());
                }
                b.clear();
            }
        } catch (IOException e) {
            // reset by the server: what arrived is the answer
        }
        return sb.toString();
    }
}
