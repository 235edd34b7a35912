package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * tcpdump on a bridge member while guests ping: the pcap file is read by
 * tshark with no malformed packet, and its frame count matches what the
 * interface counters say crossed the interface.
 */
class CaptureIT {

    @Test
    void captureOnABridgeMemberIsReadByTsharkAndMatchesTheCounters() throws Exception {
        Tshark.assumeInstalled();
        Path root = Files.createTempDirectory("pktstack-e2e-capture");
        Path pcap = root.resolve("vp0.pcap");
        try (StackProcess host = StackProcess.start(root, "host", "-d", "vdevpeer-net",
                "peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp0", "-c", "ifconfig bridge0 create",
                "-c", "brconfig bridge0 add vp0 up", "-c", "ifconfig bridge0 10.40.0.1/24",
                "-c", "ifconfig bridge0 inet6 fd00:40::1/64");
             StackProcess g1 = StackProcess.start(root, "g1", "-d", "virtio-net", "peer=/dev/vdevpeers/vp0",
                "-c", "ifconfig vt0 10.40.0.2/24", "-c", "ifconfig vt0 inet6 fd00:40::2/64")) {
            host.awaitRunning("vp0");
            g1.awaitRunning("vt0");
            g1.ok("ping -c 1 10.40.0.1"); // settle ARP and announcements before counting
            g1.ok("ping -c 1 fd00:40::1");
            long[] before = host.packets("vp0");
            // 4 IPv4 and 4 IPv6 pings: 16 frames cross vp0.
            CompletableFuture<String> dump = CompletableFuture.supplyAsync(
                    () -> host.ok("tcpdump -i vp0 -c 16 -t 20 -w " + pcap));
            host.await("nicinfo vp0", o -> o.contains("Capture                       : on"), "the capture to start");
            g1.ok("ping -c 4 -i 0.05 10.40.0.1");
            g1.ok("ping -c 4 -i 0.05 fd00:40::1");
            String summary = dump.get(30, TimeUnit.SECONDS);
            assertTrue(summary.contains("16 packets captured"), summary);
            long[] after = host.packets("vp0");
            long crossed = (after[0] - before[0]) + (after[1] - before[1]);
            assertEquals(16, crossed, "frames counted on vp0 during the capture");

            List<String> frames = Tshark.protocols(pcap);
            assertEquals(crossed, frames.size(), String.join("\n", frames));
            assertEquals(8, frames.stream().filter(l -> l.contains(":icmp") && !l.contains("icmpv6")).count(), frames.toString());
            assertEquals(8, frames.stream().filter(l -> l.contains("icmpv6")).count(), frames.toString());
            List<String> malformed = Tshark.malformed(pcap);
            assertTrue(malformed.isEmpty(), "tshark reports malformed packets:\n" + String.join("\n", malformed));
            host.await("nicinfo vp0", o -> !o.contains("Capture                       : on"), "the capture to end");
        }
    }
}
