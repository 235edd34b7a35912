package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The stack's {@code inetd} services against Linux (Python sockets in a
 * namespace on the TAP device of the host's {@code wm0}; inetd_client.py
 * beside this class): 500 concurrent connections to echo with every byte
 * echoed, discard, chargen and daytime over TCP and all four over UDP, and
 * services stopped at run time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InetdIT {

    static final String HOST_V4 = "10.42.0.1";
    static final String HOST_V6 = "fd00:42::1";
    static final Map<String, String> PORTS = Map.of("echo", "7", "discard", "9", "daytime", "13", "chargen", "19");

    LinuxNet world;
    Path root;
    Path client;
    StackProcess host;

    @BeforeAll
    void start() throws Exception {
        world = LinuxNet.create("apinetd");
        String tap = LinuxNet.linkName("ap");
        root = Files.createTempDirectory("pktstack-e2e-inetd");
        client = root.resolve("inetd_client.py");
        try (InputStream in = InetdIT.class.getResourceAsStream("inetd_client.py")) {
            Files.write(client, in.readAllBytes());
        }
        host = StackProcess.start(root, "host", "-d", "e1000", "tap=" + tap,
                "-c", "ifconfig wm0 " + HOST_V4 + "/24", "-c", "ifconfig wm0 inet6 " + HOST_V6 + "/64");
        world.adopt(tap);
        world.address(tap, "10.42.0.100/24", "fd00:42::100/64");
        host.awaitRunning("wm0");
        world.in("ping", "-c", "1", "-W", "5", HOST_V4);
        world.in("ping", "-c", "1", "-W", "5", HOST_V6);
    }

    @AfterAll
    void stop() {
        if (host != null) {
            host.close();
        }
        if (world != null) {
            world.close();
        }
    }

    /** inetd's listing: "service/proto" to its row's columns. */
    Map<String, String[]> listing() {
        Map<String, String[]> rows = new HashMap<>();
        for (String line : host.ok("inetd -s").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 8 && !f[0].equals("Service")) {
                rows.put(f[0] + "/" + f[1], f);
            }
        }
        return rows;
    }

    String python(String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "python3";
        cmd[1] = client.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        return world.in(cmd);
    }

    @Test
    @Order(1)
    void startsTheInternalServices() {
        String out = host.ok("inetd echo discard chargen daytime");
        assertEquals(8, listing().size(), out);
        for (String s : PORTS.keySet()) {
            assertTrue(out.matches("(?s).*\\n" + s + " +tcp +" + PORTS.get(s) + " +0 .*"), out);
            assertTrue(out.matches("(?s).*\\n" + s + " +udp +" + PORTS.get(s) + " +0 .*"), out);
        }
        // What is bad is named, and changes nothing.
        CtlClient.Response r = host.ctl("inetd discard time");
        assertNotEquals(0, r.status());
        assertTrue(r.err().contains("unknown service 'time'"), r.err());
        r = host.ctl("inetd daytime/udp");
        assertTrue(r.err().contains("daytime/udp already runs"), r.err());
        assertEquals(8, listing().size());
    }

    @Test
    @Order(2)
    void echoAnswers500ConcurrentConnectionsWithEveryByte() {
        String out = python("echo-many", HOST_V4, "7", "500", "2000");
        assertTrue(out.startsWith("ok 500 connections"), out);
        String[] echo = listing().get("echo/tcp");
        assertEquals("500", echo[3], String.join(" ", echo));
        long bytes = 0;
        for (int i = 0; i < 500; i++) {
            bytes += 2000 + ("connection " + i).length();
        }
        assertEquals(Long.toString(bytes), echo[5], "bytes in");
        assertEquals(Long.toString(bytes), echo[6], "bytes out");
    }

    @Test
    @Order(3)
    void discardChargenAndDaytimeOverTcp() {
        for (String s : new String[] {"discard", "chargen", "daytime"}) {
            String out = python("tcp", s, HOST_V4, PORTS.get(s));
            assertTrue(out.startsWith("ok " + s), out);
        }
        String[] discard = listing().get("discard/tcp");
        assertEquals("100000", discard[5], "discard counted what it dropped");
    }

    @Test
    @Order(4)
    void everyServiceOverUdp() {
        for (String s : new String[] {"echo", "discard", "chargen", "daytime"}) {
            String out = python("udp", s, HOST_V6, PORTS.get(s));
            assertTrue(out.startsWith("ok " + s), out);
            assertNotEquals("0", listing().get(s + "/udp")[3], s + "/udp served nothing");
        }
    }

    @Test
    @Order(5)
    void servicesStopAtRunTime() {
        host.ok("inetd -k echo");
        assertEquals(6, listing().size());
        LinuxNet.Result r = world.run("python3", client.toString(), "echo-many", HOST_V4, "7", "1", "10");
        assertNotEquals(0, r.status(), "echo still answers: " + r.out());
        assertTrue(r.out().contains("Connection refused"), r.out());
        assertTrue(host.ctl("inetd -k echo/udp").err().contains("echo/udp does not run"));
        host.ok("inetd -k");
        assertEquals("no internal service runs\n", host.ok("inetd"));
    }
}
