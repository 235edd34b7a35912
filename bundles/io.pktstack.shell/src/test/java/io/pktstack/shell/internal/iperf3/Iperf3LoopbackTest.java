package io.pktstack.shell.internal.iperf3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Whole tests over loopback on the JDK's sockets: this client against this
 * server, and against Linux's iperf3 3.12 both ways when it is installed. The
 * stack's own TCP is tried the same way end to end (test-bundles/io.pktstack.e2e).
 */
class Iperf3LoopbackTest {

    static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    /** A thread per task: the common pool may have one thread on a small machine, and a server blocks it. */
    static final Executor THREADS = Executors.newVirtualThreadPerTaskExecutor();
    final LoopbackTcpStack tcp = new LoopbackTcpStack();

    @Test
    void clientAndServerAgreeOnEveryByteBothWays() throws Exception {
        for (boolean reverse : new boolean[] {false, true}) {
            int port = LoopbackTcpStack.freePort();
            try (Iperf3Server server = Iperf3Server.listen(tcp, port)) {
                CompletableFuture<Iperf3Results> served = CompletableFuture.supplyAsync(() -> serveOne(server), THREADS);
                Iperf3Results client = new Iperf3Client(tcp).run("127.0.0.1", new InetSocketAddress(LOOPBACK, port),
                        1, 3, reverse);
                Iperf3Results srv = served.get(30, TimeUnit.SECONDS);
                assertTrue(client.sentBytes() > 0 && client.receivedBytes() > 0, client.text());
                // Both sides report the same two figures: each measured its own half and told the other.
                assertEquals(client.sentBytes(), srv.sentBytes());
                assertEquals(client.receivedBytes(), srv.receivedBytes());
                assertTrue(client.receivedBytes() <= client.sentBytes(), client.text() + srv.text());
                assertEquals(List.of(1, 3, 4), client.summaries().stream().map(StreamSummary::id).toList());
                assertEquals(reverse, !client.localSends());
                // one interval of about a second (later on a loaded machine: the clock thread wakes late)
                assertTrue(client.text().matches("(?s).*\\[SUM\\]   0\\.00-1\\.\\d\\d   sec .*"), client.text());
                assertTrue(client.text().endsWith("\niperf Done.\n"), client.text());
                assertTrue(srv.text().contains("Server listening on " + port + " (test #1)"), srv.text());
                JsonObject j = json(client.json());
                assertEquals(client.sentBytes(), j.getJsonObject("end").getJsonObject("sum_sent").getJsonNumber("bytes")
                        .longValue());
                assertEquals(3, j.getJsonObject("start").getJsonArray("connected").size());
                assertTrue(j.getJsonArray("intervals").size() >= 1);
            }
        }
    }

    @Test
    void aSecondClientIsToldTheServerIsBusy() throws Exception {
        int port = LoopbackTcpStack.freePort();
        try (Iperf3Server server = Iperf3Server.listen(tcp, port)) {
            CompletableFuture<Iperf3Results> served = CompletableFuture.supplyAsync(() -> serveOne(server), THREADS);
            CompletableFuture<Iperf3Results> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return new Iperf3Client(tcp).run("127.0.0.1", new InetSocketAddress(LOOPBACK, port), 2, 1, false);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, THREADS);
            Thread.sleep(1000);
            Iperf3Exception e = assertThrows(Iperf3Exception.class, () -> new Iperf3Client(tcp).run("127.0.0.1",
                    new InetSocketAddress(LOOPBACK, port), 1, 1, false));
            assertEquals("error - the server is busy running a test. try again later", e.getMessage());
            assertTrue(first.get(30, TimeUnit.SECONDS).sentBytes() > 0);
            assertTrue(served.get(30, TimeUnit.SECONDS).receivedBytes() > 0);
        }
    }

    @Test
    void linuxClientAgainstThisServerBothWays() throws Exception {
        assumeTrue(iperf3Installed(), "Linux's iperf3 is not installed (apt-get install iperf3)");
        for (String[] args : List.of(new String[] {"-P", "2"}, new String[] {"-R"})) {
            int port = LoopbackTcpStack.freePort();
            try (Iperf3Server server = Iperf3Server.listen(tcp, port)) {
                CompletableFuture<Iperf3Results> served = CompletableFuture.supplyAsync(() -> serveOne(server), THREADS);
                List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", "127.0.0.1", "-p", "" + port, "-t", "1", "-J"));
                cmd.addAll(List.of(args));
                JsonObject linux = json(run(cmd));
                Iperf3Results ours = served.get(30, TimeUnit.SECONDS);
                JsonObject end = linux.getJsonObject("end");
                assertEquals(ours.sentBytes(), end.getJsonObject("sum_sent").getJsonNumber("bytes").longValue());
                assertEquals(ours.receivedBytes(), end.getJsonObject("sum_received").getJsonNumber("bytes").longValue());
                assertTrue(ours.receivedBytes() > 0, ours.text());
            }
        }
    }

    @Test
    void thisClientAgainstLinuxsServerBothWays() throws Exception {
        assumeTrue(iperf3Installed(), "Linux's iperf3 is not installed (apt-get install iperf3)");
        for (boolean reverse : new boolean[] {false, true}) {
            int port = LoopbackTcpStack.freePort();
            Path out = Files.createTempFile("iperf3-server", ".json");
            Process linux = new ProcessBuilder("iperf3", "-s", "-1", "-p", "" + port, "-J").redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            try {
                Iperf3Results ours = null;
                for (int attempt = 0; attempt < 50 && ours == null; attempt++) {
                    try {
                        ours = new Iperf3Client(tcp).run("127.0.0.1", new InetSocketAddress(LOOPBACK, port), 1, 2,
                                reverse);
                    } catch (Iperf3Exception e) {
                        assertTrue(e.getMessage().contains("unable to connect"), e.getMessage());
                        Thread.sleep(100); // the server is not listening yet
                    }
                }
                assertTrue(linux.waitFor(30, TimeUnit.SECONDS));
                JsonObject end = json(Files.readString(out)).getJsonObject("end");
                assertTrue(ours.receivedBytes() > 0, ours.text());
                // Linux's server printed before the exchange: it knows its own half only.
                String own = reverse ? "sum_sent" : "sum_received";
                long linuxOwn = end.getJsonObject(own).getJsonNumber("bytes").longValue();
                assertEquals(reverse ? ours.sentBytes() : ours.receivedBytes(), linuxOwn);
            } finally {
                linux.destroy();
                Files.deleteIfExists(out);
            }
        }
    }

    private static Iperf3Results serveOne(Iperf3Server server) {
        try {
            return server.serveOne();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    static boolean iperf3Installed() {
        return Files.isExecutable(Path.of("/usr/bin/iperf3"));
    }

    static String run(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("iperf3", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "iperf3 did not finish");
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
