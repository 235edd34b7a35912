package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * The seed's host line verbatim with real VMs: {@code linux-guest} and
 * {@code qnx7-guest2} are Linux VMs under QEMU on vhost-user,
 * {@code qnx7-guest1} a pktstack guest, and {@code wm0} a TAP device moved
 * into a network namespace that plays the world, all in {@code bridge0}. The
 * host, the pktstack guest and Linux ping the VM and are pinged by it (its own
 * pings, {@code --run} commands, checked on its console), Linux fetches the
 * VM's web page through wm0 → bridge0 → vp2 and talks to its TCP echo, the two
 * VMs reach each other; then the VM is killed and started again, and the host
 * is killed and started again while the VMs keep running: the links come
 * back and the other guests lose nothing.
 *
 * <p>Booted once for all the tests (QEMU emulates the CPU here, so a boot
 * takes seconds); the timeouts are generous.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmGuestIT {

    static final String SEED_VDEVPEER = "peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,"
            + "peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,"
            + "peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2";
    static final String HOST = "10.44.0.1";
    static final String GUEST1 = "10.44.0.11";
    static final String VM2 = "10.44.0.12";
    static final String VM = "10.44.0.13";
    static final String LINUX = "10.44.0.100";
    static final Duration RUN = Duration.ofSeconds(240);

    LinuxNet world;
    String tap;
    Path root;
    StackProcess host;
    StackProcess guest1;
    VmProcess vm;
    VmProcess vm2;

    /** A --run command: waits (bounded) until {@code target} answers, then pings it three times. */
    static String pingWhenUp(String target) {
        return "i=0; until ping -c 1 -W 1 " + target + " >/dev/null; do i=$((i+1)); [ $i -lt 180 ] || exit 1; sleep 1; done; "
                + "ping -c 3 " + target;
    }

    @BeforeAll
    void start() throws Exception {
        VmProcess.assumeQemu();
        world = LinuxNet.create("vmworld");
        tap = LinuxNet.linkName("vmw");
        root = Files.createTempDirectory("pktstack-e2e-vm");
        host = startHost();
        world.adopt(tap);
        world.address(tap, LINUX + "/24", "fd00:44::100/64");
        guest1 = StackProcess.start(root, "qnx7-guest1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                "-c", "ifconfig vt0 " + GUEST1 + "/24", "-c", "ifconfig vt0 inet6 fd00:44::11/64");
        vm = startVm();
        vm2 = VmProcess.start(root, "qnx7-guest2", "--ip", VM2 + "/24", "--ip6", "fd00:44::12/64",
                "--run", pingWhenUp(VM));
        vm.awaitReady();
        vm2.awaitReady();
        for (int i = 0; i < 3; i++) {
            host.awaitRunning("vp" + i);
        }
        host.awaitRunning("wm0");
        guest1.awaitRunning("vt0");
    }

    private StackProcess startHost() {
        List<String> args = new ArrayList<>(List.of("-d", "vdevpeer-net", SEED_VDEVPEER, "-d", "e1000", "tap=" + tap,
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add wm0 add vp0 add vp1 add vp2 up",
                "-c", "ifconfig bridge0 " + HOST + "/24", "-c", "ifconfig bridge0 inet6 fd00:44::1/64"));
        return StackProcess.start(root, "host", args.toArray(new String[0]));
    }

    private VmProcess startVm() {
        return VmProcess.start(root, "linux-guest", "--ip", VM + "/24", "--ip6", "fd00:44::13/64",
                "--run", pingWhenUp(HOST), "--run", pingWhenUp(GUEST1), "--run", pingWhenUp(LINUX),
                "--run", pingWhenUp(VM2),
                "--run", "dd if=/dev/urandom of=/www/big bs=64k count=32 2>/dev/null; sha256sum /www/big");
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {vm, vm2, guest1, host, world}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void assertPing(StackProcess from, String to) {
        CtlClient.Response r = from.ctl("ping -c 2 -i 0.2 -W 3000 " + to);
        assertEquals(0, r.status(), from.name + " -> " + to + ":\n" + r.out() + r.err());
        assertTrue(r.out().contains("2 packets received"), r.out());
    }

    /** The VM's --run command {@code n} pinged {@code target} three times and all came back. */
    private void assertVmPinged(VmProcess v, int n, String target) {
        String console = v.awaitConsole("pktstack-vm: run " + n + " exit", RUN);
        String where = v.name + " -> " + target + ":\n" + console + "\nhost:\n" + host.ok("nicinfo vp1")
                + host.ok("nicinfo vp2") + host.ok("nicinfo vp0");
        assertTrue(console.contains("pktstack-vm: run " + n + " exit 0"), where);
        assertTrue(console.contains("--- " + target + " ping statistics ---\n3 packets transmitted, 3 packets received"),
                where);
    }

    @Test
    @Order(1)
    void hostAndVmPingEachOther() {
        assertPing(host, VM);
        assertPing(host, "fd00:44::13");
        assertVmPinged(vm, 0, HOST);
    }

    @Test
    @Order(2)
    void pktstackGuestAndVmPingEachOther() {
        assertPing(guest1, VM);
        assertPing(guest1, "fd00:44::13");
        assertVmPinged(vm, 1, GUEST1);
    }

    @Test
    @Order(3)
    void linuxAndVmPingEachOtherAndLinuxFetchesTheVmsPage() {
        for (String dst : List.of(VM, "fd00:44::13")) {
            String out = world.ping("-c", "2", "-i", "0.2", dst);
            assertTrue(out.contains("2 received"), out);
        }
        assertVmPinged(vm, 2, LINUX);
        // Linux -> wm0 -> bridge0 -> vp2 -> the VM's httpd, and its TCP echo on port 7.
        String page = world.in("curl", "-s", "-m", "20", "http://" + VM + "/");
        assertTrue(page.contains("<h1>linux-guest</h1>"), page);
        String echo = world.in("sh", "-c", "echo pktstack-echo | socat -t 5 - TCP:" + VM + ":7");
        assertEquals("pktstack-echo", echo.strip());
    }

    @Test
    @Order(4)
    void twoVmsOnTheBridgeReachEachOther() {
        assertVmPinged(vm, 3, VM2);
        assertVmPinged(vm2, 0, VM);
        String bridge = host.ok("brconfig bridge0");
        assertTrue(bridge.contains(" vp1 ") && bridge.contains(" vp2 "), bridge);
        String nic = host.ok("nicinfo vp2");
        assertTrue(nic.contains("qemu-system-x86"), nic);
        assertTrue(nic.contains("MRG_RXBUF") && nic.contains("EVENT_IDX") && nic.contains("VERSION_1"), nic);
        assertTrue(nic.contains("Resets: ring rules/protocol   : 0/0"), nic);
    }

    @Test
    @Order(5)
    void aLargeDownloadFromTheVmCrossesTheHostWholeAndIsCutToTheMtuForTheWire() {
        // The VM's TCP sends segments of up to 64 KiB (HOST_TSO4 negotiated): the host takes each whole into
        // one large frame, and cuts it only where it leaves for the wire (wm0, a TAP without TSO).
        String console = vm.awaitConsole("pktstack-vm: run 4 exit", RUN);
        Matcher sum = Pattern.compile("([0-9a-f]{64})  /www/big").matcher(console);
        assertTrue(sum.find(), console);
        String fetched = world.in("sh", "-c", "curl -s -m 120 http://" + VM + "/big | sha256sum");
        assertEquals(sum.group(1), fetched.strip().split("\\s+")[0], "2 MiB through wm0 byte for byte");
        Matcher whole = Pattern.compile("Rx: large segments passed whole / cut for want of a large frame: (\\d+)/(\\d+)")
                .matcher(host.ok("nicinfo vp2"));
        assertTrue(whole.find());
        assertTrue(Long.parseLong(whole.group(1)) > 0, "large segments crossed whole: " + whole.group());
        Matcher cut = Pattern.compile("Large segments cut in software for this link: (\\d+)").matcher(host.ok("nicinfo wm0"));
        assertTrue(cut.find() && Long.parseLong(cut.group(1)) > 0, "cut for the wire: " + host.ok("nicinfo wm0"));
    }

    @Test
    @Order(6)
    void aVmKilledAndStartedAgainComesBackAndTheOthersLoseNothing() {
        assertEquals(0, SeedTopologyIT.framesInUse(guest1));
        vm.kill();
        host.awaitDown("vp2");
        // The others keep talking meanwhile.
        assertPing(guest1, HOST);
        assertPing(host, VM2);
        assertPing(guest1, VM2);
        vm.restart();
        host.awaitRunning("vp2");
        assertPing(host, VM);
        assertPing(guest1, VM);
        assertVmPinged(vm, 0, HOST);
        assertEquals(0, SeedTopologyIT.framesInUse(guest1), "the pktstack guest lost frames");
        assertTrue(host.ok("nicinfo vp2").contains("Sessions                      : 2"), host.ok("nicinfo vp2"));
    }

    @Test
    @Order(7)
    void aHostKilledAndStartedAgainWhileTheVmsRunComesBack() {
        host.kill();
        guest1.awaitDown("vt0");
        assertTrue(vm.alive() && vm2.alive(), "the VMs keep running without their host");
        host.restart();
        for (int i = 0; i < 3; i++) {
            host.awaitRunning("vp" + i);
        }
        guest1.awaitRunning("vt0");
        // QEMU set its device up again with the new back-end: both VMs answer.
        assertPing(host, VM);
        assertPing(host, VM2);
        assertPing(guest1, VM);
        // The host's TAP device is new: hand it to the world again.
        world.adopt(tap);
        world.address(tap, LINUX + "/24", "fd00:44::100/64");
        host.awaitRunning("wm0");
        String out = world.ping("-c", "2", "-i", "0.2", VM);
        assertTrue(out.contains("2 received"), out);
        assertEquals(0, SeedTopologyIT.framesInUse(guest1), "the pktstack guest lost frames across the host's restart");
        assertFalse(host.logText().contains("Exception"), host.logText());
        Matcher m = Pattern.compile("Resets: ring rules/protocol\\s+: (\\d+)/(\\d+)").matcher(host.ok("nicinfo vp2"));
        assertTrue(m.find());
        assertEquals("0/0", m.group(1) + "/" + m.group(2));
    }
}
