package io.pktstack.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A hostile guest, a process of its own, takes the host's connection to it
 * again and again, sets the link up like a guest and then breaks a rule each
 * time (message sizes, descriptors, memory tables, rings and buffers outside
 * its memory, loops, its memory truncated, garbage over its rings), while
 * two good guests ping each other through the same host's bridge. The host
 * stays up, resets that link only and every time, counts and logs each
 * violation, and afterwards holds no more frames, descriptors or threads
 * than before; the good guests lose no ping and their links are never reset.
 */
class HostileGuestIT {

    static final Path TOP = Path.of(System.getProperty("pktstack.top", "../..")).toAbsolutePath().normalize();
    static final int ROUNDS = 14;

    @Test
    void aHostileGuestGetsItsLinkResetAndNothingElseHappens() throws Exception {
        Path root = Files.createTempDirectory("pktstack-hostile");
        String peers = "peer=/dev/qvm/hg1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/hg2/p2p,bind=/dev/vdevpeers/vp1,"
                + "peer=/dev/qvm/evil/p2p,bind=/dev/vdevpeers/vp2";
        try (Instance host = Instance.start(TOP, root, "hhost", "-d", "vdevpeer-net", peers,
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 add vp2 up",
                "-c", "ifconfig bridge0 10.70.0.1/24");
             Instance g1 = Instance.start(TOP, root, "hg1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                     "-c", "ifconfig vt0 10.70.0.11/24");
             Instance g2 = Instance.start(TOP, root, "hg2", "-d", "virtio-net", "peer=/dev/vdevpeers/vp1",
                     "-c", "ifconfig vt0 10.70.0.12/24")) {
            host.awaitRunning("vp0");
            host.awaitRunning("vp1");
            g1.await("ping -c 1 -W 500 10.70.0.12", o -> o.contains("1 packets received"), "g1 reaching g2", 30);
            long framesBefore = host.framesInUse();
            long fdsBefore = host.fds();
            var fdTargetsBefore = host.fdTargets();
            long threadsBefore = host.threads();
            List<String> threadNamesBefore = host.threadNames();
            long sessions0 = sessions(host, "vp0");
            long sessions1 = sessions(host, "vp1");

            // The good guests' traffic runs through the whole attack.
            CompletableFuture<CtlClient.Response> ping = CompletableFuture.supplyAsync(
                    () -> g1.ctl("ping -c 500 -i 0.05 -W 2000 10.70.0.12"));
            List<String> rounds = new ArrayList<>();
            Process evil = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.pktstack.vdev.internal.HostileGuest", root.resolve("dev/qvm/evil/p2p").toString(),
                    Integer.toString(ROUNDS), "600", "10.70.0.1").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(evil.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("round ")) {
                        rounds.add(line);
                    }
                }
            }
            assertTrue(evil.waitFor(120, TimeUnit.SECONDS));
            assertEquals(ROUNDS, rounds.size(), String.join("\n", rounds) + "\n" + host.logText());
            for (String r : rounds) {
                assertTrue(r.endsWith(" reset"), "the host kept a link that broke the rules: " + r);
            }

            CtlClient.Response pinged = ping.get(120, TimeUnit.SECONDS);
            assertEquals(0, pinged.status(), pinged.out() + pinged.err());
            assertTrue(pinged.out().contains("500 packets transmitted, 500 packets received, 0.0% packet loss"),
                    pinged.out());
            assertTrue(host.alive());
            assertEquals(sessions0, sessions(host, "vp0"), "vp0 was reset");
            assertEquals(sessions1, sessions(host, "vp1"), "vp1 was reset");

            // Every violation counted, and logged (what the rate limit left out is summed up in the log).
            String nic = host.ok("nicinfo vp2");
            Matcher resets = Pattern.compile("Resets: ring rules/protocol\\s+: (\\d+)/(\\d+)").matcher(nic);
            assertTrue(resets.find(), nic);
            long counted = Long.parseLong(resets.group(1)) + Long.parseLong(resets.group(2));
            assertEquals(ROUNDS, counted, nic);
            String log = host.logText();
            long logged = Pattern.compile("vp2: .*(broke|inaccessible).*link reset").matcher(log).results().count();
            long summed = Pattern.compile("vp2: (\\d+) more problem").matcher(log).results()
                    .mapToLong(m -> Long.parseLong(m.group(1))).sum();
            assertTrue(logged + summed >= ROUNDS, logged + " logged and " + summed + " summed up of " + ROUNDS + ":\n" + log);
            assertTrue(!log.contains("Exception"), log);

            // Nothing held: frames, descriptors, threads back to where they were.
            await(() -> host.framesInUse() <= framesBefore, "frames back in the pool");
            await(() -> host.fds() <= fdsBefore, "descriptors closed (" + host.fds() + " > " + fdsBefore + "; before "
                    + fdTargetsBefore + ", now " + host.fdTargets() + ")");
            await(() -> host.threads() <= threadsBefore, "threads ended (" + host.threads() + " > " + threadsBefore
                    + "; before " + threadNamesBefore + ", now " + host.threadNames() + ")");
        }
    }

    static long sessions(Instance i, String ifName) {
        Matcher m = Pattern.compile("Sessions\\s+: (\\d+)").matcher(i.ok("nicinfo " + ifName));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    static void await(java.util.function.BooleanSupplier ok, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within 10 s");
            }
            Instance.sleep(100);
        }
    }
}
