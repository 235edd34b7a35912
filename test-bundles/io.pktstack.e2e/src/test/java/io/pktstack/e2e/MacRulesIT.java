package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A MAC is unique in its segment: the host bridge and every station attached
 * to it. A second guest behind the same bridge with a MAC already in use has
 * its link refused, naming both interfaces, while the first keeps working.
 */
class MacRulesIT {

    @Test
    void aGuestMacAlreadyUsedBehindTheBridgeIsRefused() throws Exception {
        Path root = Files.createTempDirectory("pktstack-e2e-mac");
        try (StackProcess host = StackProcess.start(root, "host", "-d", "vdevpeer-net",
                "peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/g2/p2p,bind=/dev/vdevpeers/vp1",
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 up",
                "-c", "ifconfig bridge0 10.50.0.1/24");
             StackProcess g1 = StackProcess.start(root, "g1", "-d", "virtio-net",
                "peer=/dev/vdevpeers/vp0,mac=02:00:00:00:50:01", "-c", "ifconfig vt0 10.50.0.2/24")) {
            host.awaitRunning("vp0");
            g1.ok("ping -c 1 10.50.0.1");
            try (StackProcess g2 = StackProcess.start(root, "g2", "-d", "virtio-net",
                    "peer=/dev/vdevpeers/vp1,mac=02:00:00:00:50:01", "-c", "ifconfig vt0 10.50.0.3/24")) {
                String nic = host.await("nicinfo vp1", o -> o.contains("Refused"), "vp1 to be refused");
                assertTrue(nic.contains("02:00:00:00:50:01") && nic.contains("vp1's peer") && nic.contains("vp0's peer"), nic);
                assertTrue(host.ok("ifconfig vp1").contains("no carrier"));
                assertEquals(1, g2.ctl("ping -c 1 -W 500 10.50.0.1").status(), "the refused guest must not get through");
                g1.ok("ping -c 1 10.50.0.1"); // the first guest is unaffected
            }
        }
    }
}
