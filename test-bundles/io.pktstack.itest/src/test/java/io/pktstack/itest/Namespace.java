package io.pktstack.itest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace a test makes and removes, standing for the world
 * on the other side of a TAP device (the e2e module's LinuxNet, reduced to
 * what in-framework tests need).
 */
final class Namespace implements AutoCloseable {

    final String name;

    private Namespace(String name) {
        this.name = name;
    }

    static Namespace create(String tag) {
        String name = "pkt-it-" + tag + "-" + ProcessHandle.current().pid();
        exec(List.of("ip", "netns", "del", name)); // a leftover of a killed run
        must(List.of("ip", "netns", "add", name));
        Namespace ns = new Namespace(name);
        ns.run("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** The namespace an earlier test of this JVM made with the same tag. */
    static Namespace existing(String tag) {
        return new Namespace("pkt-it-" + tag + "-" + ProcessHandle.current().pid());
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Moves a link (a TAP device the stack made) into the namespace. */
    void adopt(String link) {
        must(List.of("ip", "link", "set", link, "netns", name));
    }

    /** Runs a command in the namespace; it must succeed. */
    String run(String... cmd) {
        Result r = exec(inside(cmd));
        if (r.status != 0) {
            throw new AssertionError("in " + name + ": " + String.join(" ", cmd) + " failed (" + r.status + "):\n"
                    + r.out);
        }
        return r.out;
    }

    int status(String... cmd) {
        return exec(inside(cmd)).status;
    }

    String output(String... cmd) {
        return exec(inside(cmd)).out;
    }

    /** Starts a command in the namespace without waiting for it (a server, a client fed by the test). */
    Process start(String... cmd) {
        try {
            return new ProcessBuilder(inside(cmd)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> inside(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return full;
    }

    /** Ends every process left in the namespace (servers the test started), then removes it. */
    @Override
    public void close() {
        Result pids = exec(List.of("ip", "netns", "pids", name));
        for (String pid : pids.out.split("\\s+")) {
            if (pid.matches("\\d+")) {
                exec(List.of("kill", "-9", pid));
            }
        }
        exec(List.of("ip", "netns", "del", name));
    }

    private record Result(int status, String out) {
    }

    private static void must(List<String> cmd) {
        Result r = exec(cmd);
        if (r.status != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed (" + r.status + "):\n" + r.out);
        }
    }

    private static Result exec(List<String> cmd) {
        try {
            Path file = Files.createTempFile("pktstack-itest-exec", ".txt");
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
