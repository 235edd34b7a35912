package io.pktstack.soak;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One pktstack instance started through {@code bin/pktstack}, driven through
 * its control socket, and looked at from outside: descriptors, threads and
 * resident memory from /proc, frames in use from {@code netstat -m}.
 */
public final class Instance implements AutoCloseable {

    public final String name;
    private final Path top;
    private final Path root;
    private final Path log;
    private final List<String> args;
    private final String jvmOptions;
    private Process process;

    private Instance(Path top, Path root, String name, List<String> args, String jvmOptions) {
        this.top = top;
        this.root = root;
        this.name = name;
        this.args = args;
        this.jvmOptions = jvmOptions;
        this.log = root.resolve("logs").resolve(name + ".log");
    }

    /** Starts an instance and waits until it says it is ready. */
    public static Instance start(Path top, Path root, String name, String... args) {
        Instance i = new Instance(top, root, name, List.of(args), "");
        i.launch();
        return i;
    }

    /**
     * Starts an instance whose JVM tracks its native memory, so that
     * {@link #memory} can tell the heap's live objects, class metadata and
     * the rest apart (resident memory alone cannot: see {@link Memory}).
     */
    public static Instance startTracked(Path top, Path root, String name, String... args) {
        Instance i = new Instance(top, root, name, List.of(args), "-XX:NativeMemoryTracking=summary");
        i.launch();
        return i;
    }

