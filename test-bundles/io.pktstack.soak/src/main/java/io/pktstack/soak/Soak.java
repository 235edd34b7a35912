package io.pktstack.soak;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/pktstack soak [--cycles N] [--keep]}: a host with three guests in
 * bridge0 (and, as root, an e1000 link on a TAP device in it too). While two
 * guests ping each other through the host without pause, each cycle kills the
 * third guest with -9 and starts it again (it must reach the host again), and
 * cycles a driver bundle in the host: the e1000 bundle updated in place, then
 * uninstalled and installed again (its interface must come back in bridge0);
 * without root the vdevpeer-net bundle is updated instead, which resets every
 * guest link, so the pings are then only required to resume. The host's
 * frames in use, descriptors, threads and memory (live heap, class metadata
 * and native memory after a full collection: {@link Instance.Memory}) are
 * taken after a first warm-up cycle and after the last; growth fails the
 * soak, and so does a lost ping (as root) or a cycle that does not come back.
 * Resident memory is printed, not checked (see {@link Instance.Memory}).
 * Prints a table; exits 0 when all held.
 */
public final class Soak {

    private final Path top;
    private final Path root;
    private final int cycles;
    private final PrintStream out;
    private final boolean root0 = "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun"));

    Soak(Path top, Path root, int cycles, PrintStream out) {
        this.top = top;
        this.root = root;
        this.cycles = cycles;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int cycles = 20;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> {
                    try {
                        cycles = Integer.parseInt(i + 1 < args.length ? args[++i] : "");
                        if (cycles < 1) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        System.err.println("pktstack soak: --cycles needs a whole number above 0");
                        System.exit(2);
                    }
                }
                case "--keep" -> keep = true;
                default -> {
                    System.err.println("pktstack soak: unknown argument '" + args[i] + "'");
                    System.err.println("usage: pktstack soak [--cycles N] [--keep]");
                    System.exit(2);
                }
            }
        }
        Path top = Path.of(System.getProperty("pktstack.top", ".")).toAbsolutePath();
        Path root = Files.createTempDirectory("pktstack-soak");
        boolean ok = new Soak(top, root, cycles, System.out).run();
        if (!keep) {
            deleteTree(root);
        } else {
            System.out.println("soak: logs in " + root.resolve("logs"));
        }
        System.exit(ok ? 0 : 1);
    }

    /**
     * How much the host's memory may grow from the warm-up cycle to the last
     * before the soak calls it a leak, in KiB. A leak that matters here is
     * something kept per cycle: a driver instance's objects, a class loader,
     * a ring or buffer off the heap. The live heap (about 10 MiB) varies by
     * well under 1 MiB between samples (a ping round and a ctl request in
     * flight, tables filling to their bounds); 8 MiB allows that and fails a
     * leak of 400 KiB a cycle within CI's 20 cycles. Class metadata keeps
     * settling for the first cycles (in a 20-cycle run: +3.3 MiB from cycle 0
     * to 10, +0.3 MiB from 10 to 20: the JIT, lambda forms, commands used for
     * the first time), so its allowance is 8 MiB; a kept bundle class loader
     * is caught exactly instead, by the count of live bundle class loaders,
     * which must not grow. Native memory without the JIT's and the collector's
     * (see {@link Instance.Memory}) varies by under 1 MiB; an off-heap ring
     * or buffer kept per cycle does not stay under 8 MiB.
     */
    static final long LIVE_HEAP_SLACK_KIB = 8 * 1024;
    static final long CLASS_SLACK_KIB = 8 * 1024;
    static final long NATIVE_SLACK_KIB = 8 * 1024;

    /** What the host holds at one moment. */
    record Usage(long frames, long fds, long threads, long rssKib) {
        static Usage of(Instance host) {
            return new Usage(host.framesInUse(), host.fds(), host.threads(), host.rssKib());
        }
    }

    boolean run() throws Exception {
        String tap = "hdsoak" + (ProcessHandle.current().pid() % 100_000);
        String peers = "peer=/dev/qvm/s1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/s2/p2p,bind=/dev/vdevpeers/vp1,"
                + "peer=/dev/qvm/s3/p2p,bind=/dev/vdevpeers/vp2";
        java.util.List<String> hostArgs = new java.util.ArrayList<>(java.util.List.of("-d", "vdevpeer-net", peers));
        if (root0) {
            hostArgs.addAll(java.util.List.of("-d", "e1000", "tap=" + tap));
        }
        hostArgs.addAll(java.util.List.of("-c", "ifconfig bridge0 create", "-c",
                "brconfig bridge0 add vp0 add vp1 add vp2" + (root0 ? " add wm0" : "") + " up",
                "-c", "ifconfig bridge0 10.80.0.1/24"));
        out.println("soak: " + cycles + " cycles" + (root0 ? ", the e1000 bundle cycled (TAP " + tap + ")"
                : ", the vdevpeer-net bundle updated (not root: no TAP device for e1000)"));
        try (Instance host = Instance.startTracked(top, root, "soakhost", hostArgs.toArray(new String[0]));
             Instance s1 = Instance.start(top, root, "s1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0", "-c",
                     "ifconfig vt0 10.80.0.11/24");
             Instance s2 = Instance.start(top, root, "s2", "-d", "virtio-net", "peer=/dev/vdevpeers/vp1", "-c",
                     "ifconfig vt0 10.80.0.12/24");
             Instance s3 = Instance.start(top, root, "s3", "-d", "virtio-net", "peer=/dev/vdevpeers/vp2", "-c",
                     "ifconfig vt0 10.80.0.13/24")) {
            for (String vp : new String[] {"vp0", "vp1", "vp2"}) {
                host.awaitRunning(vp);
            }
            s1.await("ping -c 1 -W 500 10.80.0.12", o -> o.contains("1 packets received"), "s1 reaching s2", 30);
            String driverBundle = root0 ? "io.pktstack.driver.e1000" : "io.pktstack.driver.vdevpeer";
            String driverIf = root0 ? "wm0" : "vp0";
            String mac = mac(host, driverIf);

            // The other links' traffic, without pause, in rounds of 100 pings.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sent = new AtomicLong();
            AtomicLong received = new AtomicLong();
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                Pattern p = Pattern.compile("(\\d+) packets transmitted, (\\d+) packets received");
                while (!stop.get()) {
                    CtlClient.Response r = s1.ctl("ping -c 100 -i 0.02 -W 2000 10.80.0.12");
                    Matcher m = p.matcher(r.out() + r.err());
                    if (m.find()) {
                        sent.addAndGet(Long.parseLong(m.group(1)));
                        received.addAndGet(Long.parseLong(m.group(2)));
                    }
                }
            });

            Usage before = null;
            Instance.Memory memoryBefore = null;
            long t0 = System.nanoTime();
            for (int c = 0; c <= cycles; c++) { // cycle 0 warms up; the baseline is taken after it
                long tc = System.nanoTime();
                s3.kill();
                host.await("ifconfig vp2", o -> !o.contains("RUNNING"), "vp2 down after kill -9", 30);
                s3.restart();
                host.awaitRunning("vp2");
                s3.await("ping -c 1 -W 500 10.80.0.1", o -> o.contains("1 packets received"), "s3 reaching the host", 30);
                long id = bundleId(host, driverBundle);
                if (c % 2 == 0) {
                    host.ok("update " + id);
                } else {
                    String location = location(host, id);
                    host.ok("uninstall " + id);
                    host.await("ifconfig -a", o -> !o.contains(driverIf + ":"), driverIf + " gone with its bundle", 30);
                    host.ok("start " + bundleIdOf(host.ok("install " + location)));
                }
                host.awaitRunning(driverIf);
                if (!mac(host, driverIf).equals(mac) || !host.ok("brconfig bridge0").contains(driverIf + " flags")) {
                    throw new IllegalStateException("cycle " + c + ": " + driverIf + " came back changed:\n"
                            + host.ok("ifconfig " + driverIf) + host.ok("brconfig bridge0"));
                }
                long ms = (System.nanoTime() - tc) / 1_000_000;
                // A full collection every tenth cycle (it pauses the host, so not every one). Before the counts:
                // jcmd's first attach starts the JVM's Attach Listener thread and its socket, which stay.
                Instance.Memory m = c % 10 == 0 ? host.memory() : null;
                Usage u = Usage.of(host);
                if (c == 0) {
                    before = u;
                    memoryBefore = m;
                }
                out.printf("soak: cycle %3d  %5d ms  frames %d  fds %d  threads %d  rss %d KiB%s%n", c, ms, u.frames(),
                        u.fds(), u.threads(), u.rssKib(), m == null ? "" : "  " + memory(m));
            }
            stop.set(true);
            traffic.get(60, TimeUnit.SECONDS);
            // In-flight frames and lazily made threads settle; then the host must be where it was.
            Usage after = settle(host, before);
            Instance.Memory memoryAfter = host.memory();
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            out.printf("soak: %d cycles in %d s; pings %d sent, %d received%n", cycles, seconds, sent.get(), received.get());
            out.printf("soak: %-14s %10s %10s%n", "", "before", "after");
            out.printf("soak: %-14s %10d %10d%n", "frames in use", before.frames(), after.frames());
            out.printf("soak: %-14s %10d %10d%n", "descriptors", before.fds(), after.fds());
            out.printf("soak: %-14s %10d %10d%n", "threads", before.threads(), after.threads());
            out.printf("soak: %-14s %10d %10d%n", "rss KiB", before.rssKib(), after.rssKib());
            Instance.Memory m0 = memoryBefore;
            Instance.Memory m1 = memoryAfter;
            out.printf("soak: %-14s %10d %10d%n", "live heap KiB", m0.liveHeapKib(), m1.liveHeapKib());
            out.printf("soak: %-14s %10d %10d%n", "classes KiB", m0.classKib(), m1.classKib());
            out.printf("soak: %-14s %10d %10d%n", "native KiB", m0.nativeKib(), m1.nativeKib());
            out.printf("soak: %-14s %10d %10d%n", "bundle loaders", m0.bundleLoaders(), m1.bundleLoaders());
            boolean ok = true;
            ok &= check(after.frames() <= before.frames(), "frames in use grew");
            ok &= check(after.fds() <= before.fds(), "descriptors grew");
            ok &= check(after.threads() <= before.threads(), "threads grew");
            // Memory after a full collection, not resident memory (see Instance.Memory); allowances above.
            ok &= check(m1.liveHeapKib() <= m0.liveHeapKib() + LIVE_HEAP_SLACK_KIB, "the live heap grew");
            ok &= check(m1.classKib() <= m0.classKib() + CLASS_SLACK_KIB, "class metadata grew");
            ok &= check(m1.bundleLoaders() <= m0.bundleLoaders(), "bundle class loaders grew (an old revision kept)");
            ok &= check(m1.nativeKib() <= m0.nativeKib() + NATIVE_SLACK_KIB, "native memory grew");
            if (root0) {
                ok &= check(sent.get() > 0 && received.get() == sent.get(), "the other guests lost pings");
            } else {
                ok &= check(received.get() > 0, "the other guests' traffic did not resume");
            }
            ok &= check(!host.logText().contains("Exception"), "the host logged an exception");
            out.println("soak: " + (ok ? "passed" : "FAILED"));
            return ok;
        }
    }

    private static String memory(Instance.Memory m) {
        return "live heap " + m.liveHeapKib() + " KiB  classes " + m.classKib() + " KiB  native " + m.nativeKib()
                + " KiB  bundle loaders " + m.bundleLoaders();
    }

    private boolean check(boolean ok, String what) {
        if (!ok) {
            out.println("soak: FAILED: " + what);
        }
        return ok;
    }

    private static Usage settle(Instance host, Usage before) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Usage u = Usage.of(host);
        while (System.nanoTime() < deadline && (u.frames() > before.frames() || u.fds() > before.fds()
                || u.threads() > before.threads())) {
            Instance.sleep(250);
            u = Usage.of(host);
        }
        return u;
    }

    static String mac(Instance i, String ifName) {
        Matcher m = Pattern.compile("address: ([0-9a-f:]{17})").matcher(i.ok("ifconfig " + ifName));
        if (!m.find()) {
            throw new IllegalStateException(ifName + " has no MAC");
        }
        return m.group(1);
    }

    static long bundleId(Instance i, String symbolicName) {
        for (String line : i.ok("lb -s").split("\n")) {
            String[] f = line.split("\\|");
            if (f.length >= 4 && f[3].strip().startsWith(symbolicName + " ")) {
                return Long.parseLong(f[0].strip());
            }
        }
        throw new IllegalStateException("no bundle " + symbolicName);
    }

    static String location(Instance i, long id) {
        for (String line : i.ok("lb -l").split("\n")) {
            String[] f = line.split("\\|");
            if (f.length >= 4 && f[0].strip().equals(Long.toString(id))) {
                return f[3].strip();
            }
        }
        throw new IllegalStateException("no location for bundle " + id);
    }

    /** Gogo's install prints "Bundle ID: N". */
    static long bundleIdOf(String installOutput) {
        Matcher m = Pattern.compile("Bundle ID: (\\d+)").matcher(installOutput);
        if (!m.find()) {
            throw new IllegalStateException("install said: " + installOutput);
        }
        return Long.parseLong(m.group(1));
    }

    static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
