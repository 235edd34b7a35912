package io.pktstack.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/pktstack bench --quick --json} as a user runs it, with few frames:
 * every scenario runs and reports well-formed figures. Nothing here asserts on
 * a rate or a time; only that the numbers exist, are finite and are
 * consistent (frames were delivered, percentiles are ordered).
 */
class BenchIT {

    static final Path TOP = Path.of(System.getProperty("pktstack.top", "../..")).toAbsolutePath().normalize();

    @Test
    void theQuickSuiteRunsEveryScenarioAndPrintsOneJsonObject() throws Exception {
        Path out = Files.createTempFile("bench", ".json");
        Path err = Files.createTempFile("bench", ".err");
        Process p = new ProcessBuilder(TOP.resolve("bin/pktstack").toString(), "bench", "--quick", "--json",
                "--frames", "20000").redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "bench --quick finished");
        assertEquals(0, p.exitValue(), Files.readString(err));
        JsonNode root = new ObjectMapper().readTree(out.toFile()); // fails on anything but one JSON document
        List<String> names = new ArrayList<>();
        for (JsonNode s : root.get("scenarios")) {
            names.add(s.get("name").asText());
        }
        boolean linux = "root".equals(System.getProperty("user.name"));
        List<String> expected = new ArrayList<>(List.of("bridge", "router", "router-nat", "tcp-engine", "startup",
                "guest-bridge-guest-64", "guest-bridge-guest-1500", "pingpong", "pingpong-poll", "pingpong-nopoll",
                "tcp-guest-bridge-guest", "tcp-rr"));
        if (linux) {
            expected.add("guest-tap-64");
        }
        expected.add("guest-p2p-64");
        expected.add("pingpong-p2p");
        expected.add("routed-guest-guest-64");
        if (linux) {
            expected.add("nat-guest-world-64");
        }
        expected.add("vm-bridge-vm");
        assertEquals(expected, names);
        for (JsonNode s : root.get("scenarios")) {
            String name = s.get("name").asText();
            if (name.equals("tcp-engine")) {
                assertTrue(s.get("gbps").asDouble() > 0, s.toString());
                assertTrue(s.get("alloc_bytes_per_segment").isNumber(), s.toString());
                continue;
            }
            if (name.equals("tcp-guest-bridge-guest")) {
                // The stack's iperf3 between two guests; Linux's iperf3 between two namespaces beside it.
                assertTrue(s.get("gbps").asDouble() > 0 && s.get("alloc_bytes_per_frame").isNumber(), s.toString());
                if (linux) {
                    assertTrue(s.get("linux_gbps").asDouble() > 0 && s.get("ratio").asDouble() > 0, s.toString());
                }
                continue;
            }
            if (name.equals("tcp-rr")) {
                double p50 = s.get("p50_us").asDouble();
                assertTrue(s.get("transactions_per_s").asDouble() > 0 && p50 > 0 && p50 <= s.get("p99_us").asDouble(),
                        s.toString());
                if (linux) {
                    assertTrue(s.get("linux_transactions_per_s").asDouble() > 0, s.toString());
                }
                continue;
            }
            if (name.equals("vm-bridge-vm")) {
                // Two VMs under QEMU: iperf3's throughput through the host bridge and through a Linux bridge.
                if (!s.has("skipped")) {
                    assertTrue(s.get("mbps").asDouble() > 0, s.toString());
                    if (linux) {
                        assertTrue(s.get("linux_mbps").asDouble() > 0 && s.get("ratio").asDouble() > 0, s.toString());
                    }
                }
                continue;
            }
            if (name.equals("startup")) {
                assertTrue(s.get("seconds").asDouble() > 0, s.toString());
                assertTrue(s.get("rss_kib").get("su-host").asLong() > 0, s.toString());
                continue;
            }
            if (name.startsWith("pingpong")) {
                double p50 = s.get("p50_us").asDouble();
                double p99 = s.get("p99_us").asDouble();
                double p999 = s.get("p999_us").asDouble();
                assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999, s.toString());
                assertTrue(!s.has("mpps"), "a field that does not apply is omitted: " + s);
            } else {
                assertTrue(s.get("mpps").isNumber() && s.get("mpps").asDouble() > 0, s.toString());
                assertTrue(s.get("mbps").asDouble() > 0, s.toString());
                assertTrue(s.get("alloc_bytes_per_frame").isNumber(), s.toString());
                assertTrue(!s.has("p50_us"), s.toString());
                if (s.has("zero_loss_mpps")) { // the forwarding scenarios, not the in-process JMH ones
                    assertTrue(s.get("zero_loss_mpps").asDouble() >= 0, s.toString());
                }
            }
            if (linux && !List.of("bridge", "router", "router-nat", "guest-tap-64", "nat-guest-world-64").contains(name)) {
                assertTrue(s.has(name.startsWith("pingpong") ? "linux_p50_us" : "linux_mpps"), "Linux figure in " + s);
            }
        }
        assertEquals(32, root.get("scenarios").get(0).get("batch").asInt());
        assertTrue(root.get("rss_kib").get("host").asLong() > 0);
        for (String guest : List.of("bg1", "bg2", "bg3")) { // the peak is never below a later reading
            long idle = root.get("rss_idle_kib").get(guest).asLong();
            assertTrue(idle > 0 && root.get("rss_peak_kib").get(guest).asLong() >= idle, root.toString());
        }
        assertTrue(root.get("idle_cpu_pct").has("host"));
    }
}