    private void launch() {
        String ready = "pktstack " + name + ": ready";
        int before = count(logText(), ready); // the log is appended to across restarts
        try {
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>(List.of(top.resolve("bin/pktstack").toString(), "--root", root.toString(),
                    "--name", name));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("PKTSTACK_JAVA_OPTS", jvmOptions);
            process = pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                    log.toFile())).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (count(logText(), ready) > before) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " failed to start:\n" + logText());
            }
            sleep(50);
        }
        throw new IllegalStateException(name + " not ready in 60 s:\n" + logText());
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Runs a command through the control socket. */
    public CtlClient.Response ctl(String line) {
        try {
            return CtlClient.call(root.resolve("run").resolve(name + ".ctl"), line);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + line, e);
        }
    }

    /** Runs a command that must succeed; returns what it printed. */
    public String ok(String line) {
        CtlClient.Response r = ctl(line);
        if (r.status() != 0) {
            throw new IllegalStateException(name + ": '" + line + "' failed (" + r.status() + "):\n" + r.out() + r.err());
        }
        return r.out();
    }

    /** Polls a command until its output satisfies {@code condition}, for up to {@code seconds}. */
    public String await(String line, Predicate<String> condition, String what, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = "";
        while (System.nanoTime() < deadline) {
            CtlClient.Response r = ctl(line);
            last = r.out() + r.err();
            if (r.status() == 0 && condition.test(r.out())) {
                return r.out();
            }
            sleep(100);
        }
        throw new IllegalStateException(name + ": " + what + " did not happen; last '" + line + "':\n" + last);
    }

    public void awaitRunning(String ifName) {
        await("ifconfig " + ifName, o -> o.contains("RUNNING"), ifName + " running", 30);
    }

    /** Frames of the pool in use (netstat -m: "N/M/T frames in use/free/total"). */
    public long framesInUse() {
        String out = ok("netstat -m");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)/\\d+/\\d+ frames in use").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(name + ": no frames in use in netstat -m:\n" + out);
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * Open descriptors of the process, the JDK's epoll instances left out:
     * the JDK makes those once, lazily, as its virtual threads (the control
     * socket's requests) first block on I/O on each carrier, and keeps them;
     * they are not the stack's to close.
     */
    public long fds() {
        return fdTargets().values().stream().filter(t -> !t.equals("anon_inode:[eventpoll]")).count();
    }

    /** What each open descriptor is (readlink of /proc/PID/fd/N), by number. */
    public java.util.SortedMap<Integer, String> fdTargets() {
        java.util.SortedMap<Integer, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Threads of the process, the JDK's scheduler threads for virtual threads
     * left out (its carriers come and go with the load and idle away after
     * half a minute; its pollers are made once, as the control socket's
     * requests first block): what is left are the stack's own.
     */
    public long threads() {
        return threadNames().stream().filter(n -> !JDK_SCHEDULER.matcher(n).lookingAt()).count();
    }

    private static final java.util.regex.Pattern JDK_SCHEDULER = java.util.regex.Pattern.compile(
            "ForkJoinPool-|Read-Poller|Write-Poller|MasterPoller|VirtualThread-|CarrierThread");

    /** The names of the process's threads (/proc/PID/task/N/comm: Linux keeps 15 characters). */
    public List<String> threadNames() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path t : s.toList()) {
                try {
                    out.add(Files.readString(t.resolve("comm")).strip());
                } catch (IOException e) {
                    // ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /** Resident memory, KiB. */
    public long rssKib() {
        return status("VmRSS:");
    }

    /**
     * Where the JVM's memory goes, after a full collection. Resident memory
     * is no measure of a leak: the collector touches heap pages it reserved
     * (-Xms256m) for the first time as objects move, and the pages stay
     * resident after the objects die.
     *
     * @param liveHeapKib the heap in use after a full collection
     * @param classKib class metadata committed: NMT's Metaspace, Class and Symbol (a bundle
     *        updated or reinstalled leaves a class loader that must be collected)
     * @param nativeKib the rest of what NMT sees committed, without the categories that grow for
     *        reasons other than a leak: the JIT's Code cache (more methods get hot over a long
     *        run, up to ReservedCodeCacheSize), the Compiler's and Arena Chunk's transient arenas,
     *        and GC's structures, which are sized by the committed heap (the live heap is
     *        checked instead). What is left holds threads' stacks, off-heap buffers (Other),
     *        Internal, Module and Synchronization.
     * @param bundleLoaders bundles' class loaders alive after the collection (one that outlives its
     *        bundle's update or uninstall shows here as one more, however few classes it holds; the
     *        JDK's own loaders are left out: it makes some lazily, once, e.g. sun.reflect.misc.MethodUtil)
     */
    public record Memory(long liveHeapKib, long classKib, long nativeKib, int bundleLoaders) {}

    private static final java.util.regex.Pattern GEN_USED = java.util.regex.Pattern.compile(
            "^\\s*(?:PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K", java.util.regex.Pattern.MULTILINE);
    private static final java.util.regex.Pattern NMT = java.util.regex.Pattern.compile(
            "^-\\s+([A-Za-z ]+?) \\(reserved=\\d+KB, committed=(\\d+)KB", java.util.regex.Pattern.MULTILINE);
    /** A loader's line in VM.classloader_stats: address, parent, CLD, classes, sizes, then its class. */
    private static final java.util.regex.Pattern LOADER = java.util.regex.Pattern.compile(
            "^0x\\p{XDigit}+\\s+0x\\p{XDigit}+\\s+0x\\p{XDigit}+\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\S.*)$",
            java.util.regex.Pattern.MULTILINE);
    /** Felix's class loader of a bundle's revision. */
    private static final String BUNDLE_LOADER = "org.apache.felix.framework.BundleWiringImpl$BundleClassLoader";
    /** NMT categories counted as class metadata (see {@link Memory}). */
    private static final java.util.Set<String> CLASS_CATEGORIES = java.util.Set.of("Metaspace", "Class", "Symbol");
    /** NMT categories left out of the native figure (see {@link Memory}). */
    private static final java.util.Set<String> NOT_NATIVE = java.util.Set.of("Java Heap", "Code", "Compiler",
            "Arena Chunk", "GC");

    /**
     * Runs a full collection in the instance and measures its memory (through
     * jcmd); the instance must have been {@linkplain #startTracked started tracked}.
     */
    public Memory memory() {
        if (jvmOptions.isEmpty()) {
            throw new IllegalStateException(name + " was not started with native memory tracking");
        }
        jcmd("GC.run");
        String heap = jcmd("GC.heap_info");
        long live = 0;
        int gens = 0;
        for (java.util.regex.Matcher m = GEN_USED.matcher(heap); m.find(); gens++) {
            live += Long.parseLong(m.group(1));
        }
        String nmt = jcmd("VM.native_memory", "summary");
        if (gens != 2) {
            throw new IllegalStateException(name + ": unexpected GC.heap_info (not the parallel collector?):\n" + heap);
        }
        long classKib = 0;
        long nativeKib = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (java.util.regex.Matcher m = NMT.matcher(nmt); m.find(); ) {
            String category = m.group(1).strip();
            long committed = Long.parseLong(m.group(2));
            seen.add(category);
            if (CLASS_CATEGORIES.contains(category)) {
                classKib += committed;
            } else if (!NOT_NATIVE.contains(category)) {
                nativeKib += committed;
            }
        }
        if (!seen.containsAll(CLASS_CATEGORIES) || !seen.contains("Java Heap")) {
            throw new IllegalStateException(name + ": VM.native_memory lacks " + CLASS_CATEGORIES + " or Java Heap:\n" + nmt);
        }
        String loaders = jcmd("VM.classloader_stats");
        int bundleLoaders = 0;
        for (java.util.regex.Matcher m = LOADER.matcher(loaders); m.find(); ) {
            bundleLoaders += m.group(1).strip().equals(BUNDLE_LOADER) ? 1 : 0;
        }
        if (bundleLoaders == 0) {
            throw new IllegalStateException(name + ": no bundle class loader in VM.classloader_stats:\n" + loaders);
        }
        return new Memory(live, classKib, nativeKib, bundleLoaders);
    }

    private String jcmd(String... command) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid())));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + String.join(" ", command) + " on " + name + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private long status(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (l.startsWith(key)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + key + " for " + name);
    }

    /** kill -9: no chance to clean up. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the same instance again (after {@link #kill}). */
    public void restart() {
        launch();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
