package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * TCP against the Linux kernel's: Linux in a namespace on the TAP device of
 * the host's {@code wm0}, which shares {@code bridge0} with two guests' links.
 * 64 MiB each way over IPv4 and IPv6 with equal SHA-256 (socat on Linux, the
 * stack's {@code nc}), the same 16 MiB each way through {@code impair wm0 loss
 * 2 reorder 2 duplicate 1} with the retransmissions counted, and a transfer
 * between the two guests through the host's bridge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpWithLinuxIT {

    static final String HOST_V4 = "10.40.0.1";
    static final String HOST_V6 = "fd00:40::1";
    static final String LINUX_V4 = "10.40.0.100";
    static final String LINUX_V6 = "fd00:40::100";
    static final int MIB = 1 << 20;

    LinuxNet world;
    String tap;
    Path root;
    StackProcess host;
    StackProcess g0;
    StackProcess g1;
    Path data64;
    Path data16;

    @BeforeAll
    void start() throws Exception {
        world = LinuxNet.create("tcp");
        tap = LinuxNet.linkName("pkt");
        root = Files.createTempDirectory("pktstack-e2e-tcp");
        data64 = randomFile(root.resolve("data64"), 64 * MIB, 1);
        data16 = randomFile(root.resolve("data16"), 16 * MIB, 2);
        host = StackProcess.start(root, "host", "-d", "e1000", "tap=" + tap, "-d", "vdevpeer-net",
                "peer=/dev/qvm/g0/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp1",
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add wm0 add vp0 add vp1 up",
                "-c", "ifconfig bridge0 " + HOST_V4 + "/24", "-c", "ifconfig bridge0 inet6 " + HOST_V6 + "/64");
        world.adopt(tap);
        world.address(tap, LINUX_V4 + "/24", LINUX_V6 + "/64");
        g0 = StackProcess.start(root, "g0", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0", "-c", "ifconfig vt0 10.40.0.11/24");
        g1 = StackProcess.start(root, "g1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp1", "-c", "ifconfig vt0 10.40.0.12/24");
        g0.awaitRunning("vt0");
        g1.awaitRunning("vt0");
        host.awaitRunning("wm0");
        world.in("ping", "-c", "1", "-W", "5", HOST_V4);
        world.in("ping", "-c", "1", "-W", "5", HOST_V6);
    }

    @AfterAll
    void stop() {
        for (StackProcess p : new StackProcess[] {g0, g1, host}) {
            if (p != null) {
                p.close();
            }
        }
        if (world != null) {
            world.close();
        }
    }

    static Path randomFile(Path p, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Files.write(p, b);
        return p;
    }

    static String sha256(Path p) throws Exception {
        try (InputStream in = Files.newInputStream(p)) {
            return sha256(in);
        }
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** The "received N bytes sha256 X" line of nc's report. */
    static String[] received(String ncOut) {
        Matcher m = Pattern.compile("received (\\d+) bytes sha256 ([0-9a-f]{64})").matcher(ncOut);
        assertTrue(m.find(), ncOut);
        return new String[] {m.group(1), m.group(2)};
    }

    /** Linux sends {@code file} to the host's nc -l; returns what nc reported. */
    String linuxToHost(Path file, String hostAddress, int port, boolean v6) throws Exception {
        CompletableFuture<String> nc = CompletableFuture.supplyAsync(() -> host.ok("nc -l -t 120 " + port));
        host.await("netstat -a -p tcp", o -> o.contains("." + port + " ") && o.contains("LISTEN"), "nc listening");
        String target = (v6 ? "TCP6:[" + hostAddress + "]" : "TCP4:" + hostAddress) + ":" + port;
        world.in("timeout", "120", "socat", "-u", "FILE:" + file, target);
        return nc.get(150, TimeUnit.SECONDS);
    }

    /** The host's nc sends {@code file} to a socat listener in the namespace; returns the SHA-256 Linux received. */
    String hostToLinux(Path file, String linuxAddress, int port, boolean v6) throws Exception {
        Process listener = world.start("timeout", "120", "socat", "-u", (v6 ? "TCP6-LISTEN:" : "TCP4-LISTEN:") + port,
                "STDOUT");
        CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            try {
                return sha256(listener.getInputStream());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        world.await("ss -tln", o -> o.contains(":" + port + " "), "socat listening on " + port);
        String out = host.ok("nc -i " + file + " -t 120 " + linuxAddress + " " + port);
        assertTrue(out.contains("sent " + Files.size(file) + " bytes sha256 " + sha256(file)), out);
        String sha = got.get(150, TimeUnit.SECONDS);
        assertTrue(listener.waitFor(30, TimeUnit.SECONDS));
        return sha;
    }

    @Test
    @Order(1)
    void sixtyFourMebibytesEachWayOverIpv4() throws Exception {
        String[] in = received(linuxToHost(data64, HOST_V4, 5001, false));
        assertEquals(String.valueOf(64 * MIB), in[0]);
        assertEquals(sha256(data64), in[1]);
        assertEquals(sha256(data64), hostToLinux(data64, LINUX_V4, 5002, false));
    }

    @Test
    @Order(2)
    void sixtyFourMebibytesEachWayOverIpv6() throws Exception {
        String[] in = received(linuxToHost(data64, HOST_V6, 5003, true));
        assertEquals(sha256(data64), in[1]);
        assertEquals(sha256(data64), hostToLinux(data64, LINUX_V6, 5004, true));
    }

    @Test
    @Order(3)
    void sixteenMebibytesEachWayThroughLossReorderingAndDuplication() throws Exception {
        long retransmittedBefore = counter(host.ok("netstat -s -p tcp"), "data packets retransmitted");
        host.ok("impair wm0 loss 2 reorder 2 duplicate 1");
        try {
            String[] in = received(linuxToHost(data16, HOST_V4, 5005, false));
            assertEquals(sha256(data16), in[1]);
            assertEquals(sha256(data16), hostToLinux(data16, LINUX_V4, 5006, false));
            String impair = host.ok("impair wm0");
            assertTrue(counter(impair, "frames dropped") > 0 && counter(impair, "frames reordered") > 0
                    && counter(impair, "frames duplicated") > 0, impair);
        } finally {
            host.ok("impair wm0 off");
        }
        String stats = host.ok("netstat -s -p tcp");
        assertTrue(counter(stats, "data packets retransmitted") > retransmittedBefore, stats);
        assertTrue(counter(stats, "out-of-order packets queued") > 0, stats);
        assertTrue(counter(stats, "completely duplicate packets") > 0, stats);
    }

    @Test
    @Order(4)
    void guestToGuestThroughTheHostsBridge() throws Exception {
        CompletableFuture<String> server = CompletableFuture.supplyAsync(() -> g0.ok("nc -l -t 120 6000"));
        g0.await("netstat -a -p tcp", o -> o.contains(".6000 ") && o.contains("LISTEN"), "nc listening");
        String client = g1.ok("nc -i " + data16 + " -t 120 10.40.0.11 6000");
        String[] in = received(server.get(150, TimeUnit.SECONDS));
        assertEquals(String.valueOf(16 * MIB), in[0]);
        assertEquals(sha256(data16), in[1]);
        assertTrue(client.contains("sent " + 16 * MIB + " bytes sha256 " + in[1]), client);
        // The host bridged the segments; its own TCP saw none of them.
        String bridge = host.ok("brconfig bridge0");
        assertTrue(bridge.contains("vp0") && bridge.contains("vp1"), bridge);
    }

    /** The number in front of {@code what} in a counter listing ("\t123 what"). */
    static long counter(String text, String what) {
        Matcher m = Pattern.compile("(\\d+) " + Pattern.quote(what)).matcher(text);
        assertTrue(m.find(), "no '" + what + "' in:\n" + text);
        return Long.parseLong(m.group(1));
    }
}
