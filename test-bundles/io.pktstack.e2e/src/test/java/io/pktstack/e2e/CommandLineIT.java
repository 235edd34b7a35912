package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad command lines: each one exits with status 2 and a message that names the
 * bad token, and leaves nothing started (no bound device nodes).
 */
class CommandLineIT {

    Path root;

    @BeforeEach
    void root() throws IOException {
        root = Files.createTempDirectory("pktstack-e2e-cli");
    }

    private CtlClient.Response refused(String... args) {
        CtlClient.Response r = StackProcess.run(root, args);
        assertEquals(2, r.status(), "expected exit 2 for " + String.join(" ", args) + ":\n" + r.out() + r.err());
        assertTrue(r.err().contains("pktstack: error:"), r.err());
        return r;
    }

    private void assertNothingBound() throws IOException {
        Path dev = root.resolve("dev");
        if (Files.exists(dev)) {
            try (Stream<Path> s = Files.walk(dev)) {
                assertFalse(s.anyMatch(p -> !Files.isDirectory(p)), "a device node was left bound under " + dev);
            }
        }
    }

    @Test
    void unknownDriverListsTheKnownOnes() throws IOException {
        CtlClient.Response r = refused("-d", "e1001", "mac=020000000001");
        assertTrue(r.err().contains("unknown driver 'e1001'"), r.err());
        assertTrue(r.err().contains("virtio-net") && r.err().contains("vdevpeer-net"), r.err());
        assertNothingBound();
    }

    @Test
    void bindWithoutPeer() throws IOException {
        CtlClient.Response r = refused("-d", "vdevpeer-net", "bind=/dev/vdevpeers/vp0");
        assertTrue(r.err().contains("'bind=/dev/vdevpeers/vp0' without a peer="), r.err());
        assertNothingBound();
    }

    @Test
    void malformedMac() throws IOException {
        CtlClient.Response r = refused("-d", "virtio-net", "peer=/dev/vdevpeers/vp0,mac=aa:bb:cc:dd:ee");
        assertTrue(r.err().contains("aa:bb:cc:dd:ee"), r.err());
        assertNothingBound();
    }

    @Test
    void multicastMacIsRefused() throws IOException {
        CtlClient.Response r = refused("-d", "vdevpeer-net", "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0,mac=010000000001");
        assertTrue(r.err().contains("multicast"), r.err());
        assertNothingBound();
    }

    @Test
    void pathOutsideTheDeviceRoot() throws IOException {
        CtlClient.Response r = refused("-d", "virtio-net", "peer=/dev/../../etc/passwd");
        assertTrue(r.err().contains("/dev/../../etc/passwd") && r.err().contains("outside the device root"), r.err());
        assertNothingBound();
    }

    @Test
    void unknownSuboption() throws IOException {
        CtlClient.Response r = refused("-d", "vdevpeer-net", "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0,speed=100");
        assertTrue(r.err().contains("unknown option 'speed=100'"), r.err());
        assertNothingBound();
    }

    @Test
    void unknownLauncherOption() {
        CtlClient.Response r = refused("--rooot", "/tmp", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0");
        assertTrue(r.err().contains("'--rooot'"), r.err());
    }

    @Test
    void aBadSecondDriverLeavesTheFirstUnstarted() throws IOException {
        CtlClient.Response r = refused("-d", "vdevpeer-net", "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0",
                "-d", "virtio-net", "peer=/dev/vdevpeers/vp0,bogus=1");
        assertTrue(r.err().contains("'bogus=1'"), r.err());
        assertNothingBound();
    }

    @Test
    void aDriverThatFailsToStartRollsBackTheOthers() throws IOException {
        try (StackProcess first = StackProcess.start(root, "first", "-d", "vdevpeer-net",
                "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0")) {
            // The second instance's second driver finds its bind path taken: its first driver must not stay up.
            CtlClient.Response r = StackProcess.run(root, "--name", "second",
                    "-d", "vdevpeer-net", "peer=/dev/qvm/h/p2p,bind=/dev/vdevpeers/vp7",
                    "-d", "vdevpeer-net", "peer=/dev/qvm/g2/p2p,bind=/dev/vdevpeers/vp0");
            assertEquals(2, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("/dev/vdevpeers/vp0") && r.err().contains("in use"), r.err());
            assertFalse(Files.exists(root.resolve("dev/vdevpeers/vp7")), "vp7 was left bound");
            assertTrue(first.alive());
            assertTrue(first.ok("ifconfig vp0").contains("vp0"));
        }
    }

    @Test
    void failingStartupCommandStopsTheInstance() {
        CtlClient.Response r = refused("-d", "virtio-net", "peer=/dev/vdevpeers/vp0", "-c", "ifconfig vt9 10.0.0.1/24");
        assertTrue(r.err().contains("vt9"), r.err());
    }
}
