package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads capture files with Wireshark's tshark, the judge of whether a pcap is well formed. */
final class Tshark {

    private Tshark() {
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
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "tshark " + String.join(" ", args));
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }
}
