package io.pktstack.shell.internal.iperf3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A test's report in iperf3 3.12's layouts. The expected lines were made by
 * feeding the same figures to iperf3's own format strings (iperf_locale.c)
 * with C's printf, not by this code.
 */
class Iperf3ResultsTest {

    static final ExchangedResults.Cpu CPU = new ExchangedResults.Cpu(50, 40, 10);

    static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(java.net.InetAddress.ofLiteral(host), port);
    }

    static Interval.Stream sending(int id, long bytes, long retransmits, long cwnd) {
        return new Interval.Stream(id, true, bytes, true, retransmits, cwnd, 1 << 20, 350);
    }

    static Interval.Stream receiving(int id, long bytes) {
        return new Interval.Stream(id, false, bytes, false, 0, -1, -1, -1);
    }

    @Test
    void clientThatSentAsLinuxsIperf3PrintsIt() {
        long total = 1_256_000_000L + 968_884_224L;
        Iperf3Results r = new Iperf3Results(
                new Iperf3Results.Setup(true, "127.0.0.1", 5299, at("127.0.0.1", 5299), 0, "c00kie",
                        TestParameters.timed(2, 1, false),
                        List.of(new Iperf3Results.Connected(5, at("127.0.0.1", 35306), at("127.0.0.1", 5299))), 0,
                        1448, 262144, 262144),
                List.of(new Interval(0, 1.0, List.of(sending(5, 1_256_000_000L, 0, 916_480))),
                        new Interval(1.0, 2.0, List.of(sending(5, 968_884_224L, 16, 785_408)))),
                List.of(new StreamSummary(5, true, total, 2.0, 16, 916_480, 1 << 20, 300, 400, 350,
                        new ExchangedResults.StreamTotals(5, total - 65536, -1, 0, 2.0004))),
                new Iperf3Results.Ending(CPU, CPU, "cubic", "bbr", true, -1));
        assertEquals("""
                Connecting to host 127.0.0.1, port 5299
                [  5] local 127.0.0.1 port 35306 connected to 127.0.0.1 port 5299
                [ ID] Interval           Transfer     Bitrate         Retr  Cwnd
                [  5]   0.00-1.00   sec  1.17 GBytes  10.0 Gbits/sec    0    895 KBytes      \s
                [  5]   1.00-2.00   sec   924 MBytes  7.75 Gbits/sec   16    767 KBytes      \s
                - - - - - - - - - - - - - - - - - - - - - - - - -
                [ ID] Interval           Transfer     Bitrate         Retr
                [  5]   0.00-2.00   sec  2.07 GBytes  8.90 Gbits/sec   16             sender
                [  5]   0.00-2.00   sec  2.07 GBytes  8.90 Gbits/sec                  receiver

                iperf Done.
                """, r.text());
        assertEquals(total, r.sentBytes());
        assertEquals(total - 65536, r.receivedBytes());
        assertEquals(16, r.retransmits());
        JsonObject end = Iperf3LoopbackTest.json(r.json()).getJsonObject("end");
        assertEquals(total * 8 / 2.0, end.getJsonObject("sum_sent").getJsonNumber("bits_per_second").doubleValue());
        assertEquals(16, end.getJsonObject("sum_sent").getInt("retransmits"));
        assertEquals(2.0004, end.getJsonObject("sum_received").getJsonNumber("seconds").doubleValue());
        assertEquals("cubic", end.getString("sender_tcp_congestion"));
        assertEquals("bbr", end.getString("receiver_tcp_congestion"));
        JsonObject sender = end.getJsonArray("streams").getJsonObject(0).getJsonObject("sender");
        assertEquals(916_480, sender.getInt("max_snd_cwnd"));
        assertEquals(350, sender.getInt("mean_rtt"));
        JsonObject first = Iperf3LoopbackTest.json(r.json()).getJsonArray("intervals").getJsonObject(0);
        assertEquals(916_480, first.getJsonArray("streams").getJsonObject(0).getInt("snd_cwnd"));
        assertEquals(0, first.getJsonObject("sum").getInt("retransmits"));
    }

    @Test
    void serverThatReceivedTwoStreamsPrintsItsOwnHalf() {
        Iperf3Results r = new Iperf3Results(
                new Iperf3Results.Setup(false, "10.0.0.2", 5201, at("10.0.0.2", 40000), 3, "c00kie",
                        TestParameters.timed(1, 2, false),
                        List.of(new Iperf3Results.Connected(1, at("10.0.0.1", 5201), at("10.0.0.2", 40002)),
                                new Iperf3Results.Connected(3, at("10.0.0.1", 5201), at("10.0.0.2", 40004))),
                        0, 1448, 262144, 262144),
                List.of(new Interval(0, 1.0, List.of(receiving(1, 500_000_000), receiving(3, 400_000_000))),
                        new Interval(1.0, 1.5, List.of(receiving(1, 1000), receiving(3, 0)))),
                List.of(new StreamSummary(1, false, 500_001_000, 1.5, -1, -1, -1, -1, -1, -1,
                                new ExchangedResults.StreamTotals(1, 500_100_000, 3, 0, 1.01)),
                        new StreamSummary(3, false, 400_000_000, 1.5, -1, -1, -1, -1, -1, -1,
                                new ExchangedResults.StreamTotals(3, 400_100_000, 4, 0, 1.01))),
                new Iperf3Results.Ending(CPU, CPU, "cubic", "cubic", false, 1));
        assertEquals("""
                -----------------------------------------------------------
                Server listening on 5201 (test #3)
                -----------------------------------------------------------
                Accepted connection from 10.0.0.2, port 40000
                [  1] local 10.0.0.1 port 5201 connected to 10.0.0.2 port 40002
                [  3] local 10.0.0.1 port 5201 connected to 10.0.0.2 port 40004
                [ ID] Interval           Transfer     Bitrate
                [  1]   0.00-1.00   sec   477 MBytes  4.00 Gbits/sec                 \s
                [  3]   0.00-1.00   sec   381 MBytes  3.20 Gbits/sec                 \s
                [SUM]   0.00-1.00   sec   858 MBytes  7.20 Gbits/sec                 \s
                - - - - - - - - - - - - - - - - - - - - - - - - -
                [  1]   1.00-1.50   sec  1000 Bytes  16.0 Kbits/sec                 \s
                [  3]   1.00-1.50   sec  0.00 Bytes  0.00 bits/sec                 \s
                [SUM]   1.00-1.50   sec  1000 Bytes  16.0 Kbits/sec                 \s
                - - - - - - - - - - - - - - - - - - - - - - - - -
                [ ID] Interval           Transfer     Bitrate
                [  1]   0.00-1.50   sec   477 MBytes  2.67 Gbits/sec                  receiver
                [  3]   0.00-1.50   sec   381 MBytes  2.13 Gbits/sec                  receiver
                [SUM]   0.00-1.50   sec   858 MBytes  4.80 Gbits/sec                  receiver
                """, r.text());
        // The JSON has the client's half too: it was exchanged before the server reports.
        JsonObject j = Iperf3LoopbackTest.json(r.json());
        JsonObject end = j.getJsonObject("end");
        assertEquals(900_200_000, end.getJsonObject("sum_sent").getJsonNumber("bytes").longValue());
        assertEquals(7, end.getJsonObject("sum_sent").getInt("retransmits"));
        assertEquals(900_001_000, end.getJsonObject("sum_received").getJsonNumber("bytes").longValue());
        assertEquals(1.01, end.getJsonObject("sum_sent").getJsonNumber("seconds").doubleValue());
        assertFalse(end.getJsonObject("sum_received").getBoolean("sender"));
        assertEquals("10.0.0.2", j.getJsonObject("start").getJsonObject("accepted_connection").getString("host"));
        assertEquals(2, j.getJsonObject("start").getJsonObject("test_start").getInt("num_streams"));
        assertEquals(2, j.getJsonArray("intervals").size());
        assertFalse(j.getJsonArray("intervals").getJsonObject(0).getJsonObject("sum").containsKey("retransmits"));
    }
}
