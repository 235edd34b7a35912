package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
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
 * The host as its guests' router, with real processes: two guest subnets
 * (bridge0 with vp0, vp1 and a VM on vp3: 10.41.0.0/24; vp2 alone: 10.42.0.0/24) and
 * Linux in a namespace on the host's wm0 (a TAP device: 10.43.0.0/24).
 * Forwarding, time exceeded for TTL 1, 4000-byte pings in fragments both
 * ways, leases from the host's dhcpd to a guest's dhcpcd and to busybox
 * udhcpc (in a namespace on wm0, and in a QEMU Linux VM on the bridge), NAT
 * of a guest's ping and UDP towards a Linux without a route back,
 * a UDP port and a TCP port (to a guest's {@code nc -l}) forwarded to a
 * guest, and SLAAC from the host's rtadvd for Linux and for a guest's rtsol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterIT {

    static final String LINUX = "10.43.0.100";
    static final String LINUX6 = "fd00:43::100";

    LinuxNet world;
    String tap;
    Path root;
    StackProcess host;
    StackProcess g0;
    StackProcess g1;
    StackProcess g2;
    final List<StackProcess> all = new ArrayList<>();
    /** A Linux VM on vp3 (bridge0) that asks for its address with busybox udhcpc; null without QEMU. */
    VmProcess vm;
    static final String VM_MAC = "52:54:00:41:00:99";

    @BeforeAll
    void start() throws Exception {
        world = LinuxNet.create("rt");
        tap = LinuxNet.linkName("rtw");
        root = Files.createTempDirectory("pktstack-e2e-router");
        host = StackProcess.start(root, "host", "-d", "e1000", "tap=" + tap, "-d", "vdevpeer-net",
                "peer=/dev/qvm/rg0/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/rg1/p2p,bind=/dev/vdevpeers/vp1,"
                        + "peer=/dev/qvm/rg2/p2p,bind=/dev/vdevpeers/vp2,peer=/dev/qvm/rvm/p2p,bind=/dev/vdevpeers/vp3",
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 add vp3 up",
                "-c", "ifconfig bridge0 10.41.0.1/24", "-c", "ifconfig bridge0 inet6 fd00:41::1/64",
                "-c", "ifconfig vp2 10.42.0.1/24", "-c", "ifconfig vp2 inet6 fd00:42::1/64",
                "-c", "ifconfig wm0 10.43.0.1/24", "-c", "ifconfig wm0 inet6 fd00:43::1/64",
                "-c", "dhcpd bridge0 range 10.41.0.100 10.41.0.120 lease 600",
                "-c", "dhcpd wm0 range 10.43.0.150 10.43.0.160");
        all.add(host);
        world.adopt(tap);
        world.address(tap, LINUX + "/24", LINUX6 + "/64");
        world.in("ip", "route", "add", "10.41.0.0/24", "via", "10.43.0.1");
        world.in("ip", "route", "add", "10.42.0.0/24", "via", "10.43.0.1");
        world.in("ip", "-6", "route", "add", "fd00:41::/64", "via", "fd00:43::1");
        world.in("ip", "-6", "route", "add", "fd00:42::/64", "via", "fd00:43::1");
        g0 = guest("rg0", 0, "-c", "ifconfig vt0 10.41.0.10/24", "-c", "ifconfig vt0 inet6 fd00:41::10/64",
                "-c", "route add default 10.41.0.1", "-c", "route add -inet6 default fd00:41::1");
        g1 = guest("rg1", 1); // its MAC is assigned below, so that a restart keeps it
        g2 = guest("rg2", 2, "-c", "ifconfig vt0 10.42.0.10/24", "-c", "ifconfig vt0 inet6 fd00:42::10/64",
                "-c", "route add default 10.42.0.1", "-c", "route add -inet6 default fd00:42::1");
        for (int i = 0; i < 3; i++) {
            all.get(i + 1).awaitRunning("vt0");
            host.awaitRunning("vp" + i);
        }
        host.awaitRunning("wm0");
        if (Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))
                && Files.isExecutable(Path.of("/bin/busybox"))) {
            // Boots while the other tests run; no --ip: its address comes from the host's dhcpd.
            vm = VmProcess.start(root, "rvm", "--mac", VM_MAC, "--run", "udhcpc -i eth0 -n -q -t 15 -T 2 -s /bin/true");
        }
    }

    StackProcess guest(String name, int vp, String... commands) {
        List<String> args = new ArrayList<>(List.of("-d", "virtio-net", "peer=/dev/vdevpeers/vp" + vp
                + ",mac=52:54:00:40:00:0" + vp));
        args.addAll(List.of(commands));
        StackProcess g = StackProcess.start(root, name, args.toArray(new String[0]));
        all.add(g);
        return g;
    }

    @AfterAll
    void stop() {
        if (vm != null) {
            vm.close();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
        if (world != null) {
            world.close();
        }
    }

    static void contains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected '" + p + "' in:\n" + text);
        }
    }

    @Test
    @Order(1)
    void guestSubnetsReachEachOtherOnlyWithForwardingOn() {
        CtlClient.Response off = g0.ctl("ping -c 1 -W 500 10.42.0.10");
        assertNotEquals(0, off.status(), "forwarding is off by default:\n" + off.out());
        contains(host.ok("sysctl -w net.inet.ip.forwarding=1 net.inet6.ip6.forwarding=1"),
                "net.inet.ip.forwarding: 0 -> 1", "net.inet6.ip6.forwarding: 0 -> 1");
        contains(g0.ok("ping -c 2 -i 0.2 10.42.0.10"), "2 packets received");
        contains(g0.ok("ping -c 2 -i 0.2 fd00:42::10"), "2 packets received");
        contains(g2.ok("ping -c 2 -i 0.2 10.41.0.10"), "2 packets received");
        String stats = host.ok("netstat -s -p ip");
        assertTrue(!stats.contains("\t0 packets forwarded"), stats);
    }

    @Test
    @Order(2)
    void linuxReachesGuestsThroughTheHost() {
        contains(world.ping("-c", "2", "-i", "0.2", "10.41.0.10"), "2 received");
        contains(world.ping("-c", "2", "-i", "0.2", "10.42.0.10"), "2 received");
        contains(world.ping("-6", "-c", "2", "-i", "0.2", "fd00:42::10"), "2 received");
    }

    @Test
    @Order(3)
    void ttlOneGetsTimeExceededFromTheHost() {
        LinuxNet.Result r = world.run("ping", "-c", "1", "-t", "1", "-W", "3", "10.42.0.10");
        contains(r.out(), "From 10.43.0.1 icmp_seq=1 Time to live exceeded");
        LinuxNet.Result r6 = world.run("ping", "-6", "-c", "1", "-t", "1", "-W", "3", "fd00:42::10");
        contains(r6.out(), "From fd00:43::1 icmp_seq=1 Time exceeded: Hop limit");
        contains(host.ok("netstat -s -p icmp"), "time exceeded sent");
    }

    @Test
    @Order(4)
    void fourThousandBytePingsInFragmentsBothWays() {
        contains(world.ping("-c", "2", "-i", "0.3", "-s", "4000", "10.42.0.10"), "2 received",
                "4008 bytes from 10.42.0.10");
        contains(world.ping("-6", "-c", "2", "-i", "0.3", "-s", "4000", "fd00:42::10"), "2 received");
        contains(g2.ok("ping -c 2 -i 0.3 -s 4000 " + LINUX), "2 packets received");
        contains(g2.ok("ping -c 2 -i 0.3 -s 4000 " + LINUX6), "2 packets received");
        String ip = g2.ok("netstat -s -p ip");
        assertTrue(!ip.contains("\t0 packets reassembled ok") && !ip.contains("\t0 fragments created"), ip);
    }

    @Test
    @Order(5)
    void udpDatagramsLargerThanTheMtuBothWays() throws Exception {
        byte[] big = new byte[3000];
        new java.util.Random(3000).nextBytes(big);
        Process listener = world.start("timeout", "20", "socat", "-u", "UDP4-RECVFROM:7300", "STDOUT");
        world.await("ss -uln", o -> o.contains(":7300 "), "socat listening on 7300");
        g2.ok("udp send -x " + LINUX + " 7300 " + java.util.HexFormat.of().formatHex(big));
        assertTrue(java.util.Arrays.equals(big, listener.getInputStream().readAllBytes()), "3000 bytes to Linux");
        assertTrue(listener.waitFor(30, TimeUnit.SECONDS));

        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> g2.ok("udp recv -c 1 -t 20 7301"));
        for (int attempt = 0; attempt < 50 && !received.isDone(); attempt++) {
            Process p = world.start("socat", "-u", "STDIN", "UDP4-SENDTO:10.42.0.10:7301");
            p.getOutputStream().write(big);
            p.getOutputStream().close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            StackProcess.sleep(200);
        }
        contains(received.get(30, TimeUnit.SECONDS), "3000 bytes hex " + java.util.HexFormat.of().formatHex(big));
    }

    @Test
    @Order(6)
    void aGuestGetsALeaseFromDhcpdOnTheBridgeAndRoutesWithIt() {
        // The VM booting beside these tests asks the same dhcpd: whichever asks first gets .100, so the guest's
        // address is read from its answer, not assumed.
        String got = g1.ok("dhcpcd -t 20 vt0");
        contains(got, " for 600 seconds from 10.41.0.1", "adding default route via 10.41.0.1");
        java.util.regex.Matcher leased =
                java.util.regex.Pattern.compile("vt0: leased (10\\.41\\.0\\.1[0-2]\\d)/24").matcher(got);
        assertTrue(leased.find(), got);
        String address = leased.group(1);
        String mac = mac(g1, "vt0");
        contains(host.ok("dhcpd -l"), mac + " " + address);
        contains(g1.ok("ping -c 2 -i 0.2 10.42.0.10"), "2 packets received");

        g1.kill(); // killed: no release; the lease stays the guest's ...
        g1.restart();
        g1.awaitRunning("vt0");
        contains(g1.ok("dhcpcd -t 20 vt0"), "vt0: leased " + address + "/24"); // ... and comes back to it, same MAC
        String leases = host.ok("dhcpd -l");
        assertEquals(1, leases.split(mac + " ", -1).length - 1, "one lease for the guest:\n" + leases);
    }

    @Test
    @Order(7)
    void aLinuxVmsBusyboxUdhcpcGetsALeaseFromDhcpdOnTheBridge() {
        VmProcess.assumeQemu();
        vm.awaitReady();
        String console = vm.awaitConsole("pktstack-vm: run 0 exit", java.time.Duration.ofSeconds(60));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("lease of (10\\.41\\.0\\.1\\d\\d) obtained from 10\\.41\\.0\\.1")
                .matcher(console);
        assertTrue(m.find(), console);
        contains(console, "pktstack-vm: run 0 exit 0");
        contains(host.ok("dhcpd -l"), VM_MAC + " " + m.group(1));
    }

    @Test
    @Order(8)
    void busyboxUdhcpcGetsALeaseFromDhcpdOnWm0() throws Exception {
        Path out = root.resolve("udhcpc.out");
        Path script = root.resolve("udhcpc.script");
        Files.writeString(script, "#!/bin/sh\necho \"$1 $ip $subnet $router\" >> " + out + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        LinuxNet.Result r = world.run("busybox", "udhcpc", "-i", tap, "-n", "-q", "-f", "-t", "5", "-T", "2",
                "-s", script.toString());
        assertEquals(0, r.status(), r.out());
        contains(Files.readString(out), "bound 10.43.0.150 255.255.255.0 10.43.0.1");
        String linuxMac = world.in("cat", "/sys/class/net/" + tap + "/address").trim();
        contains(host.ok("dhcpd -l"), linuxMac + " 10.43.0.150     active");
    }

    @Test
    @Order(9)
    void natLetsAGuestReachLinuxWithoutARouteBack() throws Exception {
        world.in("ip", "route", "del", "10.42.0.0/24");
        CtlClient.Response before = g2.ctl("ping -c 1 -W 500 " + LINUX);
        assertNotEquals(0, before.status(), "Linux has no route back to 10.42.0.0/24 yet:\n" + before.out());
        Path conf = root.resolve("pf.conf");
        Files.writeString(conf, "ext_if = \"wm0\"\nnat on $ext_if from 10.42.0.0/24 to any -> ($ext_if)\n");
        contains(host.ok("pfctl -e -f " + conf), "pf enabled");
        contains(g2.ok("ping -c 2 -i 0.2 " + LINUX), "2 packets received");
        Path bad = root.resolve("bad-pf.conf");
        Files.writeString(bad, "nat on wm0 from 10.42.0.0/24 to any -> (wm0)\nnat on wm9 from any to any -> (wm0)\n");
        CtlClient.Response refused = host.ctl("pfctl -f " + bad);
        assertNotEquals(0, refused.status());
        contains(refused.err(), "pfctl: " + bad + ":line 2: no such interface at 'wm9'; rules unchanged");
        assertEquals("nat on wm0 inet from 10.42.0.0/24 to any -> (wm0)\n", host.ok("pfctl -s nat"));

        Process listener = world.start("timeout", "20", "socat", "-u", "UDP4-RECVFROM:7100",
                "SYSTEM:echo from $SOCAT_PEERADDR; cat");
        world.await("ss -uln", o -> o.contains(":7100 "), "socat listening on 7100");
        g2.ok("udp send " + LINUX + " 7100 hello-through-nat");
        String got = new String(listener.getInputStream().readAllBytes());
        assertTrue(listener.waitFor(30, TimeUnit.SECONDS));
        contains(got, "from 10.43.0.1", "hello-through-nat");
        contains(host.ok("pfctl -s state"), "wm0 icmp 10.43.0.1:", "(10.42.0.10:", "wm0 udp 10.43.0.1:");
    }

    @Test
    @Order(10)
    void rdrForwardsAUdpPortOfTheHostToAGuest() throws Exception {
        Path conf = root.resolve("pf.conf");
        Files.writeString(conf, Files.readString(conf)
                + "rdr on $ext_if proto udp from any to ($ext_if) port 7200 -> 10.42.0.10 port 7000\n");
        host.ok("pfctl -f " + conf);
        CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> g2.ok("udp recv -c 1 -t 20 7000"));
        for (int attempt = 0; attempt < 50 && !received.isDone(); attempt++) {
            Process p = world.start("socat", "-u", "STDIN", "UDP4-SENDTO:10.43.0.1:7200");
            p.getOutputStream().write("to-the-guest".getBytes());
            p.getOutputStream().close();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            StackProcess.sleep(200);
        }
        contains(received.get(30, TimeUnit.SECONDS), "from " + LINUX + ":", "text \"to-the-guest\"");
        contains(host.ok("pfctl -s state"), "rule rdr");
    }

    @Test
    @Order(11)
    void rdrForwardsATcpPortOfTheHostToAGuestsServer() throws Exception {
        Path conf = root.resolve("pf.conf");
        Files.writeString(conf, Files.readString(conf)
                + "rdr on $ext_if proto tcp from any to ($ext_if) port 8080 -> 10.42.0.10 port 80\n");
        host.ok("pfctl -f " + conf);
        byte[] data = new byte[1 << 20];
        new java.util.Random(80).nextBytes(data);
        Path file = root.resolve("to-the-guest.bin");
        Files.write(file, data);
        CompletableFuture<String> server = CompletableFuture.supplyAsync(() -> g2.ok("nc -l -t 60 80"));
        g2.await("netstat -a -p tcp", o -> o.contains(".80 ") && o.contains("LISTEN"), "nc listening on 80");
        world.in("timeout", "60", "socat", "-u", "FILE:" + file, "TCP4:10.43.0.1:8080");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        contains(server.get(90, TimeUnit.SECONDS), "connection with " + LINUX + " port",
                "received " + data.length + " bytes sha256 " + sha);
        contains(host.ok("pfctl -s state"), "wm0 tcp 10.42.0.10:80 (10.43.0.1:8080) <- " + LINUX);
    }

    @Test
    @Order(12)
    void linuxConfiguresAnAddressBySlaacFromRtadvd() {
        contains(host.ok("rtadvd wm0"), "rtadvd: advertising on wm0");
        world.in("sysctl", "-q", "-w", "net.ipv6.conf." + tap + ".router_solicitations=3");
        world.await("ip -6 addr show dev " + tap, o -> o.contains("inet6 fd00:43::") && o.contains("dynamic"),
                "a SLAAC address in fd00:43::/64");
        world.await("ip -6 route show default", o -> o.contains("via fe80::") && o.contains("dev " + tap),
                "a default route through the host's link-local address");
    }

    @Test
    @Order(13)
    void aGuestConfiguresAnAddressAndItsDefaultRouterBySlaacWithRtsol() {
        host.ok("rtadvd bridge0");
        contains(g1.ok("rtsol vt0"), "rtsol: vt0: soliciting router advertisements");
        g1.await("ifconfig vt0", o -> o.contains("inet6 fd00:41::"), "a SLAAC address in fd00:41::/64");
        contains(g1.ok("route show"), "default");
        contains(g1.ok("ping -c 2 -i 0.2 fd00:42::10"), "2 packets received");
    }

    static String mac(StackProcess p, String ifName) {
        for (String l : p.ok("ifconfig " + ifName).split("\n")) {
            l = l.trim();
            if (l.startsWith("address:")) {
                return l.substring("address:".length()).trim();
            }
        }
        throw new AssertionError("no MAC for " + ifName);
    }
}
