package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The stack's {@code iperf3} against Linux's iperf3 3.12 (in a namespace on
 * the TAP device of the host's {@code wm0}), in both roles and both
 * directions, with {@code -J} read on both sides: the test moved bytes, and
 * the two sides give the same figures for it. iperf3's sender counts what its
 * writes queued and its receiver what arrived before TEST_END, so the
 * received sum may be below the sent one; each side measured one and learnt
 * the other in the results exchange, so those must agree exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Iperf3WithLinuxIT {

    static final String HOST_V4 = "10.41.0.1";
    static final String HOST_V6 = "fd00:41::1";
    static final String LINUX_V4 = "10.41.0.100";
    static final String LINUX_V6 = "fd00:41::100";

    final ExecutorService threads = Executors.newCachedThreadPool();
    LinuxNet world;
    Path root;
    StackProcess host;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/iperf3")), "Linux's iperf3 is not installed (apt-get install iperf3)");
        world = LinuxNet.create("apiperf");
        String tap = LinuxNet.linkName("ap");
        root = Files.createTempDirectory("pktstack-e2e-iperf3");
        host = StackProcess.start(root, "host", "-d", "e1000", "tap=" + tap,
                "-c", "ifconfig wm0 " + HOST_V4 + "/24", "-c", "ifconfig wm0 inet6 " + HOST_V6 + "/64");
        world.adopt(tap);
        world.address(tap, LINUX_V4 + "/24", LINUX_V6 + "/64");
        host.awaitRunning("wm0");
        world.in("ping", "-c", "1", "-W", "5", HOST_V4);
        world.in("ping", "-c", "1", "-W", "5", HOST_V6);
    }

    @AfterAll
    void stop() {
        threads.shutdownNow();
        if (host != null) {
            host.close();
        }
        if (world != null) {
            world.close();
        }
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** Runs {@code iperf3 -s -1 -J} on the stack and returns its report once a Linux client has run {@code args}. */
    JsonObject[] linuxClientAgainstStack(String... args) throws Exception {
        CompletableFuture<String> server = CompletableFuture.supplyAsync(() -> host.ok("iperf3 -s -1 -J"), threads);
        host.await("netstat -a -p tcp", o -> o.contains(".5201 ") && o.contains("LISTEN"), "iperf3 -s listening");
        String[] cmd = new String[args.length + 6];
        System.arraycopy(new String[] {"iperf3", "-c", HOST_V4, "-t", "2", "-J"}, 0, cmd, 0, 6);
        System.arraycopy(args, 0, cmd, 6, args.length);
        JsonObject linux = json(world.in(cmd));
        return new JsonObject[] {linux, json(server.get(60, TimeUnit.SECONDS))};
    }

    /** Runs {@code iperf3 -s -1 -J} in the namespace and the stack's client with {@code clientArgs}. */
    JsonObject[] stackClientAgainstLinux(String clientArgs) throws Exception {
        Process server = world.start("timeout", "60", "iperf3", "-s", "-1", "-J");
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(server.getInputStream().readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, threads);
        world.await("ss -tln", o -> o.contains(":5201 "), "Linux's iperf3 -s listening");
        JsonObject stack = json(host.ok("iperf3 -c " + clientArgs + " -t 2 -J"));
        JsonObject linux = json(out.get(60, TimeUnit.SECONDS));
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        return new JsonObject[] {linux, stack};
    }

    static JsonObject sum(JsonObject report, String which) {
        return report.getJsonObject("end").getJsonObject(which);
    }

    static long bytes(JsonObject report, String which) {
        return sum(report, which).getJsonNumber("bytes").longValue();
    }

    /** A test that moved bytes, measured over intervals, at a nonzero rate. */
    static void measured(JsonObject report, int streams) {
        assertTrue(bytes(report, "sum_sent") > 0, report.toString());
        assertTrue(bytes(report, "sum_received") > 0, report.toString());
        assertTrue(sum(report, "sum_received").getJsonNumber("bits_per_second").doubleValue() > 0);
        assertTrue(sum(report, "sum_sent").getJsonNumber("seconds").doubleValue() >= 1.9);
        assertTrue(bytes(report, "sum_received") <= bytes(report, "sum_sent"), report.toString());
        JsonArray intervals = report.getJsonArray("intervals");
        assertTrue(intervals.size() >= 2, "intervals: " + intervals);
        assertEquals(streams, intervals.getJsonObject(0).getJsonArray("streams").size());
        assertEquals(streams, report.getJsonObject("end").getJsonArray("streams").size());
    }

    /** Both sides' complete reports (the clients', and the stack's server's) give the same sums. */
    static void agree(JsonObject a, JsonObject b) {
        for (String which : List.of("sum_sent", "sum_received")) {
            assertEquals(bytes(a, which), bytes(b, which), which + " differs:\n" + a + "\n" + b);
        }
    }

    /** Per-stream bytes of one role, sorted: streams are numbered differently on each side. */
    static List<Long> streamBytes(JsonObject report, String role) {
        return report.getJsonObject("end").getJsonArray("streams").stream().map(JsonValue::asJsonObject)
                .map(s -> s.getJsonObject(role).getJsonNumber("bytes").longValue()).sorted().toList();
    }

    @Test
    @Order(1)
    void linuxSendsToTheStacksServer() throws Exception {
        JsonObject[] r = linuxClientAgainstStack();
        measured(r[0], 1);
        measured(r[1], 1);
        agree(r[0], r[1]);
        assertEquals(HOST_V4, r[1].getJsonObject("start").getJsonArray("connected").getJsonObject(0)
                .getString("local_host"));
    }

    @Test
    @Order(2)
    void theStacksServerSendsToLinux() throws Exception {
        JsonObject[] r = linuxClientAgainstStack("-R");
        measured(r[0], 1);
        measured(r[1], 1);
        agree(r[0], r[1]);
        assertEquals(1, r[1].getJsonObject("start").getJsonObject("test_start").getInt("reverse"));
        // the stack sent, and counted its retransmissions for Linux to print
        assertTrue(sum(r[0], "sum_sent").containsKey("retransmits"));
    }

    @Test
    @Order(3)
    void fourParallelStreams() throws Exception {
        JsonObject[] r = linuxClientAgainstStack("-P", "4");
        measured(r[0], 4);
        measured(r[1], 4);
        agree(r[0], r[1]);
        for (String role : List.of("sender", "receiver")) {
            assertEquals(streamBytes(r[0], role), streamBytes(r[1], role), role + " bytes per stream");
        }
    }

    @Test
    @Order(4)
    void theStacksClientSendsToLinuxOverIpv6() throws Exception {
        JsonObject[] r = stackClientAgainstLinux(LINUX_V6);
        measured(r[1], 1);
        // Linux's server reports before the results exchange: only its own half, which the stack learnt.
        assertEquals(bytes(r[0], "sum_received"), bytes(r[1], "sum_received"));
        assertTrue(bytes(r[0], "sum_received") > 0);
        assertEquals(HOST_V6, r[1].getJsonObject("start").getJsonArray("connected").getJsonObject(0)
                .getString("local_host"));
    }

    @Test
    @Order(5)
    void linuxSendsToTheStacksClient() throws Exception {
        JsonObject[] r = stackClientAgainstLinux(LINUX_V4 + " -R");
        measured(r[1], 1);
        assertEquals(bytes(r[0], "sum_sent"), bytes(r[1], "sum_sent"));
        assertTrue(bytes(r[0], "sum_sent") > 0);
    }

    @Test
    @Order(6)
    void theStacksClientPrintsIperf3sLayout() throws Exception {
        Process server = world.start("timeout", "60", "iperf3", "-s", "-1");
        world.await("ss -tln", o -> o.contains(":5201 "), "Linux's iperf3 -s listening");
        String out = host.ok("iperf3 -c " + LINUX_V4 + " -t 1");
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        assertTrue(out.startsWith("Connecting to host " + LINUX_V4 + ", port 5201\n"), out);
        assertTrue(out.matches("(?s).*\\[  1\\] local " + HOST_V4.replace(".", "\\.") + " port \\d+ connected to "
                + LINUX_V4.replace(".", "\\.") + " port 5201\n.*"), out);
        assertTrue(out.contains("[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n"), out);
        assertTrue(out.matches("(?s).*\\[  1\\]   0\\.00-1\\.\\d\\d   sec .*Bytes .*bits/sec +\\d+ +sender\n.*"), out);
        assertTrue(out.matches("(?s).*\\[  1\\]   0\\.00-1\\.\\d\\d   sec .*Bytes .*bits/sec +receiver\n.*"), out);
        assertTrue(out.endsWith("\niperf Done.\n"), out);
    }
}
