package io.pktstack.bench;

import io.pktstack.core.internal.BridgeBenchmark;
import io.pktstack.core.internal.RouterBenchmark;
import io.pktstack.core.internal.tcp.TcpEngineBenchmark;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code bin/pktstack bench}: the benchmark suite. Scenario 1 is JMH in this
 * process's forks; the others start stacks as separate processes, drive them
 * with the stack's own pktgen and ping, and run the same job on the Linux
 * kernel in namespaces (when root) for the ratios. Prints a table, or with
 * {@code --json} one JSON object; progress goes to standard error.
 *
 * <pre>bin/pktstack bench [--quick] [--json] [--frames N] [--no-linux] [--only NAME[,NAME...]]</pre>
 *
 * <p>{@code --only} runs the named scenarios (and what they need to start) and
 * leaves the others out, for measuring one change at a time.
 */
public final class Bench {

    private static final Pattern PKTGEN_SECONDS = Pattern.compile(" in ([0-9.]+) s");
    private static final Pattern PING_TIME = Pattern.compile("time=([0-9.]+) ms");

    private final Path top;
    private final boolean quick;
    private final boolean linux;
    private final long frames;
    private final int runs;
    private final PrintStream progress = System.err;
    private final List<Map<String, Object>> scenarios = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    /** Read once, at the start: how idle CPUs sleep decides what a wake-up across them costs. */
    private final CpuIdle cpuIdle = CpuIdle.read(Path.of("/sys"));
    /** Scenarios to run; empty: all. */
    private java.util.Set<String> only = java.util.Set.of();

