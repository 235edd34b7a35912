package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control socket and the instance's identity against misuse: clients that
 * hold connections until the instance runs out of descriptors, arguments that
 * a shell would interpret, a second instance of the same name, a root whose
 * paths the OS cannot take; and where log lines raised during a request go.
 */
class ControlSocketIT {

    Path root;

    @BeforeEach
    void root() throws IOException {
        root = Files.createTempDirectory("pktstack-e2e-ctl");
    }

    private long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(root.resolve("run").resolve(name + ".pid")).strip());
    }

    private static long openFds(long pid) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return s.count();
        }
    }

    private static long threads(long pid) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("Threads:")) {
                return Long.parseLong(l.substring(8).strip());
            }
        }
        throw new AssertionError("no Threads line for " + pid);
    }

    /**
     * The probe's case: clients hold connections until accept fails with "Too
     * many open files". The server must survive that, refuse what it cannot
     * take at once, drop idle clients, and answer again once they are gone.
     */
    @Test
    void runningOutOfDescriptorsDoesNotEndTheControlServer() throws Exception {
        try (StackProcess host = StackProcess.start(root, "fdhost")) {
            long pid = pid("fdhost");
            long before = openFds(pid);
            long threadsBefore = threads(pid);
            // Leave the instance 24 spare descriptors, fewer than the requests it would serve at once.
            exec("prlimit", "--pid", Long.toString(pid), "--nofile=" + (before + 24) + ":");
            // On one CPU its accepting thread runs out of descriptors before any request has waited for input,
            // so the JDK's poller for virtual threads' I/O would first start with none left (it failed for good).
            exec("taskset", "-a", "-p", "-c", "0", Long.toString(pid));
            List<SocketChannel> held = new ArrayList<>();
            Path socket = root.resolve("run/fdhost.ctl");
            try {
                for (int i = 0; i < 2000; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.configureBlocking(false); // a full backlog must not block the test
                    if (!c.connect(UnixDomainSocketAddress.of(socket)) && !c.finishConnect()) {
                        c.close();
                        continue;
                    }
                    held.add(c);
                }
            } catch (IOException e) {
                // the backlog filled: what is held is enough
            }
            // The instance accepts until its descriptors run out, then the listen backlog (64) fills: past that,
            // connecting fails at once. Either way the instance has met "Too many open files".
            assertTrue(held.size() > 40, "held only " + held.size());
            StackProcess.sleep(1500);
            assertTrue(openFds(pid) <= before + 24, "descriptors " + openFds(pid));
            assertTrue(threads(pid) < threadsBefore + 40, "threads grew from " + threadsBefore + " to " + threads(pid));
            for (SocketChannel c : held) {
                c.close();
            }
            // Idle clients are dropped after 10 s; within a few more seconds the instance answers again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            CtlClient.Response r;
            do {
                r = StackProcess.ctlCommand(root, "fdhost", "ifconfig", "lo0");
            } while (r.status() != 0 && System.nanoTime() < deadline);
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("lo0"), r.out());
            assertTrue(host.logText().contains("control socket"), "the trouble was not logged:\n" + host.logText());
            assertTrue(openFds(pid) <= before + 4, "descriptors left open: " + openFds(pid) + " > " + before);
        }
    }

    @Test
    void ctlCarriesTheArgumentVectorExactly() throws Exception {
        try (StackProcess host = StackProcess.start(root, "argv")) {
            CtlClient.Response echo = StackProcess.ctlCommand(root, "argv", "echo", "a;b", "$HOME", "'q'", "\"dq\"",
                    "{x}", "two words");
            assertEquals(0, echo.status(), echo.err());
            assertEquals("a;b $HOME 'q' \"dq\" {x} two words\n", echo.out());
            CtlClient.Response semi = StackProcess.ctlCommand(root, "argv", "sysctl", "net.inet.ip.ttl;stop", "0");
            assertEquals(1, semi.status());
            assertTrue(semi.err().contains("'net.inet.ip.ttl;stop'"), semi.err());
            assertTrue(host.alive(), "';' must not have run stop");
            CtlClient.Response joined = StackProcess.ctlCommand(root, "argv", "ifconfig lo0");
            assertEquals(1, joined.status());
            assertTrue(joined.err().contains("'ifconfig lo0' is not a command name"), joined.err());
        }
    }

    /**
     * A second instance of a running name is refused before it binds anything
     * or touches the first one's storage: the first keeps its control socket,
     * its framework storage (where an installed driver bundle lives) and its
     * interfaces.
     */
    @Test
    void aSecondInstanceOfTheSameNameIsRefusedBeforeItTouchesAnything() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun")),
                "the driver installed into the first instance's storage (e1000) needs root and /dev/net/tun");
        try (StackProcess first = StackProcess.start(root, "twin", "-d", "vdevpeer-net",
                "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0")) {
            first.ok("mount e1000 tap=" + LinuxNet.linkName("hdtw"));
            Path storage = root.resolve("run/twin.osgi");
            long storageFiles;
            try (Stream<Path> s = Files.walk(storage)) {
                storageFiles = s.count();
            }
            CtlClient.Response r = StackProcess.run(root, "--name", "twin", "-d", "vdevpeer-net",
                    "peer=/dev/qvm/h/p2p,bind=/dev/vdevpeers/vp9");
            assertEquals(2, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("an instance named 'twin' is already running") && r.err().contains(
                    Long.toString(pid("twin"))), r.err());
            assertFalse(Files.exists(root.resolve("dev/vdevpeers/vp9")), "the second one bound vp9");
            try (Stream<Path> s = Files.walk(storage)) {
                assertEquals(storageFiles, s.count(), "the first one's storage changed");
            }
            assertTrue(first.ok("drivers").contains("e1000"));
            assertTrue(first.ok("ifconfig wm0").contains("wm0"));
        }
    }

    @Test
    void aRootTooDeepForUnixSocketsIsRefusedNamingThePath() throws IOException {
        Path deep = Files.createDirectories(root.resolve("d".repeat(90)));
        CtlClient.Response r = StackProcess.run(deep, "--name", "deep", "-d", "vdevpeer-net",
                "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("at most 107") && r.err().contains(deep.toString()), r.err());
        assertFalse(Files.exists(deep.resolve("dev/vdevpeers/vp0")), "something was bound");
    }

    /**
     * A driver started by a ctl request ({@code mount}) runs on threads that
     * request made; when its peer breaks the vhost-user rules later, the line
     * must reach the instance's log, not the request's (long gone) client.
     */
    @Test
    void aLineLoggedOnAThreadACtlRequestStartedGoesToTheInstanceLog() throws Exception {
        try (StackProcess host = StackProcess.start(root, "loghost")) {
            CtlClient.Response mount = host.ctl("mount vdevpeer-net peer=/dev/qvm/lg/p2p,bind=/dev/vdevpeers/vp0");
            assertEquals(0, mount.status(), mount.err());
            // A front-end connects at the bind node and sends a header of protocol version 2.
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(root.resolve("dev/vdevpeers/vp0")));
                ByteBuffer bad = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(0)
                        .flip();
                c.write(bad);
                c.read(ByteBuffer.allocate(16)); // the back-end closes the connection
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!host.logText().contains("protocol version 2, expected 1") && System.nanoTime() < deadline) {
                StackProcess.sleep(50);
            }
            assertTrue(host.logText().contains("front-end broke the vhost-user protocol"), host.logText());
            assertFalse(mount.err().contains("protocol"), mount.err());
            String nic = host.ok("nicinfo vp0");
            assertTrue(nic.matches("(?s).*Resets: ring rules/protocol\\s+: 0/1\\b.*"), nic);
        }
    }

    private static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }
}
