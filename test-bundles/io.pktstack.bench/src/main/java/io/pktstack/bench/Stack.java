package io.pktstack.bench;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One stack instance started with {@code bin/pktstack} for a scenario, driven through its control socket. */
final class Stack implements AutoCloseable {

    final String name;
    private final Path root;
    private final Path log;
    private final Process process;

    private Stack(String name, Path root, Path log, Process process) {
        this.name = name;
        this.root = root;
        this.log = log;
        this.process = process;
    }

    static Stack start(Path top, Path root, String name, String... args) {
        Stack s = launch(top, root, name, args);
        try {
            s.awaitReady();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Starts the process without waiting for it ({@link #awaitReady} does). */
    static Stack launch(Path top, Path root, String name, String... args) {
        try {
            Path log = root.resolve(name + ".log");
            List<String> cmd = new ArrayList<>(List.of(top.resolve("bin/pktstack").toString(), "--root", root.toString(),
                    "--name", name));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new Stack(name, root, log, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitReady() {
        try {
            awaitReadyOrFail();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReadyOrFail() throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains("pktstack " + name + ": ready")) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " failed to start:\n" + text);
            }
            Bench.sleep(50);
        }
        throw new IllegalStateException(name + " not ready in 60 s");
    }

    /** Runs a shell command that must succeed. */
    String ok(String line) {
        try {
            CtlClient.Response r = CtlClient.call(root.resolve("run").resolve(name + ".ctl"), line);
            if (r.status() != 0) {
                throw new IllegalStateException(name + ": '" + line + "' failed:\n" + r.out() + r.err());
            }
            return r.out();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + line, e);
        }
    }

    /** Retries a command until it succeeds (a link coming up, a first ARP). */
    void await(String line) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                ok(line);
                return;
            } catch (RuntimeException e) {
                last = e;
                Bench.sleep(100);
            }
        }
        throw last;
    }

    /** Retries a command until its output contains {@code expected} (bounded). */
    void awaitOutput(String line, String expected) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            last = ok(line);
            if (last.contains(expected)) {
                return;
            }
            Bench.sleep(20);
        }
        throw new IllegalStateException(name + ": '" + line + "' never showed '" + expected + "':\n" + last);
    }

    String mac(String ifName) {
        for (String l : ok("ifconfig " + ifName).split("\n")) {
            l = l.trim();
            if (l.startsWith("address:")) {
                return l.substring("address:".length()).trim();
            }
        }
        throw new IllegalStateException(name + ": no MAC for " + ifName);
    }

    /** Packets received on an interface ({@code netstat -i}'s Ipkts). */
    long rxPackets(String ifName) {
        for (String line : ok("netstat -i").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(ifName)) {
                return Long.parseLong(f[3]);
            }
        }
        throw new IllegalStateException(name + " has no " + ifName);
    }

    /** Heap bytes the stack's JVM has allocated so far (netstat -m), or -1. */
    long heapAllocated() {
        for (String l : ok("netstat -m").split("\n")) {
            if (l.contains("bytes allocated on the heap")) {
                return Long.parseLong(l.trim().split(" ")[0]);
            }
        }
        return -1;
    }

    /** CPU time (user + system) the stack's process has used, in nanoseconds, from /proc. */
    long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException e) {
            return 0;
        }
    }

    /** A kB figure of the process's /proc status ({@code VmRSS:}, {@code VmHWM:}), or -1 once it is gone. */
    long statusKib(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (l.startsWith(field)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
