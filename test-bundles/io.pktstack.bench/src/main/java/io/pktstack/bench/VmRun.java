package io.pktstack.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Linux VM started through {@code bin/pktstack vm}, for the VM scenario; its console is read for results. */
final class VmRun implements AutoCloseable {

    final String name;
    private final Path console;
    private final Path log;
    private final Process process;

    private VmRun(String name, Path console, Path log, Process process) {
        this.name = name;
        this.console = console;
        this.log = log;
        this.process = process;
    }

    static VmRun start(Path top, Path root, String name, String... args) {
        try {
            Path log = root.resolve(name + ".vm.log");
            List<String> cmd = new ArrayList<>(List.of(top.resolve("bin/pktstack").toString(), "vm", "--root",
                    root.toString(), name));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new VmRun(name, root.resolve("run").resolve(name + ".console"), log, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code text} on the console; returns the console (CR LF as LF). */
    String awaitConsole(String text, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String c = read(console).replace("\r\n", "\n");
            if (c.contains(text)) {
                return c;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended:\n" + read(log));
            }
            Bench.sleep(500);
        }
        throw new IllegalStateException(name + ": no '" + text + "' in " + seconds + " s:\n" + read(log) + read(console));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
