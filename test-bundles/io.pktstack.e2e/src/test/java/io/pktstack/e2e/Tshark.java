package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads capture files with Wireshark's tshark, the judge of whether a pcap is well formed. */
final class Tshark {

    private Tshark() {
    }

    /** Skips the calling test, saying why, where tshark is not installed. */
    static void assumeInstalled() {
        boolean found = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "tshark")));
        assumeTrue(found, "tshark is not installed (apt-get install tshark; .ci/run does)");
    }

    /** One line per frame: the protocol stack tshark dissected, e.g. {@code eth:ethertype:ip:icmp:data}. */
    static List<String> protocols(Path pcap) throws Exception {
        return run("-r", pcap.toString(), "-T", "fields", "-e", "frame.protocols");
    }

    /** Frames tshark finds malformed or flags with an error-level expert message. */
    static List<String> malformed(Path pcap) throws Exception {
        return run("-r", pcap.toString(), "-Y", "_ws.malformed || _ws.expert.severity >= error");
    }

    static List<String> run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark"));
        cmd.addAll(List.of(args));
        Path file = Files.createTempFile("pktstack-tshark", ".txt");
        String out;
        try {
            // Output to a file, not a pipe read to its end first: a hung tshark must hit the timeout.
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(file.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tshark did not finish in 60 s: " + cmd);
            }
            assertEquals(0, p.exitValue(), "tshark " + String.join(" ", args));
            out = Files.readString(file);
        } finally {
            Files.deleteIfExists(file);
        }
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }
}
