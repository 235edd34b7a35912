package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Two guests whose virtio-net devices name each other: peer to peer, no host stack in between. */
class PeerToPeerIT {

    @Test
    void twoGuestsPeeredDirectlyPingEachOther() throws Exception {
        Path root = Files.createTempDirectory("pktstack-e2e-p2p");
        try (StackProcess a = StackProcess.start(root, "guest-a", "-d", "virtio-net", "peer=/dev/qvm/guest-b/p2p",
                "-c", "ifconfig vt0 10.30.0.1/24", "-c", "ifconfig vt0 inet6 fd00:30::1/64");
             StackProcess b = StackProcess.start(root, "guest-b", "-d", "virtio-net", "peer=/dev/qvm/guest-a/p2p",
                "-c", "ifconfig vt0 10.30.0.2/24", "-c", "ifconfig vt0 inet6 fd00:30::2/64")) {
            a.awaitRunning("vt0");
            b.awaitRunning("vt0");
            for (String[] pair : new String[][] {{"a", "10.30.0.2"}, {"b", "10.30.0.1"}, {"a", "fd00:30::2"}, {"b", "fd00:30::1"}}) {
                StackProcess from = pair[0].equals("a") ? a : b;
                CtlClient.Response r = from.ctl("ping -c 2 -i 0.05 " + pair[1]);
                assertEquals(0, r.status(), r.out() + r.err());
                assertTrue(r.out().contains("2 packets received"), r.out());
            }
            // Peer to peer: each side's node is the other's peer. guest-a's node sorts first, so it
            // connected and serves guest-b's rings as the vhost-user back-end; guest-b is the front-end.
            String na = a.ok("nicinfo vt0");
            String nb = b.ok("nicinfo vt0");
            assertTrue(na.contains("/dev/qvm/guest-b/p2p") && nb.contains("/dev/qvm/guest-a/p2p"));
            assertTrue(na.contains("Vhost-user role               : back-end (device)"), na);
            assertTrue(nb.contains("Vhost-user role               : front-end (driver)"), nb);
            assertTrue(na.contains("Connects to peer              : yes"), na);
            assertTrue(nb.contains("Connects to peer              : no"), nb);
        }
    }

    @Test
    void aMacUsedOnBothEndsOfALinkIsRefusedNamingBoth() throws Exception {
        Path root = Files.createTempDirectory("pktstack-e2e-p2p-mac");
        try (StackProcess a = StackProcess.start(root, "ga", "-d", "virtio-net", "peer=/dev/qvm/gb/p2p,mac=02:00:00:00:00:01");
             StackProcess b = StackProcess.start(root, "gb", "-d", "virtio-net", "peer=/dev/qvm/ga/p2p,mac=02:00:00:00:00:01")) {
            String msg = a.await("nicinfo vt0", o -> o.contains("collides"), "the collision to be reported");
            assertTrue(msg.contains("/dev/qvm/ga/p2p") && msg.contains("/dev/qvm/gb/p2p"), msg);
            assertTrue(a.ok("ifconfig vt0").contains("no carrier"));
            assertTrue(b.ok("ifconfig vt0").contains("no carrier"));
        }
    }

    @Test
    void anAssignedMacWithoutTheLocalBitIsAcceptedWithAWarning() throws Exception {
        Path root = Files.createTempDirectory("pktstack-e2e-p2p-warn");
        try (StackProcess a = StackProcess.start(root, "ga", "-d", "virtio-net", "peer=/dev/qvm/gb/p2p,mac=00:11:22:33:44:55")) {
            assertTrue(a.ok("ifconfig vt0").contains("00:11:22:33:44:55"));
            assertTrue(a.logText().contains("does not have the locally administered bit set"), a.logText());
        }
    }
}
