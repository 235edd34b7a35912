package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed's guest-to-world topology: the host's {@code wm0} (e1000 on a TAP
 * device) joins {@code bridge0} with the three guests' {@code vp0..vp2}; the
 * TAP device is moved into a Linux network namespace that plays the outside
 * world. Linux and the guests ping each other over IPv4 and IPv6 with
 * ARP/ND resolving across the bridge, UDP crosses both ways byte for byte, and
 * a capture on {@code wm0} is read by tshark and matches the counters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestToWorldIT {

    static final String LINUX_V4 = "10.30.0.100";
    static final String LINUX_V6 = "fd00:30::100";

    LinuxNet world;
    String tap;
    Path root;
    StackProcess host;
    final List<StackProcess> guests = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        world = LinuxNet.create("world");
        tap = LinuxNet.linkName("pkw");
        root = Files.createTempDirectory("pktstack-e2e-world");
        host = StackProcess.start(root, "host", "-d", "e1000", "tap=" + tap, "-d", "vdevpeer-net",
                "peer=/dev/qvm/g0/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp1,"
                        + "peer=/dev/qvm/g2/p2p,bind=/dev/vdevpeers/vp2",
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add wm0 add vp0 add vp1 add vp2 up",
                "-c", "ifconfig bridge0 10.30.0.1/24", "-c", "ifconfig bridge0 inet6 fd00:30::1/64");
        world.adopt(tap);
        world.address(tap, LINUX_V4 + "/24", LINUX_V6 + "/64");
        for (int i = 0; i < 3; i++) {
            guests.add(StackProcess.start(root, "g" + i, "-d", "virtio-net", "peer=/dev/vdevpeers/vp" + i,
                    "-c", "ifconfig vt0 " + v4(i) + "/24", "-c", "ifconfig vt0 inet6 " + v6(i) + "/64"));
        }
        for (int i = 0; i < 3; i++) {
            guests.get(i).awaitRunning("vt0");
            host.awaitRunning("vp" + i);
        }
        host.awaitRunning("wm0");
    }

    static String v4(int i) {
        return "10.30.0." + (11 + i);
    }

    static String v6(int i) {
        return "fd00:30::" + (11 + i);
    }

    @AfterAll
    void stop() {
        guests.forEach(StackProcess::close);
        if (host != null) {
            host.close();
        }
        if (world != null) {
            world.close();
        }
    }

    @Test
    @Order(1)
    void linuxPingsEveryGuestAndTheHostAcrossTheBridge() {
        for (String dst : List.of("10.30.0.1", v4(0), v4(1), v4(2), "fd00:30::1", v6(0), v6(1), v6(2))) {
            String out = world.ping("-c", "2", "-i", "0.2", dst);
            assertTrue(out.contains("2 received"), out);
        }
    }

    @Test
    @Order(2)
    void everyGuestPingsLinux() {
        for (StackProcess g : guests) {
            String out = g.ok("ping -c 2 -i 0.2 " + LINUX_V4);
            assertTrue(out.contains("2 packets received"), out);
            out = g.ok("ping -c 2 -i 0.2 " + LINUX_V6);
            assertTrue(out.contains("2 packets received"), out);
        }
        // The guests were resolved by ARP and ND across the bridge: Linux knows their MACs.
        String neigh = world.in("ip", "neigh", "show", "dev", tap);
        for (int i = 0; i < 3; i++) {
            assertTrue(neigh.contains(v4(i) + " lladdr"), neigh);
            assertTrue(neigh.contains(v6(i) + " lladdr"), neigh);
        }
        String arp = guests.get(0).ok("arp -a");
        assertTrue(arp.contains(LINUX_V4), arp);
    }

    @Test
    @Order(3)
    void udpFromLinuxReachesAGuestUnchanged() throws Exception {
        byte[] payload = new byte[300];
        new Random(7).nextBytes(payload);
        StackProcess g = guests.get(1);
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> g.ok("udp recv -c 1 -t 20 7000"));
        // Send until the guest's socket is open: a datagram before that is dropped, as on any stack.
        for (int attempt = 0; attempt < 50 && !received.isDone(); attempt++) {
            Process p = world.start("socat", "-u", "STDIN", "UDP4-SENDTO:" + v4(1) + ":7000");
            p.getOutputStream().write(payload);
            p.getOutputStream().close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            StackProcess.sleep(200);
        }
        String out = received.get(30, TimeUnit.SECONDS);
        assertTrue(out.contains("from " + LINUX_V4 + ":"), out);
        assertTrue(out.contains("300 bytes hex " + HexFormat.of().formatHex(payload)), out);
    }

    @Test
    @Order(4)
    void udpFromAGuestReachesLinuxUnchanged() throws Exception {
        byte[] payload = new byte[1200];
        new Random(11).nextBytes(payload);
        for (String[] dst : List.of(new String[] {"UDP4-RECVFROM:7001", LINUX_V4, "7001"},
                new String[] {"UDP6-RECVFROM:7002", LINUX_V6, "7002"})) {
            Process listener = world.start("timeout", "20", "socat", "-u", dst[0], "STDOUT");
            world.await("ss -uln", o -> o.contains(":" + dst[2] + " "), "socat listening on " + dst[2]);
            guests.get(2).ok("udp send -x " + dst[1] + " " + dst[2] + " " + HexFormat.of().formatHex(payload));
            byte[] got = listener.getInputStream().readAllBytes();
            assertTrue(listener.waitFor(30, TimeUnit.SECONDS));
            assertArrayEquals(payload, got, "datagram to " + dst[1]);
        }
    }

    @Test
    @Order(5)
    void captureOnWm0IsReadByTsharkAndMatchesTheCounters() throws Exception {
        Tshark.assumeInstalled();
        Path pcap = root.resolve("wm0.pcap");
        StackProcess g = guests.get(0);
        g.ok("ping -c 1 " + LINUX_V4); // neighbours fresh on both sides before counting
        g.ok("ping -c 1 " + LINUX_V6);
        long[] before = host.packets("wm0");
        CompletableFuture<String> dump = CompletableFuture.supplyAsync(
                () -> host.ok("tcpdump -i wm0 -c 16 -t 20 -w " + pcap));
        host.await("nicinfo wm0", o -> o.contains("Capture                       : on"), "the capture to start");
        g.ok("ping -c 4 -i 0.05 " + LINUX_V4);
        g.ok("ping -c 4 -i 0.05 " + LINUX_V6);
        String summary = dump.get(30, TimeUnit.SECONDS);
        assertTrue(summary.contains("16 packets captured"), summary);
        long[] after = host.packets("wm0");
        long crossed = (after[0] - before[0]) + (after[1] - before[1]);
        List<String> frames = Tshark.protocols(pcap);
        assertEquals(crossed, frames.size(), "frames on wm0 by its counters vs the capture:\n" + String.join("\n", frames));
        assertEquals(16, frames.size());
        List<String> malformed = Tshark.malformed(pcap);
        assertTrue(malformed.isEmpty(), "tshark reports malformed packets:\n" + String.join("\n", malformed));
        // Linux's own counters on its side of the TAP agree that the frames crossed.
        assertTrue(world.statistic(tap, "rx_packets") >= 8 && world.statistic(tap, "tx_packets") >= 8);
    }
}
