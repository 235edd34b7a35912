package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A guest with {@code -d passthrough if=VETH} owns a Linux link: it talks to
 * the namespace at the other end directly, with no host stack running at all,
 * and while it holds the device a host's {@code -d e1000} on it is refused with
 * the owner named, and the other way round. A claim dies with its holder, even
 * after kill -9.
 */
class PassthroughIT {

    @Test
    void aPassthroughGuestTalksToLinuxAndOwnsTheDevice() throws Exception {
        Path root = Files.createTempDirectory("pktstack-e2e-passthrough");
        try (LinuxNet world = LinuxNet.create("pass")) {
            String dev = LinuxNet.linkName("pta");
            String peer = LinuxNet.linkName("ptb");
            world.veth(dev, peer);
            world.address(peer, "10.31.0.100/24", "fd00:31::100/64");

            try (StackProcess guest = StackProcess.start(root, "pguest", "-d", "passthrough", "if=" + dev,
                    "-c", "ifconfig wm0 10.31.0.5/24", "-c", "ifconfig wm0 inet6 fd00:31::5/64")) {
                guest.awaitRunning("wm0");
                assertTrue(world.ping("-c", "2", "-i", "0.2", "10.31.0.5").contains("2 received"));
                assertTrue(world.ping("-c", "2", "-i", "0.2", "fd00:31::5").contains("2 received"));
                assertTrue(guest.ok("ping -c 2 -i 0.2 10.31.0.100").contains("2 packets received"));
                assertTrue(guest.ok("ping -c 2 -i 0.2 fd00:31::100").contains("2 packets received"));
                String info = guest.ok("nicinfo wm0");
                assertTrue(info.contains("passthrough") && info.contains("if=" + dev), info);

                // The host may not take the guest's device: at start-up, nor on a running host.
                CtlClient.Response refused = StackProcess.run(root, "--name", "phost", "-d", "e1000", "if=" + dev);
                assertNotEquals(0, refused.status());
                String text = refused.out() + refused.err();
                assertTrue(text.contains("if=" + dev) && text.contains("passthrough") && text.contains("'pguest'"), text);
                try (StackProcess host = StackProcess.start(root, "phost", "-c", "ifconfig lo0")) {
                    CtlClient.Response mount = host.ctl("mount e1000 if=" + dev);
                    assertNotEquals(0, mount.status());
                    assertTrue((mount.out() + mount.err()).contains("'pguest'"), mount.out() + mount.err());
                    assertTrue(host.ok("ifconfig -a").lines().noneMatch(l -> l.startsWith("wm0")), "no wm0 half made");

                    // kill -9 the guest: its claim goes with it, and the host now gets the device.
                    guest.kill();
                    host.ok("mount e1000 if=" + dev);
                    host.awaitRunning("wm0");
                    host.ok("ifconfig wm0 10.31.0.1/24");
                    assertTrue(world.ping("-c", "2", "-i", "0.2", "10.31.0.1").contains("2 received"));

                    // And now the guest is the one refused, told who holds the device.
                    CtlClient.Response back = StackProcess.run(root, "--name", "pguest2", "-d", "passthrough", "if=" + dev);
                    assertNotEquals(0, back.status());
                    String t = back.out() + back.err();
                    assertTrue(t.contains("e1000") && t.contains("'phost'"), t);
                }
            }
        }
    }
}
