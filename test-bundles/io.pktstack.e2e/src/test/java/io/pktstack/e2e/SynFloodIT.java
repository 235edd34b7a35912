package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A SYN flood from Linux at a guest that listens: 40,000 SYNs from spoofed
 * sources (on the link, so the guest asks ARP for each and nobody answers,
 * and off it) to the guest's listening port, through the host's bridge. Its
 * bounded SYN queue fills and it answers with SYN cookies; a real connection
 * from Linux made during the flood completes, and a file crosses it intact;
 * the guest's frames are all back in its pool afterwards.
 */
class SynFloodIT {

    static final String GUEST = "10.41.0.11";

    @Test
    void aRealConnectionCompletesThroughASynFlood() throws Exception {
        LinuxNet world = LinuxNet.create("hdsyn");
        Path root = Files.createTempDirectory("pktstack-e2e-synflood");
        String tap = LinuxNet.linkName("hdsyn");
        try (StackProcess host = StackProcess.start(root, "fhost", "-d", "e1000", "tap=" + tap, "-d", "vdevpeer-net",
                "peer=/dev/qvm/fg/p2p,bind=/dev/vdevpeers/vp0", "-c", "ifconfig bridge0 create",
                "-c", "brconfig bridge0 add wm0 add vp0 up", "-c", "ifconfig bridge0 10.41.0.1/24");
             StackProcess guest = StackProcess.start(root, "fg", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                     "-c", "ifconfig vt0 " + GUEST + "/24", "-c", "sysctl net.inet.tcp.syncache.limit=64")) {
            world.adopt(tap);
            world.address(tap, "10.41.0.100/24", "fd00:41::100/64");
            guest.awaitRunning("vt0");
            host.awaitRunning("wm0");
            world.in("ping", "-c", "1", "-W", "5", GUEST);
            Path data = TcpWithLinuxIT.randomFile(root.resolve("data"), 1 << 20, 41);
            Path flood = root.resolve("synflood.py");
            Files.copy(SynFloodIT.class.getResourceAsStream("synflood.py"), flood);

            CompletableFuture<String> nc = CompletableFuture.supplyAsync(() -> guest.ok("nc -l -t 120 5001"));
            guest.await("netstat -a -p tcp", o -> o.contains(".5001 ") && o.contains("LISTEN"), "nc listening");
            Process flooding = world.start("python3", flood.toString(), GUEST, "5001", "40000", "10.41.0");
            // Once the flood has filled the SYN queue (not after a guessed pause), Linux connects for real and sends
            // a file while it goes on.
            guest.await("netstat -s -p tcp", o -> count(o, "SYN queue overflows") > 0, "the flood filling the SYN queue");
            LinuxNet.Result sent0 = world.run("timeout", "120", "socat", "-u", "FILE:" + data,
                    "TCP4:" + GUEST + ":5001,connect-timeout=60");
            if (sent0.status() != 0) {
                throw new AssertionError("socat failed (" + sent0.status() + "): " + sent0.out() + "\nguest:\n"
                        + guest.ok("netstat -s") + "\n" + guest.ok("netstat -i") + "\n" + guest.ok("netstat -a -p tcp") + "\nhost:\n"
                        + host.ok("netstat -s") + "\n" + host.ok("netstat -i"));
            }
            String got = nc.get(150, TimeUnit.SECONDS);
            assertTrue(flooding.waitFor(120, TimeUnit.SECONDS));
            String sent = new String(flooding.getInputStream().readAllBytes()).strip();
            assertTrue(sent.matches("sent \\d+") && Long.parseLong(sent.substring(5)) > 30_000, sent);

            String[] r = TcpWithLinuxIT.received(got);
            assertEquals(Long.toString(Files.size(data)), r[0], got);
            assertEquals(TcpWithLinuxIT.sha256(data), r[1], got);

            String stats = guest.ok("netstat -s -p tcp");
            assertTrue(counter(stats, "SYN queue overflows") > 0, stats);
            assertTrue(counter(stats, "SYN cookies sent") > 0, stats);
            guest.await("netstat -m", o -> o.startsWith("0/"), "the guest's frames all back in its pool");
            assertTrue(host.alive() && guest.alive());
        } finally {
            world.close();
        }
    }

    static long counter(String stats, String name) {
        long n = count(stats, name);
        assertTrue(n >= 0, "no '" + name + "' in:\n" + stats);
        return n;
    }

    /** The counter's value in netstat -s output, or -1 if it is not there. */
    static long count(String stats, String name) {
        Matcher m = Pattern.compile("(\\d+) " + Pattern.quote(name)).matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
