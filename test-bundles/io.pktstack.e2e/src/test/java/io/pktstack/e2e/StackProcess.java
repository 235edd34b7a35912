package io.pktstack.e2e;

import io.pktstack.launcher.ctl.CtlClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One pktstack instance started through {@code bin/pktstack}, as a user would,
 * with its output in a log file; driven through its control socket.
 */
final class StackProcess implements AutoCloseable {

    static final Path TOP = Path.of(System.getProperty("pktstack.top", "../..")).toAbsolutePath().normalize();
    static final Path LAUNCHER = TOP.resolve("bin/pktstack");

    final String name;
    final Path root;
    final Path log;
    private final List<String> args;
    private Process process;

    private StackProcess(Path root, String name, List<String> args) {
        this.root = root;
        this.name = name;
        this.args = args;
        this.log = root.resolve("logs").resolve(name + ".log");
    }

    /** Starts an instance and waits until it says it is ready. */
    static StackProcess start(Path root, String name, String... args) {
        StackProcess p = new StackProcess(root, name, List.of(args));
        p.launch();
        p.awaitReady();
        return p;
    }

    /** Runs {@code bin/pktstack ARGS} to completion (for command-line errors); returns status and output. */
    static CtlClient.Response run(Path root, String... args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "--root", root.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    /** Runs {@code bin/pktstack ctl NAME LINE...} as a separate process, as scripts do. */
    static CtlClient.Response ctlCommand(Path root, String name, String... line) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "ctl", "--root", root.toString(), name));
        cmd.addAll(List.of(line));
        return exec(cmd);
    }

    private static CtlClient.Response exec(List<String> cmd) {
        try {
            Path out = Files.createTempFile("pktstack-out", ".txt");
            Path err = Files.createTempFile("pktstack-err", ".txt");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("command did not finish: " + cmd);
            }
            CtlClient.Response r = new CtlClient.Response(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void launch() {
        try {
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "--root", root.toString(), "--name", name));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the same instance again (after {@link #kill}). */
    void restart() {
        launch();
        awaitReady();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String text = logText();
            if (text.contains("pktstack " + name + ": ready")) {
                return;
            }
            if (text.contains("pktstack: error") || !process.isAlive()) {
                throw new AssertionError(name + " failed to start:\n" + text);
            }
            sleep(50);
        }
        throw new AssertionError(name + " not ready in time:\n" + logText());
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs a shell command through the control socket. */
    CtlClient.Response ctl(String line) {
        try {
            return CtlClient.call(root.resolve("run").resolve(name + ".ctl"), line);
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": " + line, e);
        }
    }

    /** Runs a command that must succeed; returns its output. */
    String ok(String line) {
        CtlClient.Response r = ctl(line);
        if (r.status() != 0) {
            throw new AssertionError(name + ": '" + line + "' failed (" + r.status() + "):\n" + r.out() + r.err());
        }
        return r.out();
    }

    /** Polls a command until its output satisfies {@code condition}. */
    String await(String line, Predicate<String> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            CtlClient.Response r = ctl(line);
            last = r.out() + r.err();
            if (r.status() == 0 && condition.test(r.out())) {
                return r.out();
            }
            sleep(50);
        }
        throw new AssertionError(name + ": " + what + " did not happen; last '" + line + "':\n" + last);
    }

    /** Packets received and sent on an interface, from {@code netstat -i}. */
    long[] packets(String ifName) {
        for (String line : ok("netstat -i").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(ifName)) {
                return new long[] {Long.parseLong(f[3]), Long.parseLong(f[6])};
            }
        }
        throw new AssertionError(name + " has no " + ifName + " in netstat -i");
    }

    /** Waits until interface {@code ifName} has carrier. */
    void awaitRunning(String ifName) {
        await("ifconfig " + ifName, o -> o.contains("RUNNING"), ifName + " running");
    }

    void awaitDown(String ifName) {
        await("ifconfig " + ifName, o -> !o.contains("RUNNING") && o.contains("no carrier"), ifName + " down");
    }

    /** kill -9: no chance to clean up. */
    void kill() {
        process.destroyForcibly();
        waitExit();
    }

    private void waitExit() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
