package io.pktstack.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux VM started through {@code bin/pktstack vm}, as a user would: its
 * virtio-net is served over vhost-user at {@code ROOT/dev/qvm/NAME/p2p}; what
 * it prints goes to a log, its console to {@code ROOT/run/NAME.console}.
 */
final class VmProcess implements AutoCloseable {

    /** QEMU emulates the CPU here (no usable KVM): a boot takes 6 to 30 s on two busy cores. */
    static final Duration BOOT = Duration.ofSeconds(240);

    final String name;
    final Path root;
    final Path log;
    final Path console;
    private final List<String> args;
    private Process process;

    private VmProcess(Path root, String name, List<String> args) {
        this.root = root;
        this.name = name;
        this.args = args;
        this.log = root.resolve("logs").resolve(name + ".vm.log");
        this.console = root.resolve("run").resolve(name + ".console");
    }

    /** Skips the calling test, with the reason, where QEMU cannot run. */
    static void assumeQemu() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64")),
                "QEMU is not installed (apt-get install qemu-system-x86 busybox-static cpio kmod)");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is not installed");
    }

    /** Starts a VM (without waiting for it). */
    static VmProcess start(Path root, String name, String... args) {
        VmProcess vm = new VmProcess(root, name, List.of(args));
        vm.launch();
        return vm;
    }

    private void launch() {
        try {
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>(List.of(StackProcess.LAUNCHER.toString(), "vm", "--root", root.toString(),
                    name));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the VM says its network is up. */
    VmProcess awaitReady() {
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = logText();
            if (text.lines().anyMatch("ready"::equals)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " ended before it was ready:\n" + text);
            }
            StackProcess.sleep(200);
        }
        throw new AssertionError(name + " not ready in " + BOOT + ":\n" + logText() + "\nconsole:\n" + consoleText());
    }

    /** Starts the same VM again (after {@link #kill}) and waits until it is ready. */
    void restart() {
        launch();
        awaitReady();
    }

    String logText() {
        return read(log);
    }

    /** The console so far, with the serial line's CR LF as LF. */
    String consoleText() {
        return read(console).replace("\r\n", "\n");
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the console shows {@code text} (for the output of --run commands). */
    String awaitConsole(String text, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            String c = consoleText();
            if (c.contains(text)) {
                return c;
            }
            StackProcess.sleep(200);
        }
        throw new AssertionError(name + ": '" + text + "' never appeared on the console:\n" + consoleText());
    }

    /** The VM dies at once, as on a crash: QEMU and the command are killed with -9. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Stops the VM with a signal, as a user would; QEMU must end with it. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        List<ProcessHandle> qemu = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : qemu) {
            if (h.isAlive()) {
                h.destroyForcibly();
                throw new AssertionError(name + ": " + h.info().command().orElse("a child") + " outlived the signal");
            }
        }
    }
}
