package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The seed's topology in four processes: the host started with the seed's
 * io-pkt command line (three vdevpeer-net interfaces in bridge0) and three
 * guests with virtio-net. Every guest reaches the host and every other guest,
 * over IPv4 and IPv6; a guest or the host killed with -9 and started again
 * comes back while the rest keep talking.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedTopologyIT {

    static final String[] GUESTS = {"qnx7-guest1", "qnx7-guest2", "linux-guest"};
    /** The seed's command, as one string with its backslash-newline continuations. */
    static final String SEED_VDEVPEER = "peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,\\\n"
            + "peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,\\\n"
            + "peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2";
    static final String[] HOST_SETUP = {"-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 add vp2 up",
        "-c", "ifconfig bridge0 10.20.0.1/24", "-c", "ifconfig bridge0 inet6 fd00:20::1/64"};

    Path root;
    StackProcess host;
    final List<StackProcess> guests = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("pktstack-e2e-seed");
        host = startHost();
        for (int i = 0; i < GUESTS.length; i++) {
            guests.add(startGuest(i));
        }
        for (int i = 0; i < GUESTS.length; i++) {
            guests.get(i).awaitRunning("vt0");
            host.awaitRunning("vp" + i);
        }
    }

    private StackProcess startHost() {
        List<String> args = new ArrayList<>(List.of("-d", "vdevpeer-net", SEED_VDEVPEER));
        args.addAll(List.of(HOST_SETUP));
        return StackProcess.start(root, "host", args.toArray(new String[0]));
    }

    private StackProcess startGuest(int i) {
        return StackProcess.start(root, GUESTS[i], "-d", "virtio-net", "peer=/dev/vdevpeers/vp" + i,
                "-c", "ifconfig vt0 " + v4(i) + "/24", "-c", "ifconfig vt0 inet6 " + v6(i) + "/64");
    }

    static String v4(int guest) {
        return guest < 0 ? "10.20.0.1" : "10.20.0." + (11 + guest);
    }

    static String v6(int guest) {
        return guest < 0 ? "fd00:20::1" : "fd00:20::" + (11 + guest);
    }

    @AfterAll
    void stop() {
        guests.forEach(StackProcess::close);
        if (host != null) {
            host.close();
        }
    }

    private static void assertPing(StackProcess from, String to) {
        CtlClient.Response r = from.ctl("ping -c 2 -i 0.05 -W 2000 " + to);
        assertEquals(0, r.status(), from.name + " -> " + to + ":\n" + r.out() + r.err());
        assertTrue(r.out().contains("bytes from " + to), r.out());
        assertTrue(r.out().contains("2 packets received"), r.out());
    }

    @Test
    @Order(1)
    void everyGuestPingsHostAndEveryOtherGuestOverIpv4() {
        for (int g = 0; g < GUESTS.length; g++) {
            for (int t = -1; t < GUESTS.length; t++) {
                if (t != g) {
                    assertPing(guests.get(g), v4(t));
                }
            }
        }
    }

    @Test
    @Order(2)
    void everyGuestPingsHostAndEveryOtherGuestOverIpv6() {
        for (int g = 0; g < GUESTS.length; g++) {
            for (int t = -1; t < GUESTS.length; t++) {
                if (t != g) {
                    assertPing(guests.get(g), v6(t));
                }
            }
        }
    }

    @Test
    @Order(3)
    void hostPingsEveryGuest() {
        for (int g = 0; g < GUESTS.length; g++) {
            assertPing(host, v4(g));
            assertPing(host, v6(g));
        }
    }

    @Test
    @Order(4)
    void shellShowsWhatHappened() {
        String arp = host.ok("arp -a");
        String ndp = host.ok("ndp -a");
        String bridge = host.ok("brconfig bridge0");
        for (int g = 0; g < GUESTS.length; g++) {
            String mac = macOf(guests.get(g), "vt0");
            assertTrue(arp.contains("(" + v4(g) + ") at " + mac), arp);
            assertTrue(ndp.contains(v6(g)) && ndp.contains(mac), ndp);
            // The bridge learned each guest's MAC behind its own vpN.
            assertTrue(bridge.contains(mac + " vp" + g + " "), bridge);
        }
        String nic = host.ok("nicinfo vp1");
        assertTrue(nic.contains("vdevpeer-net") && nic.contains("Link is                       : up"), nic);
        // A pktstack guest takes the modern header, event-index suppression, checksum and segmentation offload.
        assertTrue(nic.contains("Features negotiated           : CSUM GUEST_CSUM GUEST_TSO4 GUEST_TSO6 HOST_TSO4 HOST_TSO6 MRG_RXBUF EVENT_IDX PROTOCOL_FEATURES VERSION_1"),
                nic);
        assertTrue(nic.contains("Peer                          : /dev/qvm/qnx7-guest2/p2p"), nic);
        // The guest's frames go on its rings where they lie (its pools shared with the host): one copy per hop.
        String guestNic = guests.get(1).ok("nicinfo vt0");
        assertTrue(guestNic.contains("received in place, sent in place (pools shared)"), guestNic);
        Matcher onRings = Pattern.compile("(\\d+) frames on links' rings").matcher(guests.get(1).ok("netstat -m"));
        assertTrue(onRings.find() && Integer.parseInt(onRings.group(1)) > 0, "no frame of the pool on the rings");
        String drivers = host.ok("drivers");
        assertTrue(drivers.contains("vdevpeer-net") && drivers.contains("vp0,vp1,vp2"), drivers);
        String counters = host.ok("netstat -i");
        Matcher m = Pattern.compile("(?m)^vp0\\s+\\d+\\s+\\S+\\s+(\\d+)\\s+\\d+\\s+\\d+\\s+(\\d+)").matcher(counters);
        assertTrue(m.find(), counters);
        assertTrue(Long.parseLong(m.group(1)) > 0 && Long.parseLong(m.group(2)) > 0, counters);
    }

    @Test
    @Order(5)
    void binPktstackCtlReportsSuccessAndFailure() {
        CtlClient.Response ok = StackProcess.ctlCommand(root, "qnx7-guest1", "ping", "-c", "1", "10.20.0.1");
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertTrue(ok.out().contains("1 packets received"), ok.out());
        // A ping with no reply is a failure.
        CtlClient.Response lost = StackProcess.ctlCommand(root, "qnx7-guest1", "ping", "-c", "1", "-W", "300", "10.20.0.99");
        assertNotEquals(0, lost.status());
        assertTrue(lost.err().contains("0 packets received"), lost.err());
        CtlClient.Response bad = StackProcess.ctlCommand(root, "host", "ifconfig", "vp0", "bogus");
        assertNotEquals(0, bad.status());
        assertTrue(bad.err().contains("'bogus'"), bad.err());
        CtlClient.Response nobody = StackProcess.ctlCommand(root, "no-such-instance", "ifconfig");
        assertNotEquals(0, nobody.status());
        assertTrue(nobody.err().contains("no-such-instance"), nobody.err());
    }

    /** Frames in use, from {@code netstat -m}. */
    static int framesInUse(StackProcess p) {
        Matcher m = Pattern.compile("(\\d+)/(\\d+)/(\\d+) frames in use").matcher(p.ok("netstat -m"));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    @Test
    @Order(6)
    void killedGuestTakesItsPeerInterfaceDownAndComesBack() {
        StackProcess g1 = guests.get(0);
        // Nothing is in flight between pings: every frame is back in the pool.
        assertEquals(0, framesInUse(host));
        g1.kill();
        host.awaitDown("vp0");
        // The others keep talking, through the host bridge.
        assertPing(guests.get(1), v4(2));
        assertPing(guests.get(2), v6(1));
        assertPing(guests.get(1), v4(-1));
        g1.restart();
        g1.awaitRunning("vt0");
        host.awaitRunning("vp0");
        assertPing(g1, v4(-1));
        assertPing(g1, v4(2));
        assertPing(guests.get(1), v6(0));
        // The link went down with traffic around it and came back: no frame was lost.
        assertEquals(0, framesInUse(host));
        assertEquals(0, framesInUse(guests.get(1)));
    }

    @Test
    @Order(7)
    void killedHostTakesGuestLinksDownAndComesBack() {
        host.kill();
        for (StackProcess g : guests) {
            g.awaitDown("vt0");
        }
        host.restart();
        for (int i = 0; i < GUESTS.length; i++) {
            host.awaitRunning("vp" + i);
            guests.get(i).awaitRunning("vt0");
        }
        assertPing(guests.get(0), v4(-1));
        assertPing(guests.get(2), v6(0));
        for (StackProcess g : guests) {
            assertEquals(0, framesInUse(g), g.name + " lost frames across the host's restart");
        }
        assertFalse(host.logText().contains("Exception"), host.logText());
    }

    private static String macOf(StackProcess p, String ifName) {
        Matcher m = Pattern.compile("address: ([0-9a-f:]{17})").matcher(p.ok("ifconfig " + ifName));
        assertTrue(m.find());
        return m.group(1);
    }
}
