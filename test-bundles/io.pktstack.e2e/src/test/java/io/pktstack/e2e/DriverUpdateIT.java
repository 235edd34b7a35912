package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A driver bundle updated in place through {@code ctl} (the operator's
 * {@code update ID}, with and without a URL) brings its interfaces back as
 * they were: same MACs, addresses and bridge membership, and the guests reach
 * the host again without anyone re-adding anything. {@code umount} of one
 * interface of a multi-interface instance removes that one only, and says so.
 */
class DriverUpdateIT {

    private static final String VDEVPEER = "peer=/dev/qvm/ug1/p2p,bind=/dev/vdevpeers/vp0,"
            + "peer=/dev/qvm/ug2/p2p,bind=/dev/vdevpeers/vp1";

    private static String mac(StackProcess p, String ifName) {
        Matcher m = Pattern.compile("address: ([0-9a-f:]{17})").matcher(p.ok("ifconfig " + ifName));
        assertTrue(m.find(), ifName);
        return m.group(1);
    }

    private static long bundleId(StackProcess p, String symbolicName) {
        for (String line : p.ok("lb -s").split("\n")) {
            String[] f = line.split("\\|");
            if (f.length >= 4 && f[3].strip().startsWith(symbolicName)) {
                return Long.parseLong(f[0].strip());
            }
        }
        throw new AssertionError("no bundle " + symbolicName + " in:\n" + p.ok("lb -s"));
    }

    private static void pings(StackProcess from, String to) {
        from.await("ping -c 1 -W 500 " + to, o -> o.contains("1 packets received"), from.name + " reaching " + to);
    }

    private static long sessions(StackProcess p, String ifName) {
        Matcher m = Pattern.compile("Sessions\\s+: (\\d+)").matcher(p.ok("nicinfo " + ifName));
        assertTrue(m.find(), p.ok("nicinfo " + ifName));
        return Long.parseLong(m.group(1));
    }

    @Test
    void anUpdatedDriverBringsItsInterfacesBackAsTheyWere() throws Exception {
        Path root = Files.createTempDirectory("pktstack-e2e-update");
        try (StackProcess host = StackProcess.start(root, "uhost", "-d", "vdevpeer-net", VDEVPEER,
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 up",
                "-c", "ifconfig bridge0 10.61.0.1/24", "-c", "ifconfig vp0 inet6 fd00:61::1/64");
             StackProcess g1 = StackProcess.start(root, "ug1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                     "-c", "ifconfig vt0 10.61.0.11/24", "-c", "ifconfig vt0 inet6 fd00:61::11/64");
             StackProcess g2 = StackProcess.start(root, "ug2", "-d", "virtio-net", "peer=/dev/vdevpeers/vp1",
                     "-c", "ifconfig vt0 10.61.0.12/24")) {
            host.awaitRunning("vp0");
            host.awaitRunning("vp1");
            pings(g1, "10.61.0.1");
            pings(g2, "10.61.0.11");
            pings(g1, "fd00:61::1");
            String vp0 = mac(host, "vp0");
            String vp1 = mac(host, "vp1");
            long id = bundleId(host, "io.pktstack.driver.vdevpeer");

            // The operator's plain update: the bundle is read again from where it was installed.
            CtlClient.Response plain = StackProcess.ctlCommand(root, "uhost", "update", Long.toString(id));
            assertEquals(0, plain.status(), plain.out() + plain.err());
            assertFalse((plain.out() + plain.err()).contains("ERROR"), plain.out() + plain.err());
            host.awaitRunning("vp0");
            host.awaitRunning("vp1");
            assertKept(host, vp0, vp1);
            pings(g1, "10.61.0.1");
            pings(g2, "10.61.0.11");
            pings(g1, "fd00:61::1");

            // With a URL: the driver repository's jar, as a new build would put it there.
            Path jar;
            try (var files = Files.list(StackProcess.TOP.resolve("bndrun/target/drivers"))) {
                jar = files.filter(f -> f.getFileName().toString().startsWith("io.pktstack.driver.vdevpeer"))
                        .findFirst().orElseThrow();
            }
            CtlClient.Response withUrl = StackProcess.ctlCommand(root, "uhost", "update", Long.toString(id),
                    jar.toUri().toString());
            assertEquals(0, withUrl.status(), withUrl.out() + withUrl.err());
            assertFalse((withUrl.out() + withUrl.err()).contains("ERROR"), withUrl.out() + withUrl.err());
            host.awaitRunning("vp0");
            host.awaitRunning("vp1");
            assertKept(host, vp0, vp1);
            pings(g1, "10.61.0.1");
            pings(g2, "10.61.0.11");

            // umount of one interface takes that one only; vp0's guest link is not even reset.
            long before = sessions(host, "vp0");
            CtlClient.Response umount = StackProcess.ctlCommand(root, "uhost", "umount", "vp1");
            assertEquals(0, umount.status(), umount.err());
            assertTrue(umount.out().contains("removed vp1; vdevpeer-net.0 keeps vp0"), umount.out());
            assertFalse(host.ok("ifconfig").contains("vp1:"));
            assertEquals(before, sessions(host, "vp0"), "vp0's session was reset");
            assertEquals(vp0, mac(host, "vp0"));
            pings(g1, "10.61.0.1");
            g2.awaitDown("vt0");

            // Its last interface stops an instance, and that is said too.
            CtlClient.Response destroy = StackProcess.ctlCommand(root, "uhost", "ifconfig", "vp0", "destroy");
            assertEquals(0, destroy.status(), destroy.err());
            assertTrue(destroy.out().contains("removed vp0; stopped driver instance vdevpeer-net.0"), destroy.out());
            assertFalse(host.ok("drivers").contains("vdevpeer-net.0"));
            assertFalse(host.logText().contains("Exception"), host.logText());
        }
    }

    private static void assertKept(StackProcess host, String vp0, String vp1) {
        assertEquals(vp0, mac(host, "vp0"), "vp0's MAC");
        assertEquals(vp1, mac(host, "vp1"), "vp1's MAC");
        String br = host.ok("brconfig bridge0");
        assertTrue(br.contains("vp0 flags") && br.contains("vp1 flags"), br);
        assertTrue(host.ok("ifconfig vp0").contains("inet6 fd00:61::1 prefixlen 64"), host.ok("ifconfig vp0"));
    }
}
