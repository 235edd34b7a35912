package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.stack.PingResult;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PingReportTest {

    static final InetAddress DST = InetAddress.ofLiteral("10.77.0.12");
    static final List<PingResult> RESULTS = List.of(
            new PingResult(DST, 0, true, 56, 64, 250_000),
            new PingResult(DST, 1, false, 0, 0, 0),
            new PingResult(DST, 2, true, 56, 64, 750_000));

    static final String SUMMARY = """

            --- 10.77.0.12 ping statistics ---
            3 packets transmitted, 2 packets received, 33.3% packet loss
            round-trip min/avg/max/stddev = 0.250/0.500/0.750/0.250 ms
            """;

    static PingReport report(boolean quiet) {
        PingReport r = new PingReport(DST, 56, quiet);
        RESULTS.forEach(r::add);
        return r;
    }

    @Test
    void aLinePerReplyAndPerTimeoutThenTheSummary() {
        assertEquals("""
                PING 10.77.0.12: 56 data bytes
                64 bytes from 10.77.0.12: icmp_seq=0 ttl=64 time=0.250 ms
                Request timeout for icmp_seq 1
                64 bytes from 10.77.0.12: icmp_seq=2 ttl=64 time=0.750 ms
                """ + SUMMARY, report(false).render());
    }

    @Test
    void noReplyNoRoundTripLine() {
        PingReport r = new PingReport(DST, 56, false);
        r.add(new PingResult(DST, 0, false, 0, 0, 0));
        assertEquals(0, r.received());
        assertEquals("""
                PING 10.77.0.12: 56 data bytes
                Request timeout for icmp_seq 0

                --- 10.77.0.12 ping statistics ---
                1 packets transmitted, 0 packets received, 100.0% packet loss
                """, r.render());
    }

    @Test
    void quietPrintsOnlyTheHeaderAndTheSameSummary() {
        assertEquals("PING 10.77.0.12: 56 data bytes\n" + SUMMARY, report(true).render());
    }
}
