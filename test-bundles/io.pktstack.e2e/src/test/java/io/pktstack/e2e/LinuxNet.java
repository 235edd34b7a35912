package io.pktstack.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace that a test creates and removes, standing for the
 * world outside the stack, and the commands run in it. Everything a test makes
 * here (the namespace, veth pairs) goes when {@link #close()} runs; a TAP device
 * the stack created goes with the stack or with the namespace it was moved to.
 */
final class LinuxNet implements AutoCloseable {

    private static int counter;

    final String ns;
    private final List<String> rootLinks = new ArrayList<>();

    private LinuxNet(String ns) {
        this.ns = ns;
    }

    /**
     * Creates a namespace, or skips the calling test with the reason when this
     * machine cannot (not root, no iproute2, no /dev/net/tun).
     */
    static LinuxNet create(String tag) {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2's ip is not installed (apt-get install iproute2)");
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces and TAP devices need root");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "no /dev/net/tun on this machine");
        String name = "pkt-" + tag + "-" + ProcessHandle.current().pid() + "-" + (++counter);
        Result r = exec(List.of("ip", "netns", "add", name));
        assumeTrue(r.status == 0, "cannot create a network namespace: " + r.out);
        LinuxNet net = new LinuxNet(name);
        net.in("ip", "link", "set", "lo", "up");
        return net;
    }

    /** A short name for a link this test creates, unique to this run (Linux allows 15 characters). */
    static String linkName(String tag) {
        String n = tag + Long.toString(ProcessHandle.current().pid() % 1_000_000, 36) + (++counter);
        return n.length() <= 15 ? n : n.substring(n.length() - 15);
    }

    /** Creates a veth pair: {@code rootEnd} stays in this process's namespace, {@code nsEnd} goes into the namespace. */
    void veth(String rootEnd, String nsEnd) {
        must(List.of("ip", "link", "add", rootEnd, "type", "veth", "peer", "name", nsEnd, "netns", ns));
        rootLinks.add(rootEnd);
        must(List.of("ip", "link", "set", rootEnd, "up"));
    }

    /** Moves a link (a TAP device the stack made) into the namespace. */
    void adopt(String link) {
        must(List.of("ip", "link", "set", link, "netns", ns));
    }

    /** Gives a link in the namespace IPv4 and IPv6 addresses and brings it up. */
    void address(String link, String v4, String v6) {
        in("ip", "addr", "add", v4, "dev", link);
        in("ip", "-6", "addr", "add", v6, "dev", link, "nodad");
        in("sysctl", "-q", "-w", "net.ipv6.conf." + link + ".router_solicitations=0");
        in("ip", "link", "set", link, "up");
    }

    /** Runs a command in the namespace; it must succeed. */
    String in(String... cmd) {
        Result r = run(cmd);
        if (r.status != 0) {
            throw new AssertionError("in " + ns + ": " + String.join(" ", cmd) + " failed (" + r.status + "):\n" + r.out);
        }
        return r.out;
    }

    /**
     * Runs {@code ping ARGS} in the namespace with a 10 s deadline ({@code -w}); it must succeed. With {@code -c N}
     * and {@code -W}, iputils waits only two round trips for the last reply once any reply has come back, so a
     * reply delayed by a loaded machine counted as lost; with {@code -w} it waits for N replies or the deadline.
     */
    String ping(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ping", "-w", "10"));
        cmd.addAll(List.of(args));
        return in(cmd.toArray(new String[0]));
    }

    /** Runs a command in the namespace. */
    Result run(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return exec(full);
    }

    /** Runs a command line in the namespace until its output satisfies {@code condition}. */
    String await(String line, java.util.function.Predicate<String> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            Result r = run(line.split(" "));
            last = r.out;
            if (r.status == 0 && condition.test(r.out)) {
                return r.out;
            }
            StackProcess.sleep(50);
        }
        throw new AssertionError("in " + ns + ": " + what + " did not happen; last '" + line + "':\n" + last);
    }

    /** Starts a command in the namespace without waiting (a listener). */
    Process start(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        try {
            return new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A counter of a link in the namespace, from sysfs (e.g. rx_packets). */
    long statistic(String link, String counter) {
        return Long.parseLong(in("cat", "/sys/class/net/" + link + "/statistics/" + counter).trim());
    }

    @Override
    public void close() {
        for (String l : rootLinks) {
            exec(List.of("ip", "link", "del", l));
        }
        exec(List.of("ip", "netns", "del", ns));
    }

    record Result(int status, String out) {
    }

    private static void must(List<String> cmd) {
        Result r = exec(cmd);
        if (r.status != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed (" + r.status + "):\n" + r.out);
        }
    }

    static Result exec(List<String> cmd) {
        try {
            // Output to a file, not a pipe read to its end first: a child that hangs must hit the timeout.
            Path file = Files.createTempFile("pktstack-exec", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(file.toFile()).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, Files.readString(file) + "\n(timed out)");
                }
                return new Result(p.exitValue(), Files.readString(file));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
