package io.pktstack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Linux kernel doing the same job as a scenario, in network namespaces this
 * class makes and removes: two "guests" (namespaces {@code A} and {@code B})
 * joined by a Linux bridge in a third namespace, or by one veth pair for the
 * peer-to-peer case. Frames come from {@link LinuxPktgen} in A and are counted
 * by the kernel on B's interface.
 */
final class LinuxRef implements AutoCloseable {

    private final String tag = "pkb" + ProcessHandle.current().pid();
    private final String nsA = tag + "a";
    private final String nsB = tag + "b";
    private final String nsBridge = tag + "br";
    private final String nsRouter = tag + "r";
    private final boolean bridged;
    private final boolean routed;

    private LinuxRef(boolean bridged) {
        this(bridged, false);
    }

    private LinuxRef(boolean bridged, boolean routed) {
        this.bridged = bridged;
        this.routed = routed;
    }

    /** Whether this process may make namespaces (root with iproute2). */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && run(List.of("ip", "netns", "list")).status == 0;
    }

    /** A --- br0 --- B, each guest on a veth whose other end is a bridge port. */
    static LinuxRef bridge() {
        LinuxRef r = new LinuxRef(true);
        r.make();
        return r;
    }

    /**
     * A (10.98.1.2) --- R --- B (10.98.2.2): two subnets, the namespace R
     * forwarding between them ({@code net.ipv4.ip_forward=1}), for the
     * routed scenario.
     */
    static LinuxRef router() {
        LinuxRef r = new LinuxRef(false, true);
        r.makeRouted();
        return r;
    }

    private void makeRouted() {
        for (String ns : List.of(nsA, nsB, nsRouter)) {
            must("ip", "netns", "add", ns);
            must("ip", "-n", ns, "link", "set", "lo", "up");
            must("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            must("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        }
        must("ip", "netns", "exec", nsRouter, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        must("ip", "-n", nsRouter, "link", "add", "ra", "type", "veth", "peer", "name", "eth0", "netns", nsA);
        must("ip", "-n", nsRouter, "link", "add", "rb", "type", "veth", "peer", "name", "eth0", "netns", nsB);
        must("ip", "-n", nsRouter, "addr", "add", "10.98.1.1/24", "dev", "ra");
        must("ip", "-n", nsRouter, "addr", "add", "10.98.2.1/24", "dev", "rb");
        must("ip", "-n", nsRouter, "link", "set", "ra", "up");
        must("ip", "-n", nsRouter, "link", "set", "rb", "up");
        must("ip", "-n", nsA, "addr", "add", "10.98.1.2/24", "dev", "eth0");
        must("ip", "-n", nsB, "addr", "add", "10.98.2.2/24", "dev", "eth0");
        must("ip", "-n", nsA, "link", "set", "eth0", "up");
        must("ip", "-n", nsB, "link", "set", "eth0", "up");
        must("ip", "-n", nsA, "route", "add", "default", "via", "10.98.1.1");
        must("ip", "-n", nsB, "route", "add", "default", "via", "10.98.2.1");
        // Every neighbour resolved: the measurement sees forwarding, not ARP.
        run(List.of("ip", "netns", "exec", nsA, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.98.2.2"));
    }

    /** A --- B on one veth pair. */
    static LinuxRef peerToPeer() {
        LinuxRef r = new LinuxRef(false);
        r.make();
        return r;
    }

    private void make() {
        for (String ns : bridged ? List.of(nsA, nsB, nsBridge) : List.of(nsA, nsB)) {
            must("ip", "netns", "add", ns);
            must("ip", "-n", ns, "link", "set", "lo", "up");
            must("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
            must("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        }
        if (bridged) {
            must("ip", "-n", nsBridge, "link", "add", "br0", "type", "bridge");
            must("ip", "-n", nsBridge, "link", "add", "pa", "type", "veth", "peer", "name", "eth0", "netns", nsA);
            must("ip", "-n", nsBridge, "link", "add", "pb", "type", "veth", "peer", "name", "eth0", "netns", nsB);
            must("ip", "-n", nsBridge, "link", "set", "pa", "master", "br0", "up");
            must("ip", "-n", nsBridge, "link", "set", "pb", "master", "br0", "up");
            must("ip", "-n", nsBridge, "link", "set", "br0", "up");
        } else {
            must("ip", "-n", nsA, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", nsB);
        }
        must("ip", "-n", nsA, "addr", "add", "10.99.0.1/24", "dev", "eth0");
        must("ip", "-n", nsB, "addr", "add", "10.99.0.2/24", "dev", "eth0");
        must("ip", "-n", nsA, "link", "set", "eth0", "up");
        must("ip", "-n", nsB, "link", "set", "eth0", "up");
        // Both ends learned by the bridge and resolved: the measurement sees known unicast.
        run(List.of("ip", "netns", "exec", nsA, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.99.0.2"));
    }

    String macOfB() {
        return macOf(nsB, "eth0");
    }

    private static String macOf(String ns, String link) {
        String out = must("ip", "-n", ns, "link", "show", link);
        return out.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
    }

    long rxOfB() {
        return Long.parseLong(must("ip", "netns", "exec", nsB, "cat", "/sys/class/net/eth0/statistics/rx_packets").trim());
    }

    /**
     * Sends frames from A to B with the reference generator (routed: IPv4/UDP
     * to R's MAC, which forwards them); returns {delivered, nanos}.
     */
    long[] generate(int bytes, long frames) {
        long before = rxOfB();
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nsA,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LinuxPktgen.class.getName(), "eth0",
                routed ? macOf(nsRouter, "ra") : macOfB(), Integer.toString(bytes), Long.toString(frames), "32"));
        if (routed) {
            cmd.addAll(List.of("10.98.1.2", "10.98.2.2"));
        }
        Result r = run(cmd);
        if (r.status != 0 || !r.out.contains("sent ")) {
            throw new IllegalStateException("Linux generator failed: " + r.out);
        }
        long nanos = Long.parseLong(r.out.replaceAll("(?s).*frames in ([0-9]+) ns.*", "$1"));
        Bench.sleep(300);
        return new long[] {rxOfB() - before, nanos};
    }

    /** Round trips A -> B with Linux's ping; returns the times in microseconds. */
    List<Double> ping(int count) {
        Result r = run(List.of("ip", "netns", "exec", nsA, "ping", "-c", Integer.toString(count), "-i", "0", "-W", "1",
                "10.99.0.2"));
        return Bench.pingTimesMicros(r.out);
    }

    /** Linux's iperf3 from A to B, one stream: received bits per second. */
    double iperf3BitsPerSecond(int seconds) throws IOException {
        Process server = new ProcessBuilder("ip", "netns", "exec", nsB, "iperf3", "-s", "-1", "--forceflush").redirectErrorStream(true)
                .start();
        try {
            // The client starts once the server says it listens (a client that comes earlier is refused);
            // --forceflush: into a pipe, iperf3 would hold that line in its stdio buffer.
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream()));
            for (String l = lines.readLine(); l == null || !l.startsWith("Server listening"); l = lines.readLine()) {
                if (l == null) {
                    throw new IllegalStateException("Linux iperf3 server did not start");
                }
            }
            Thread.ofVirtual().start(() -> { // the server's report, read so that it never blocks on a full pipe
                try {
                    lines.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // the server ended
                }
            });
            Result r = run(List.of("ip", "netns", "exec", nsA, "iperf3", "-c", "10.99.0.2", "-t", Integer.toString(seconds),
                    "-J"));
            if (r.status != 0) {
                throw new IllegalStateException("Linux iperf3 failed: " + r.out);
            }
            return Bench.iperf3ReceivedBitsPerSecond(r.out);
        } finally {
            server.destroyForcibly();
        }
    }

    /** TCP_RR from A to an echo server in B, through java.net on Linux's TCP: the client's summary line. */
    String tcpRr(int seconds) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process echo;
        try {
            echo = new ProcessBuilder("ip", "netns", "exec", nsB, java, "-cp", System.getProperty("java.class.path"),
                    LinuxTcpRr.class.getName(), "echo", "7").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            // The echo server says "listening" once its socket is bound; nothing more is written after it.
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(echo.getInputStream())).readLine();
            if (!"listening".equals(first)) {
                throw new IllegalStateException("Linux echo server did not start: " + first);
            }
            Result r = run(List.of("ip", "netns", "exec", nsA, java, "-cp", System.getProperty("java.class.path"),
                    LinuxTcpRr.class.getName(), "rr", "10.99.0.2", "7", Integer.toString(seconds), "1"));
            if (r.status != 0 || !r.out.contains("transactions ")) {
                throw new IllegalStateException("Linux TCP_RR failed: " + r.out);
            }
            return r.out;
        } finally {
            echo.destroyForcibly();
        }
    }

    @Override
    public void close() {
        for (String ns : List.of(nsA, nsB, nsBridge, nsRouter)) {
            run(List.of("ip", "netns", "del", ns));
        }
    }

    record Result(int status, String out) {
    }

    private static String must(String... cmd) {
        Result r = run(List.of(cmd));
        if (r.status != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.out);
        }
        return r.out;
    }

    static Result run(List<String> cmd) {
        try {
            // Output to a file, not a pipe read to its end first: a child that hangs must hit the timeout.
            Path file = Files.createTempFile("pktstack-bench", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(file.toFile()).start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
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
            return new Result(-1, "interrupted");
        }
    }
}