    Bench(Path top, boolean quick, boolean linux, long frames) {
        this.top = top;
        this.quick = quick;
        this.linux = linux;
        this.frames = frames;
        this.runs = quick ? 1 : 3;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean json = false;
        boolean linux = true;
        long frames = -1;
        java.util.Set<String> only = java.util.Set.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = true;
                case "--no-linux" -> linux = false;
                case "--frames" -> frames = Long.parseLong(args[++i]);
                case "--only" -> only = java.util.Set.of(args[++i].split(","));
                default -> {
                    System.err.println("bench: unknown option '" + args[i]
                            + "' (usage: bench [--quick] [--json] [--frames N] [--no-linux] [--only NAME[,NAME...]])");
                    System.exit(2);
                }
            }
        }
        Path top = Path.of(System.getProperty("pktstack.top", ".")).toAbsolutePath().normalize();
        String missing = missingPrerequisites(top, linux);
        if (!missing.isEmpty()) {
            System.err.println("bench: cannot run:" + missing);
            System.exit(2);
        }
        boolean canLinux = linux && LinuxRef.available();
        if (linux && !canLinux) {
            System.err.println("bench: not root (or no iproute2): the Linux reference and the TAP scenario are skipped");
        }
        Bench b = new Bench(top, quick, canLinux, frames > 0 ? frames : quick ? 300_000 : 2_000_000);
        b.only = only;
        // Whatever the runs print (JMH passes its forks' output through) goes to standard error,
        // so standard output holds the report alone: a table, or exactly one JSON object.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        try {
            b.run();
        } finally {
            System.setOut(stdout);
        }
        stdout.print(json ? b.json() : b.table());
        stdout.flush();
    }

    /**
     * What the bench needs and does not find, each with what to do about it, as
     * lines; empty when all is there. As root with the Linux reference wanted,
     * the reference's tools are needed too (without root it is skipped).
     */
    static String missingPrerequisites(Path top, boolean linux) {
        StringBuilder sb = new StringBuilder();
        if (!Files.isRegularFile(top.resolve("bndrun/target/pktstack.jar"))) {
            sb.append("\n  pktstack is not built: run bin/build -q install -DskipTests");
        }
        if (linux && "root".equals(System.getProperty("user.name"))) {
            for (String[] tool : new String[][] {{"ip", "iproute2"}, {"ping", "iputils-ping"}}) {
                if (!onPath(tool[0])) {
                    sb.append("\n  '").append(tool[0]).append("' is missing (the Linux reference needs it): install it with"
                            + " apt-get install ").append(tool[1]).append(", or run bench --no-linux");
                }
            }
        }
        return sb.toString();
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    void run() throws Exception {
        if (wants("bridge")) {
            bridge();
        }
        if (wants("router", "router-nat")) {
            router();
        }
        if (wants("tcp-engine")) {
            tcpEngine();
        }
        Path root = Files.createTempDirectory("pktstack-bench");
        if (wants("startup")) {
            startup(root);
        }
        if (wants("guest-bridge-guest-64", "guest-bridge-guest-1500", "pingpong", "pingpong-poll", "pingpong-nopoll",
                "tcp-guest-bridge-guest", "tcp-rr", "guest-tap-64")) {
            guestTopology(root);
        }
        if (wants("guest-p2p-64", "pingpong-p2p")) {
            peerToPeer(root);
        }
        if (wants("routed-guest-guest-64", "nat-guest-world-64")) {
            routedTopology(root);
        }
        if (wants("vm-bridge-vm")) {
            vmBridgeVm(root);
        }
    }

    /** Whether any of the named scenarios is to run ({@code --only}). */
    private boolean wants(String... names) {
        if (only.isEmpty()) {
            return true;
        }
        for (String n : names) {
            if (only.contains(n)) {
                return true;
            }
        }
        return false;
    }

    // ---- scenario 1: JMH ---------------------------------------------------------

    private void bridge() throws Exception {
        progress.println("bench: bridge (JMH, in-process forwarding of 64-byte frames)...");
        String[] batches = quick ? new String[] {"1", "32", "256"} : new String[] {"1", "8", "32", "64", "128", "256"};
        Options opt = new OptionsBuilder()
                .include(Pattern.quote(BridgeBenchmark.class.getName()) + ".forward")
                .param("batch", batches)
                .forks(1)
                .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                .addProfiler(GCProfiler.class)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        List<Map<String, Object>> perBatch = new ArrayList<>();
        Map<String, Object> at32 = null;
        for (RunResult r : results) {
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            double mpps = r.getPrimaryResult().getScore() * batch / 1e6;
            var norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            double alloc = norm == null ? -1 : norm.getScore() / batch; // -1: the JVM did not say
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batch", batch);
            m.put("mpps", mpps);
            m.put("alloc_bytes_per_frame", alloc);
            perBatch.add(m);
            progress.printf(Locale.ROOT, "  batch %3d: %7.2f Mpps, %.3f bytes allocated per frame%n", batch, mpps, alloc);
            if (batch == 32) {
                at32 = m;
            }
        }
        Map<String, Object> s = scenario("bridge");
        s.put("mpps", at32.get("mpps"));
        s.put("mbps", (double) at32.get("mpps") * 64 * 8);
        s.put("alloc_bytes_per_frame", at32.get("alloc_bytes_per_frame"));
        s.put("batch", 32);
        s.put("per_batch", perBatch);
    }

    // ---- the router in one thread (JMH) -------------------------------------------------------

    private void router() throws Exception {
        progress.println("bench: router (JMH, in-process layer-3 forwarding of 64-byte IPv4/UDP frames, and through nat)...");
        Options opt = new OptionsBuilder()
                .include(Pattern.quote(RouterBenchmark.class.getName()) + ".forward")
                .param("batch", "32")
                .forks(1)
                .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                .addProfiler(GCProfiler.class)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        for (RunResult r : new Runner(opt).run()) {
            String mode = r.getParams().getParam("mode");
            double mpps = r.getPrimaryResult().getScore() * 32 / 1e6;
            var norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            double alloc = norm == null ? -1 : norm.getScore() / 32;
            Map<String, Object> s = scenario(mode.equals("nat") ? "router-nat" : "router");
            s.put("mpps", mpps);
            s.put("mbps", mpps * 64 * 8);
            s.put("alloc_bytes_per_frame", alloc);
            s.put("batch", 32);
            progress.printf(Locale.ROOT, "  %s: %7.2f Mpps, %.3f bytes allocated per frame%n", mode, mpps, alloc);
        }
    }

    // ---- tcp-engine: JMH, the TCP engine alone ------------------------------------------

    /** Two TCP connections on one thread, no link: what one core's worth of TCP carries, and its allocation. */
    private void tcpEngine() throws Exception {
        progress.println("bench: tcp-engine (JMH, two connections on one thread, no link)...");
        Options opt = new OptionsBuilder()
                .include(Pattern.quote(TcpEngineBenchmark.class.getName()) + ".move64KiB")
                .forks(1)
                .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 3).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                .addProfiler(GCProfiler.class)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        RunResult r = new Runner(opt).run().iterator().next();
        double gbps = r.getPrimaryResult().getScore() * TcpEngineBenchmark.CHUNK * 8 / 1e9;
        var norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
        // Full-sized segments of 1448 bytes carry the 64 KiB of one operation.
        double perSegment = norm == null ? -1 : norm.getScore() / Math.ceil(TcpEngineBenchmark.CHUNK / 1448.0);
        Map<String, Object> s = scenario("tcp-engine");
        s.put("gbps", gbps);
        s.put("mbps", gbps * 1000);
        s.put("alloc_bytes_per_segment", perSegment);
        s.put("alloc_bytes_per_frame", perSegment); // a segment is a frame: the table's column
        progress.printf(Locale.ROOT, "  %.2f Gbit/s on one core, %.3f bytes allocated per segment%n", gbps, perSegment);
    }

    // ---- scenarios 2, 4, 5: a host with three guests ----------------------------------

    private void guestTopology(Path root) throws Exception {
        progress.println("bench: starting a host and three guests...");
        String tap = "pkbt" + ProcessHandle.current().pid() % 100000;
        List<String> hostArgs = new ArrayList<>(List.of("-d", "vdevpeer-net",
                "peer=/dev/qvm/bg1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/bg2/p2p,bind=/dev/vdevpeers/vp1,"
                        + "peer=/dev/qvm/bg3/p2p,bind=/dev/vdevpeers/vp2"));
        if (linux) {
            hostArgs.addAll(List.of("-d", "e1000", "tap=" + tap));
        }
        hostArgs.addAll(List.of("-c", "ifconfig bridge0 create", "-c",
                "brconfig bridge0 add vp0 add vp1 add vp2" + (linux ? " add wm0" : "") + " up",
                "-c", "ifconfig bridge0 10.77.0.1/24"));
        try (Stack host = Stack.start(top, root, "host", hostArgs.toArray(new String[0]));
             Stack g1 = guest(root, "bg1", 0);
             Stack g2 = guest(root, "bg2", 1);
             Stack g3 = guest(root, "bg3", 2)) {
            g1.await("ping -c 1 -W 200 10.77.0.12");
            List<Stack> all = List.of(host, g1, g2, g3);
            String g2mac = g2.mac("vt0");
            try (LinuxRef ref = linux ? LinuxRef.bridge() : null) {
                for (int size : new int[] {60, 1514}) {
                    String name = "guest-bridge-guest-" + (size == 60 ? "64" : "1500");
                    if (!wants(name)) {
                        continue;
                    }
                    progress.println("bench: " + name + "...");
                    Map<String, Object> s = scenario(name);
                    forwarding(s, g1, "vt0", g2mac, size, () -> g2.rxPackets("vt0"), all);
                    if (ref != null) {
                        linuxForwarding(s, ref, size);
                    }
                }
                if (wants("pingpong")) {
                    pingpong("pingpong", g1, "10.77.0.12", ref, all);
                }
                // The same with the guest-link workers polling long enough to catch the reply
                // (sysctl net.link.vdev.busy_poll, µs, on all four), and never polling.
                for (String[] poll : new String[][] {{"pingpong-poll", "1000"}, {"pingpong-nopoll", "0"}}) {
                    if (wants(poll[0])) {
                        for (Stack st : all) {
                            st.ok("sysctl -w net.link.vdev.busy_poll=" + poll[1]);
                        }
                        pingpong(poll[0], g1, "10.77.0.12", ref, all);
                        for (Stack st : all) {
                            st.ok("sysctl -w net.link.vdev.busy_poll=" + DEFAULT_BUSY_POLL_MICROS);
                        }
                    }
                }
                if (wants("tcp-guest-bridge-guest")) {
                    tcpStream(g1, g2, ref, all);
                }
                if (wants("tcp-rr")) {
                    tcpRr(g1, g2, ref);
                }
            }
            if (linux && wants("guest-tap-64")) {
                tapScenario(root, tap, g1, all);
            }
            // Resident memory three ways: right after the traffic (what the compilers still hold then
            // included), after the idle-CPU reading (2 to 5 s of rest, in which the JVM trims what they
            // freed back to the kernel each second), and the most each ever held (VmHWM).
            extra.put("rss_kib", residentKib(all, "VmRSS:"));
            extra.put("idle_cpu_pct", idleCpu(all));
            extra.put("rss_idle_kib", residentKib(all, "VmRSS:"));
            extra.put("rss_peak_kib", residentKib(all, "VmHWM:"));
        }
    }

    /**
     * startup: seconds from launching a host and three guests (four processes at
     * once, as bin/demo does) until every guest link is up; the resident memory
     * of each then.
     */
    private void startup(Path root) {
        progress.println("bench: startup of a host and three guests...");
        List<Stack> all = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            all.add(Stack.launch(top, root, "su-host", "-d", "vdevpeer-net",
                    "peer=/dev/qvm/su1/p2p,bind=/dev/vdevpeers/su0,peer=/dev/qvm/su2/p2p,bind=/dev/vdevpeers/su1,"
                            + "peer=/dev/qvm/su3/p2p,bind=/dev/vdevpeers/su2",
                    "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 add vp2 up"));
            for (int i = 0; i < 3; i++) {
                all.add(Stack.launch(top, root, "su" + (i + 1), "-d", "virtio-net", "peer=/dev/vdevpeers/su" + i));
            }
            for (Stack s : all) {
                s.awaitReady();
            }
            for (Stack s : all) {
                for (String ifName : s.name.equals("su-host") ? List.of("vp0", "vp1", "vp2") : List.of("vt0")) {
                    s.awaitOutput("ifconfig " + ifName, "status: active");
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> sc = scenario("startup");
            sc.put("seconds", seconds);
            Map<String, Object> rss = new LinkedHashMap<>();
            for (Stack s : all) {
                rss.put(s.name, s.statusKib("VmRSS:"));
            }
            sc.put("rss_kib", rss);
            progress.printf(Locale.ROOT, "  all four ready and linked in %.2f s; resident: %s kB%n", seconds, rss);
        } finally {
            for (Stack s : all) {
                s.close();
            }
        }
    }

    /** Unmeasured round trips before each pingpong's measured ones. */
    static final int PINGPONG_WARMUP = 20_000;

    /** The stacks' default {@code net.link.vdev.busy_poll}, restored after a pingpong that changed it. */
    static final long DEFAULT_BUSY_POLL_MICROS = 50;

    /**
     * A pingpong scenario: ICMP echo round trips from {@code from} to {@code to},
     * beside Linux's ping in {@code ref}, with the CPU the stacks used meanwhile.
     */
    private void pingpong(String name, Stack from, String to, LinuxRef ref, List<Stack> processes) {
        progress.println("bench: " + name + "...");
        Map<String, Object> s = scenario(name);
        int pings = quick ? 200 : 2000;
        // Steady state, as the forwarding scenarios measure after a warm-up run: the echo path's methods
        // reach C2 only after several thousand calls (Tier4InvocationThreshold 5,000), so 2,000 round
        // trips of a fresh path were mostly measured in C1's profiling code. Linux needs no warm-up.
        from.ok("ping -c " + PINGPONG_WARMUP + " -i 0 -W 200 -q " + to);
        long cpu0 = 0;
        for (Stack p : processes) {
            cpu0 += p.cpuNanos();
        }
        long wall0 = System.nanoTime();
        List<Double> times = pingTimesMicros(from.ok("ping -c " + pings + " -i 0 -W 1000 " + to));
        long wall = System.nanoTime() - wall0;
        long cpu = -cpu0;
        for (Stack p : processes) {
            cpu += p.cpuNanos();
        }
        latency(s, times, "");
        s.put("cpu_pct", 100.0 * cpu / wall);
        if (ref != null) {
            latency(s, ref.ping(pings), "linux_");
        }
    }

    // ---- tcp-guest-bridge-guest and tcp-rr: TCP between two guests through the host's bridge ----------------

    private int tcpSeconds() {
        return quick ? 3 : 10;
    }

    private void tcpStream(Stack g1, Stack g2, LinuxRef ref, List<Stack> all) throws Exception {
        int seconds = tcpSeconds();
        progress.println("bench: tcp-guest-bridge-guest (iperf3, one stream)...");
        Map<String, Object> s = scenario("tcp-guest-bridge-guest");
        // Threads of their own: the common pool has one thread on two cores, and the server's ctl call
        // would hold it while the client's waited behind it.
        var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        var server = java.util.concurrent.CompletableFuture.supplyAsync(() -> g2.ok("iperf3 -s -1"), threads);
        var client = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            for (int attempt = 0; attempt < 50; attempt++) { // until the server listens
                try {
                    return g1.ok("iperf3 -c 10.77.0.12 -t " + seconds + " -J");
                } catch (IllegalStateException e) {
                    sleep(100);
                }
            }
            throw new IllegalStateException("the stack's iperf3 client never reached the server");
        }, threads);
        // Allocation and CPU over the steady middle of the test, not its start (connection, buffers,
        // iperf3's JSON, classes loaded once): the receiver's heap and segment counters a second in
        // and half a second before the end. What the two ctl readings allocate themselves counts too.
        sleep(1500);
        long cpu0 = totalCpuNanos(all);
        long wall0 = System.nanoTime();
        long heap0 = g2.heapAllocated();
        long segments0 = segmentsReceived(g2);
        sleep((seconds - 2) * 1000L);
        long heap1 = g2.heapAllocated();
        long segments = segmentsReceived(g2) - segments0;
        s.put("cpu_pct", 100.0 * (totalCpuNanos(all) - cpu0) / (System.nanoTime() - wall0));
        s.put("alloc_bytes_per_frame", segments == 0 ? -1 : (heap1 - heap0) / (double) segments);
        String report = client.get(seconds + 60L, java.util.concurrent.TimeUnit.SECONDS);
        server.get(60, java.util.concurrent.TimeUnit.SECONDS);
        threads.close();
        double bps = iperf3ReceivedBitsPerSecond(report);
        s.put("gbps", bps / 1e9);
        s.put("mbps", bps / 1e6);
        if (ref != null) {
            double linux = ref.iperf3BitsPerSecond(seconds);
            s.put("linux_gbps", linux / 1e9);
            s.put("linux_mbps", linux / 1e6);
            s.put("ratio", bps / linux);
        }
        progress.printf(Locale.ROOT, "  %.2f Gbit/s%s, %.2f bytes allocated per segment received%n", bps / 1e9,
                s.containsKey("linux_gbps") ? String.format(Locale.ROOT, " (Linux %.2f)", s.get("linux_gbps")) : "",
                s.get("alloc_bytes_per_frame"));
    }

    private void tcpRr(Stack g1, Stack g2, LinuxRef ref) throws Exception {
        int seconds = tcpSeconds();
        progress.println("bench: tcp-rr (1-byte request/response to inetd's echo)...");
        Map<String, Object> rr = scenario("tcp-rr");
        g2.ok("inetd echo/tcp");
        try {
            String out = g1.ok("tcprr -t " + seconds + " 10.77.0.12 7");
            rr.put("transactions_per_s", number(out, "transactions in [0-9.]+ s: ([0-9]+) transactions/s"));
            rr.put("p50_us", number(out, "p50 ([0-9.]+) us"));
            rr.put("p99_us", number(out, "p99 ([0-9.]+) us"));
            rr.put("p999_us", number(out, "p99.9 ([0-9.]+) us"));
        } finally {
            g2.ok("inetd -k echo");
        }
        if (ref != null) {
            String out = ref.tcpRr(seconds);
            double tps = number(out, "transactions ([0-9]+)") / number(out, "seconds ([0-9.]+)");
            rr.put("linux_transactions_per_s", tps);
            rr.put("linux_p50_us", number(out, "p50 ([0-9]+)"));
            rr.put("linux_p99_us", number(out, "p99 ([0-9]+)"));
            rr.put("ratio", (double) rr.get("transactions_per_s") / tps);
        }
    }

    private static long totalCpuNanos(List<Stack> processes) {
        long n = 0;
        for (Stack p : processes) {
            n += p.cpuNanos();
        }
        return n;
    }

    /**
     * TCP segments the stack received, as a wire carries them: a large segment (TSO) counts as the MSS-sized
     * ones it stands for, as Linux counts a GRO packet's gso_segs, so that the allocation per frame compares
     * with a run without it. Its data in sequence over 1448 bytes (MSS with timestamps at MTU 1500), plus the
     * segments without data.
     */
    private static long segmentsReceived(Stack st) {
        String netstat = st.ok("netstat -s -p tcp");
        long packets = count(netstat, "packets received\n");
        long dataPackets = count(netstat, "packets received in sequence");
        long dataBytes = count(netstat, "bytes received in sequence");
        return packets - dataPackets + (dataBytes + 1447) / 1448;
    }

    private static long count(String text, String label) {
        Matcher m = Pattern.compile("([0-9]+) " + label).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no '" + regex + "' in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    /** The receiver's rate from iperf3's -J output (end.sum_received.bits_per_second). */
    static double iperf3ReceivedBitsPerSecond(String json) {
        try {
            String body = json.substring(json.indexOf('{'));
            double bps = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("end")
                    .path("sum_received").path("bits_per_second").asDouble();
            if (!(bps > 0)) {
                throw new IllegalStateException("iperf3 -J output without a received rate: " + json);
            }
            return bps;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("iperf3 -J output unreadable: " + json, e);
        }
    }

    private Stack guest(Path root, String name, int i) {
        return Stack.start(top, root, name, "-d", "virtio-net", "peer=/dev/vdevpeers/vp" + i,
                "-c", "ifconfig vt0 10.77.0." + (11 + i) + "/24");
    }

    private void tapScenario(Path root, String tap, Stack g1, List<Stack> all) {
        progress.println("bench: guest-tap-64...");
        String ns = "pkbw" + ProcessHandle.current().pid();
        try {
            mustRun("ip", "netns", "add", ns);
            mustRun("ip", "link", "set", tap, "netns", ns);
            mustRun("ip", "-n", ns, "addr", "add", "10.77.0.100/24", "dev", tap);
            mustRun("ip", "-n", ns, "link", "set", tap, "up");
            g1.await("ping -c 1 -W 200 10.77.0.100");
            String mac = mustRun("ip", "-n", ns, "link", "show", tap).replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
            LongSupplier rx = () -> Long.parseLong(mustRun("ip", "netns", "exec", ns, "cat",
                    "/sys/class/net/" + tap + "/statistics/rx_packets").trim());
            forwarding(scenario("guest-tap-64"), g1, "vt0", mac, 60, rx, all);
        } finally {
            LinuxRef.run(List.of("ip", "netns", "del", ns));
        }
    }

    // ---- scenario 3: peer to peer ----------------------------------------------------------

    private void peerToPeer(Path root) throws Exception {
        progress.println("bench: two guests peer to peer...");
        try (Stack a = Stack.start(top, root, "bpa", "-d", "virtio-net", "peer=/dev/qvm/bpb/p2p",
                "-c", "ifconfig vt0 10.78.0.1/24");
             Stack b = Stack.start(top, root, "bpb", "-d", "virtio-net", "peer=/dev/qvm/bpa/p2p",
                "-c", "ifconfig vt0 10.78.0.2/24")) {
            a.await("ping -c 1 -W 200 10.78.0.2");
            try (LinuxRef ref = linux ? LinuxRef.peerToPeer() : null) {
                if (wants("guest-p2p-64")) {
                    Map<String, Object> s = scenario("guest-p2p-64");
                    forwarding(s, a, "vt0", b.mac("vt0"), 60, () -> b.rxPackets("vt0"), List.of(a, b));
                    if (ref != null) {
                        linuxForwarding(s, ref, 60);
                    }
                }
                if (wants("pingpong-p2p")) {
                    pingpong("pingpong-p2p", a, "10.78.0.2", ref, List.of(a, b));
                }
            }
        }
    }

    // ---- the host as a router: two guest subnets, and NAT to Linux ------------------------------

    /**
     * routed-guest-guest-64: a guest's IPv4/UDP frames to the host's MAC,
     * forwarded at layer 3 to a guest on another subnet, counted by that
     * guest; beside it Linux forwarding between two namespaces. Then, with
     * Linux on the host's wm0 (no route back) and pf's nat on wm0,
     * nat-guest-world-64: the same frames to Linux, translated, counted by
     * Linux on its end of the TAP device.
     */
    private void routedTopology(Path root) throws Exception {
        progress.println("bench: starting a router host and two guests on separate subnets...");
        String tap = "pkbr" + ProcessHandle.current().pid() % 100000;
        List<String> hostArgs = new ArrayList<>(List.of("-d", "vdevpeer-net",
                "peer=/dev/qvm/br1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/br2/p2p,bind=/dev/vdevpeers/vp1"));
        if (linux) {
            hostArgs.addAll(List.of("-d", "e1000", "tap=" + tap, "-c", "ifconfig wm0 10.83.0.1/24"));
        }
        hostArgs.addAll(List.of("-c", "ifconfig vp0 10.81.0.1/24", "-c", "ifconfig vp1 10.82.0.1/24",
                "-c", "sysctl -w net.inet.ip.forwarding=1"));
        try (Stack host = Stack.start(top, root, "rhost", hostArgs.toArray(new String[0]));
             Stack g1 = Stack.start(top, root, "br1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                     "-c", "ifconfig vt0 10.81.0.10/24", "-c", "route add default 10.81.0.1");
             Stack g2 = Stack.start(top, root, "br2", "-d", "virtio-net", "peer=/dev/vdevpeers/vp1",
                     "-c", "ifconfig vt0 10.82.0.10/24", "-c", "route add default 10.82.0.1")) {
            g1.await("ping -c 1 -W 200 10.82.0.10"); // every next hop resolved
            List<Stack> all = List.of(host, g1, g2);
            String hostMac = host.mac("vp0");
            progress.println("bench: routed-guest-guest-64...");
            Map<String, Object> s = scenario("routed-guest-guest-64");
            forwarding(s, g1, "-4 10.81.0.10 10.82.0.10 vt0", hostMac, 60, () -> g2.rxPackets("vt0"), all);
            if (linux) {
                try (LinuxRef ref = LinuxRef.router()) {
                    linuxForwarding(s, ref, 60);
                }
                if (wants("nat-guest-world-64")) {
                    natScenario(root, tap, host, g1, hostMac, all);
                }
            }
        }
    }

    private void natScenario(Path root, String tap, Stack host, Stack g1, String hostMac, List<Stack> all)
            throws Exception {
        progress.println("bench: nat-guest-world-64...");
        String ns = "pkbn" + ProcessHandle.current().pid();
        try {
            mustRun("ip", "netns", "add", ns);
            mustRun("ip", "link", "set", tap, "netns", ns);
            mustRun("ip", "-n", ns, "addr", "add", "10.83.0.100/24", "dev", tap); // and no route back to 10.81.0.0/24
            mustRun("ip", "-n", ns, "link", "set", tap, "up");
            Path conf = root.resolve("bench-pf.conf");
            Files.writeString(conf, "nat on wm0 from 10.81.0.0/24 to any -> (wm0)\n");
            host.ok("pfctl -e -f " + conf);
            g1.await("ping -c 1 -W 200 10.83.0.100"); // answered only through nat
            LongSupplier rx = () -> Long.parseLong(mustRun("ip", "netns", "exec", ns, "cat",
                    "/sys/class/net/" + tap + "/statistics/rx_packets").trim());
            forwarding(scenario("nat-guest-world-64"), g1, "-4 10.81.0.10 10.83.0.100 vt0", hostMac, 60, rx, all);
        } finally {
            LinuxRef.run(List.of("ip", "netns", "del", ns));
        }
    }


    // ---- scenario 6: two VMs through the host bridge, and through a Linux bridge ----------------

    /**
     * TCP throughput between two Linux VMs under QEMU (iperf3, the client in
     * one VM, the server in the other): through the host stack's bridge over
     * vhost-user, then the same two VMs on QEMU TAP netdevs joined by a Linux
     * bridge. QEMU emulates the CPU here, so both are bound by it; the ratio is
     * the figure.
     */
    private void vmBridgeVm(Path root) {
        Map<String, Object> s = scenario("vm-bridge-vm");
        String why = !Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")) ? "QEMU is not installed"
                : !Files.isExecutable(Path.of("/usr/bin/iperf3")) ? "iperf3 is not installed (the VM image takes it from the host)"
                : null;
        if (why != null) {
            progress.println("bench: vm-bridge-vm skipped: " + why);
            s.put("skipped", why);
            return;
        }
        int secs = quick ? 5 : 15;
        String client = "i=0; until ping -c 1 -W 1 10.88.0.1 >/dev/null; do i=$((i+1)); [ $i -lt 120 ] || exit 1; "
                + "sleep 1; done; iperf3 -c 10.88.0.1 -t " + secs + " -f m";
        progress.println("bench: vm-bridge-vm: two VMs through the host bridge (" + secs + " s of iperf3)...");
        try (Stack host = Stack.start(top, root, "vbhost", "-d", "vdevpeer-net",
                "peer=/dev/qvm/bvm1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/bvm2/p2p,bind=/dev/vdevpeers/vp1",
                "-c", "ifconfig bridge0 create", "-c", "brconfig bridge0 add vp0 add vp1 up");
             VmRun server = VmRun.start(top, root, "bvm1", "--ip", "10.88.0.1/24");
             VmRun client1 = VmRun.start(top, root, "bvm2", "--ip", "10.88.0.2/24", "--run", client)) {
            long cpu0 = host.cpuNanos();
            long t0 = System.nanoTime();
            double mbps = iperfReceiver(client1.awaitConsole("pktstack-vm: run 0 exit", 600));
            s.put("mbps", mbps);
            s.put("host_cpu_pct_while_booting_and_measuring",
                    100.0 * (host.cpuNanos() - cpu0) / (System.nanoTime() - t0));
            progress.println("bench: vm-bridge-vm through pktstack: " + mbps + " Mbit/s; " + host.ok("nicinfo vp1")
                    .lines().filter(l -> l.contains("segments cut") || l.contains("Features negotiated")).toList());
        }
        if (!linux) {
            return;
        }
        progress.println("bench: vm-bridge-vm: the same two VMs on TAP devices in a Linux bridge...");
        String br = "vubr" + ProcessHandle.current().pid() % 100000;
        String[] taps = {"vut1" + ProcessHandle.current().pid() % 10000, "vut2" + ProcessHandle.current().pid() % 10000};
        try {
            mustRun("ip", "link", "add", br, "type", "bridge");
            mustRun("ip", "link", "set", br, "up");
            try (VmRun server = VmRun.start(top, root, "bvm1", "--ip", "10.88.0.1/24", "--tap", taps[0]);
                 VmRun client1 = VmRun.start(top, root, "bvm2", "--ip", "10.88.0.2/24", "--tap", taps[1],
                         "--run", client)) {
                for (String t : taps) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (LinuxRef.run(List.of("ip", "link", "set", t, "master", br)).status() != 0) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("QEMU made no TAP " + t);
                        }
                        sleep(100);
                    }
                    mustRun("ip", "link", "set", t, "up");
                }
                double mbps = iperfReceiver(client1.awaitConsole("pktstack-vm: run 0 exit", 600));
                s.put("linux_mbps", mbps);
                s.put("ratio", ((Number) s.get("mbps")).doubleValue() / mbps);
                progress.println("bench: vm-bridge-vm through a Linux bridge: " + mbps + " Mbit/s");
            }
        } finally {
            LinuxRef.run(List.of("ip", "link", "del", br));
        }
    }

    /** iperf3's receiver line: "[  5]   0.00-5.00   sec  56.2 MBytes  94.3 Mbits/sec   receiver". */
    static double iperfReceiver(String console) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+) Mbits/sec\\s+receiver").matcher(console);
        if (!m.find()) {
            throw new IllegalStateException("no iperf3 result on the console:\n" + console);
        }
        return Double.parseDouble(m.group(1));
    }

    // ---- measuring ----------------------------------------------------------------------------

    /**
     * pktgen in {@code sender} to {@code dstMac}, frames counted by
     * {@code delivered}; the median run by rate is kept, with the CPU and heap
     * allocation of every process of the scenario over that run.
     */
    private void forwarding(Map<String, Object> s, Stack sender, String ifName, String dstMac, int size,
            LongSupplier delivered, List<Stack> processes) {
        // ifName may carry pktgen options before the interface ("-4 SRC DST vt0": IPv4 frames for a router).
        // Warm-up: as many frames as a run. 200,000 was shorter than C2 takes to compile the data path while
        // three busy threads share two cores (its compiler threads run at nice 10): -XX:+PrintCompilation showed
        // tier-4 compiles of the host's receive and bridge methods during run 1, which was 25-55 % slower.
        sender.ok("pktgen -n " + frames + " -s " + size + " " + ifName + " " + dstMac);
        // What the measurement allocates by itself (the ctl commands that read the counters and start
        // pktgen, each a shell session in the stacks) is measured with a one-frame run and subtracted,
        // so the column shows the data path's allocation per frame and not the cost of asking.
        long overhead = Long.MAX_VALUE;
        for (int r = 0; r < 2; r++) {
            long heap0 = 0;
            for (Stack p : processes) {
                heap0 += p.heapAllocated();
            }
            sender.ok("pktgen -n 1 -s " + size + " " + ifName + " " + dstMac);
            sleep(300); // as the runs do
            delivered.getAsLong();
            long heap = -heap0;
            for (Stack p : processes) {
                heap += p.heapAllocated();
            }
            overhead = Math.min(overhead, heap);
        }
        List<double[]> results = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long rx0 = delivered.getAsLong();
            long heap0 = 0;
            for (Stack p : processes) {
                heap0 += p.heapAllocated();
            }
            long cpu0 = 0;
            for (Stack p : processes) {
                cpu0 += p.cpuNanos();
            }
            long wall0 = System.nanoTime();
            String out = sender.ok("pktgen -n " + frames + " -s " + size + " " + ifName + " " + dstMac);
            long wall = System.nanoTime() - wall0;
            long cpu = -cpu0;
            for (Stack p : processes) {
                cpu += p.cpuNanos();
            }
            sleep(300); // the last frames land
            long got = delivered.getAsLong() - rx0;
            long heap = -heap0 - overhead;
            for (Stack p : processes) {
                heap += p.heapAllocated();
            }
            heap = Math.max(0, heap);
            Matcher m = PKTGEN_SECONDS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("unexpected pktgen output: " + out);
            }
            double secs = Double.parseDouble(m.group(1));
            double mpps = got / secs / 1e6;
            results.add(new double[] {mpps, (double) got / frames, 100.0 * cpu / wall, (double) heap / Math.max(1, got)});
            progress.printf(Locale.ROOT, "  run %d: %d of %d frames delivered in %.3f s: %.3f Mpps, CPU %.0f %%, %.2f bytes allocated per frame%n",
                    r + 1, got, frames, secs, mpps, 100.0 * cpu / wall, (double) heap / Math.max(1, got));
        }
        results.sort((x, y) -> Double.compare(x[0], y[0]));
        double[] med = results.get(results.size() / 2);
        s.put("zero_loss_mpps", zeroLoss(sender, ifName, dstMac, size, delivered, med));
        s.put("mpps", med[0]);
        s.put("mbps", med[0] * (size + 4) * 8); // on the wire: the frame with its FCS
        s.put("delivered_ratio", med[1]);
        s.put("cpu_pct", med[2]);
        s.put("alloc_bytes_per_frame", med[3]);
        s.put("frame_bytes", size + 4);
    }

    /** Loss allowed at the zero-loss rate (RFC 2544 asks none; one frame in a thousand, as the target). */
    static final double ZERO_LOSS = 0.001;

    /**
     * zero_loss_mpps: the highest offered rate that loses at most {@link #ZERO_LOSS}
     * of the frames (RFC 2544 §26.1 throughput). If the unpaced runs lost no more,
     * that is their rate; otherwise a binary search with {@code pktgen -r} between
     * 0 and the rate they offered, on runs of a quarter of the frames.
     */
    private double zeroLoss(Stack sender, String ifName, String dstMac, int size, LongSupplier delivered,
            double[] full) {
        if (full[1] >= 1 - ZERO_LOSS) {
            return full[0];
        }
        double lo = 0;
        double hi = full[0] / Math.max(full[1], 1e-3); // what was offered: delivered / ratio
        long n = Math.max(50_000, frames / 4);
        for (int step = 0; step < (quick ? 5 : 7); step++) {
            double rate = (lo + hi) / 2;
            long rx0 = delivered.getAsLong();
            sender.ok(String.format(Locale.ROOT, "pktgen -r %.4f -n %d -s %d %s %s", rate, n, size, ifName, dstMac));
            sleep(300);
            double ratio = (double) (delivered.getAsLong() - rx0) / n;
            progress.printf(Locale.ROOT, "  zero-loss search: %.3f Mpps offered, %.2f %% delivered%n", rate, 100 * ratio);
            if (ratio >= 1 - ZERO_LOSS) {
                lo = rate;
            } else {
                hi = rate;
            }
        }
        return lo;
    }

    private void linuxForwarding(Map<String, Object> s, LinuxRef ref, int size) {
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long[] d = ref.generate(size, frames);
            double mpps = d[0] / (d[1] / 1e9) / 1e6;
            rates.add(mpps);
            progress.printf(Locale.ROOT, "  Linux run %d: %d of %d frames delivered: %.3f Mpps%n", r + 1, d[0], frames, mpps);
        }
        rates.sort(null);
        double linuxMpps = rates.get(rates.size() / 2);
        s.put("linux_mpps", linuxMpps);
        s.put("ratio", (double) s.get("mpps") / linuxMpps);
    }

    private void latency(Map<String, Object> s, List<Double> micros, String prefix) {
        if (micros.isEmpty()) {
            throw new IllegalStateException("no ping replies");
        }
        List<Double> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        s.put(prefix + "p50_us", percentile(sorted, 0.50));
        s.put(prefix + "p99_us", percentile(sorted, 0.99));
        s.put(prefix + "p999_us", percentile(sorted, 0.999));
        s.put(prefix + "pings", sorted.size());
        progress.printf(Locale.ROOT, "  %s%d round trips: p50 %.1f us, p99 %.1f us, p99.9 %.1f us%n", prefix.isEmpty() ? "" : "Linux: ",
                sorted.size(), percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 0.999));
    }

    static double percentile(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static List<Double> pingTimesMicros(String pingOutput) {
        List<Double> t = new ArrayList<>();
        Matcher m = PING_TIME.matcher(pingOutput);
        while (m.find()) {
            t.add(Double.parseDouble(m.group(1)) * 1000);
        }
        return t;
    }

    private static Map<String, Object> residentKib(List<Stack> processes, String statusField) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Stack st : processes) {
            m.put(st.name, st.statusKib(statusField));
        }
        return m;
    }

    private Map<String, Object> idleCpu(List<Stack> processes) {
        long[] before = new long[processes.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = processes.get(i).cpuNanos();
        }
        long wall0 = System.nanoTime();
        sleep(quick ? 2000 : 5000);
        long wall = System.nanoTime() - wall0;
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < before.length; i++) {
            m.put(processes.get(i).name, 100.0 * (processes.get(i).cpuNanos() - before[i]) / wall);
        }
        progress.println("bench: idle CPU % of a core per stack: " + m);
        return m;
    }

    private Map<String, Object> scenario(String name) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        scenarios.add(s);
        return s;
    }

    private static String mustRun(String... cmd) {
        LinuxRef.Result r = LinuxRef.run(List.of(cmd));
        if (r.status() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.out());
        }
        return r.out();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- output -------------------------------------------------------------------------------

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-24s %8s %8s %9s %8s %8s %9s %6s %10s %6s %8s%n", "scenario", "Mpps",
                "0-loss", "Mbit/s", "p50 us", "p99 us", "p99.9 us", "CPU %", "Linux Mpps", "ratio", "B/frame"));
        for (Map<String, Object> s : scenarios) {
            sb.append(String.format(Locale.ROOT, "%-24s %8s %8s %9s %8s %8s %9s %6s %10s %6s %8s%n", s.get("name"),
                    num(s, "mpps", 3), num(s, "zero_loss_mpps", 3), num(s, "mbps", 0), num(s, "p50_us", 1),
                    num(s, "p99_us", 1), num(s, "p999_us", 1), num(s, "cpu_pct", 0), num(s, "linux_mpps", 3),
                    num(s, "ratio", 2), num(s, "alloc_bytes_per_frame", 2)));
            if (s.containsKey("seconds")) {
                sb.append(String.format(Locale.ROOT, "  (%.2f s from launch to all links up; resident kB: %s)%n",
                        ((Number) s.get("seconds")).doubleValue(), s.get("rss_kib")));
            }
            if (s.containsKey("linux_mbps")) {
                sb.append(String.format(Locale.ROOT, "%-24s %8s %8s %9s%n",
                        s.get("name").equals("vm-bridge-vm") ? "  (Linux bridge, same VMs)" : "  (Linux, same job)", "", "",
                        num(s, "linux_mbps", 0)));
            }
            if (s.containsKey("transactions_per_s")) {
                sb.append(String.format(Locale.ROOT, "  (transactions/s %s, Linux %s)%n", num(s, "transactions_per_s", 0),
                        num(s, "linux_transactions_per_s", 0)));
            }
            if (s.containsKey("skipped")) {
                sb.append("  (skipped: ").append(s.get("skipped")).append(")\n");
            }
            if (s.containsKey("linux_p50_us")) {
                sb.append(String.format(Locale.ROOT, "%-24s %8s %8s %9s %8s %8s %9s%n", "  (Linux, same job)", "", "", "",
                        num(s, "linux_p50_us", 1), num(s, "linux_p99_us", 1), num(s, "linux_p999_us", 1)));
            }
        }
        extra.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        sb.append(cpuIdle.describe()).append('\n');
        return sb.toString();
    }

    private static String num(Map<String, Object> s, String key, int decimals) {
        Object v = s.get(key);
        return v instanceof Number n ? String.format(Locale.ROOT, "%." + decimals + "f", n.doubleValue()) : "-";
    }

    String json() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("scenarios", scenarios);
        all.putAll(extra);
        all.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java", System.getProperty("java.version"),
                "kernel", System.getProperty("os.version"), "cpu_idle", cpuIdle.asMap()));
        all.put("mode", quick ? "quick" : "full");
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
