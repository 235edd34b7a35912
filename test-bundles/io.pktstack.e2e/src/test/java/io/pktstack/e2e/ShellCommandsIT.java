package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's command set, each command through {@code bin/pktstack ctl}
 * (a separate process, as scripts use it) against a host started from its
 * board profile ({@code --feature features/host-three-guests.json}) with one
 * guest attached; and board profiles applied to a running stack through ctl.
 */
class ShellCommandsIT {

    static final Path FEATURES = StackProcess.TOP.resolve("features");

    private static Path root;

    private static String ok(String instance, String... line) {
        CtlClient.Response r = StackProcess.ctlCommand(root, instance, line);
        assertEquals(0, r.status(), String.join(" ", line) + " failed:\n" + r.out() + r.err());
        return r.out();
    }

    private static CtlClient.Response fails(String instance, String... line) {
        CtlClient.Response r = StackProcess.ctlCommand(root, instance, line);
        assertNotEquals(0, r.status(), String.join(" ", line) + " should fail:\n" + r.out());
        return r;
    }

    private static void contains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected '" + p + "' in:\n" + text);
        }
    }

    /** The count in a netstat -s line such as "\t3 echo replies received". */
    private static long counter(String netstat, String what) {
        Matcher m = Pattern.compile("\\t(\\d+) " + Pattern.quote(what) + "\\n").matcher(netstat);
        assertTrue(m.find(), "no '" + what + "' in:\n" + netstat);
        return Long.parseLong(m.group(1));
    }

    @Test
    void everyOperatorCommandThroughCtl() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the board's e1000 TAP device needs root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun on this machine");
        root = Files.createTempDirectory("pktstack-e2e-shell");
        try (StackProcess host = StackProcess.start(root, "host", "--feature",
                FEATURES.resolve("host-three-guests.json").toString());
             StackProcess guest = StackProcess.start(root, "qnx7-guest1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                "-c", "ifconfig vt0 10.10.0.2/24", "-c", "ifconfig vt0 inet6 fd00:10::2/64")) {
            guest.awaitRunning("vt0");
            host.awaitRunning("vp0");

            // help: every command is listed, and each has its own text.
            String help = ok("host", "help");
            for (String c : new String[] {"ifconfig", "brconfig", "nicinfo", "netstat", "route", "arp", "ndp", "ping",
                    "tcpdump", "mount", "umount", "drivers", "sysctl", "feature", "pktgen", "udp"}) {
                contains(help, "net:" + c);
            }
            contains(ok("host", "help", "route"), "show or change routes");

            // ifconfig, brconfig
            contains(ok("host", "ifconfig"), "bridge0: flags=", "inet 10.10.0.1 netmask 0xffffff00", "wm0: flags=");
            ok("host", "ifconfig", "vp2", "down");
            assertFalse(ok("host", "ifconfig", "vp2").contains("<UP"));
            ok("host", "ifconfig", "vp2", "up");
            contains(ok("host", "brconfig", "bridge0"), "vp0 flags=", "vp1 flags=", "vp2 flags=", "wm0 flags=");
            contains(fails("host", "ifconfig", "vp9").err(), "vp9");

            // ping, then the neighbour tables it filled
            contains(ok("host", "ping", "-c", "2", "-i", "0.05", "10.10.0.2"), "2 packets received");
            contains(ok("host", "ping", "-c", "1", "fd00:10::2"), "1 packets received");
            contains(ok("host", "arp", "-a"), "(10.10.0.2)");
            contains(ok("host", "ndp", "-a"), "fd00:10::2");
            CtlClient.Response lost = fails("host", "ping", "-c", "1", "-W", "300", "10.10.0.99");
            contains(lost.out() + lost.err(), "0 packets received");

            // nicinfo, netstat -i/-r/-s/-m
            contains(ok("host", "nicinfo", "wm0"), "e1000", "pk-board0");
            contains(ok("host", "netstat", "-i"), "Ipkts", "vp0", "wm0", "bridge0");
            contains(ok("host", "netstat", "-rn"), "Routing tables", "10.10.0.0/24", "fd00:10::/64");
            String stats = ok("host", "netstat", "-s");
            contains(stats, "ip:", "icmp:", "ip6:", "icmp6:", "udp:", "arp:");
            assertTrue(counter(stats, "echo replies received") >= 2, stats);
            assertTrue(counter(ok("host", "netstat", "-s", "-p", "icmp6"), "echo replies received") >= 1);
            contains(ok("host", "netstat", "-m"), "frames in use/free/total");

            // route: a static route steers the host's own traffic to the guest as gateway
            contains(ok("host", "route", "add", "-net", "192.168.99.0/24", "10.10.0.2"), "add net 192.168.99.0/24");
            contains(ok("host", "route", "show"), "192.168.99.0/24", "UGS");
            long sentBefore = counter(ok("host", "netstat", "-s", "-p", "ip"), "packets sent from this host");
            fails("host", "ping", "-c", "1", "-W", "300", "192.168.99.1"); // the guest does not forward
            assertTrue(counter(ok("host", "netstat", "-s", "-p", "ip"), "packets sent from this host") > sentBefore);
            ok("host", "route", "delete", "192.168.99.0/24");
            contains(fails("host", "route", "delete", "192.168.99.0/24").err(), "no static route to 192.168.99.0/24");
            contains(fails("host", "route", "add", "192.168.99.0/24", "172.16.0.1").err(), "172.16.0.1");

            // sysctl: the TTL of the host's replies changes at once
            contains(ok("host", "sysctl", "-a"), "net.inet.ip.ttl = 64", "net.link.bridge.maxaddr = 100");
            contains(ok("host", "sysctl", "-w", "net.inet.ip.ttl=33"), "net.inet.ip.ttl: 64 -> 33");
            contains(guest.ok("ping -c 1 10.10.0.1"), "ttl=33");
            contains(fails("host", "sysctl", "net.pktstack.pool.frames=1").err(), "read-only");

            // tcpdump while the guest pings: one line per frame
            CompletableFuture<String> capture = CompletableFuture.supplyAsync(
                    () -> ok("host", "tcpdump", "-i", "vp0", "-c", "2", "-t", "10"));
            host.await("nicinfo vp0", o -> o.contains("Capture"), "tcpdump capturing on vp0");
            guest.ok("ping -c 3 -i 0.2 10.10.0.1");
            contains(capture.get(30, TimeUnit.SECONDS), "10.10.0.2", "10.10.0.1");

            // drivers, mount, umount
            contains(ok("host", "drivers"), "vdevpeer-net", "e1000", "virtio-net", "vp0,vp1,vp2", "tap=pk-board0");
            contains(ok("host", "mount", "-T", "io-pkt", "vdevpeer-net", "peer=/dev/qvm/extra/p2p,bind=/dev/vdevpeers/vp3"),
                    "vp3");
            contains(ok("host", "ifconfig", "vp3"), "vp3: flags=");
            ok("host", "umount", "vp3");
            contains(fails("host", "ifconfig", "vp3").err(), "vp3");
            contains(fails("host", "mount", "rtl8139").err(), "unknown driver 'rtl8139'");

            // pktgen, and udp from the host to a socket in the guest
            contains(ok("host", "pktgen", "-n", "1000", "-b", "32", "vp1", "02:00:00:00:00:99"), "1000");
            CompletableFuture<CtlClient.Response> received = CompletableFuture.supplyAsync(
                    () -> guest.ctl("udp recv -c 1 -t 10 5000"));
            // Until the receiver's socket is bound the datagram finds no port: send until one arrives.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                contains(ok("host", "udp", "send", "10.10.0.2", "5000", "hello"), "10.10.0.2:5000 5 bytes");
                try {
                    received.get(100, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException notYet) {
                    // not bound yet, or on its way
                }
            } while (!received.isDone() && System.nanoTime() < deadline);
            contains(received.get(30, TimeUnit.SECONDS).out(), "text \"hello\"");

            // feature check reads a profile and changes nothing
            contains(ok("host", "feature", "check", FEATURES.resolve("p2p-guest-a.json").toString()),
                    "io.pktstack.features:p2p-guest-a", ": ok", "virtio-net");
        }
    }

    @Test
    void boardProfilesAppliedToARunningStackAndAtStart() throws Exception {
        root = Files.createTempDirectory("pktstack-e2e-boards");
        // Guest a starts bare and gets its profile through ctl; guest b starts from its profile.
        try (StackProcess a = StackProcess.start(root, "guest-a")) {
            assertFalse(ok("guest-a", "ifconfig").contains("vt0"));
            CtlClient.Response broken = fails("guest-a", "feature", "apply", FEATURES.resolve("nope.json").toString());
            contains(broken.err(), "nope.json", "does not exist");
            contains(ok("guest-a", "feature", "apply", FEATURES.resolve("p2p-guest-a.json").toString()),
                    "feature io.pktstack.features:p2p-guest-a:0.1.0-SNAPSHOT: applied (vt0)");
            try (StackProcess b = StackProcess.start(root, "guest-b", "--feature",
                    FEATURES.resolve("p2p-guest-b.json").toString())) {
                a.awaitRunning("vt0");
                b.awaitRunning("vt0");
                contains(ok("guest-b", "ping", "-c", "2", "-i", "0.05", "10.20.0.1"), "2 packets received");
                contains(ok("guest-a", "ping", "-c", "1", "fd00:20::2"), "1 packets received");
                contains(ok("guest-a", "drivers"), "virtio-net");
            }
        }
    }
}
