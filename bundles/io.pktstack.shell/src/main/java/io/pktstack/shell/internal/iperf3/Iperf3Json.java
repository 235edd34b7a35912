package io.pktstack.shell.internal.iperf3;

import io.pktstack.shell.internal.AddressText;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonWriter;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * A test in iperf3 3.12's JSON structure (-J; iperf_api.c iperf_json_start,
 * iperf_on_connect, iperf_on_test_start, print_interval_results,
 * iperf_print_intermediate, iperf_print_results): "start", "intervals" and
 * "end" with "streams", "sum_sent", "sum_received" and
 * "cpu_utilization_percent". Unlike iperf3's server, whose summary is taken
 * before the results exchange and shows zero for the client's half, the
 * server here fills in what the client reported.
 */
final class Iperf3Json {

    private static final DateTimeFormatter RFC_1123 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private Iperf3Json() {
    }

    static String render(Iperf3Results r) {
        JsonObject top = Json.createObjectBuilder()
                .add("start", start(r))
                .add("intervals", intervals(r))
                .add("end", end(r))
                .build();
        StringWriter text = new StringWriter();
        try (JsonWriter w = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(text)) {
            w.writeObject(top);
        }
        return text.toString().strip() + "\n";
    }

    private static JsonObjectBuilder start(Iperf3Results r) {
        Iperf3Results.Setup s = r.setup();
        JsonArrayBuilder connected = Json.createArrayBuilder();
        for (Iperf3Results.Connected c : s.connected()) {
            connected.add(Json.createObjectBuilder()
                    .add("socket", c.id())
                    .add("local_host", AddressText.format(c.local().getAddress()))
                    .add("local_port", c.local().getPort())
                    .add("remote_host", AddressText.format(c.remote().getAddress()))
                    .add("remote_port", c.remote().getPort()));
        }
        JsonObjectBuilder j = Json.createObjectBuilder()
                .add("connected", connected)
                .add("version", "pktstack iperf3 (iperf 3.12 protocol)")
                .add("system_info", "pktstack on " + System.getProperty("os.name") + " "
                        + System.getProperty("os.version") + " " + System.getProperty("os.arch") + ", Java "
                        + System.getProperty("java.version"))
                .add("timestamp", Json.createObjectBuilder()
                        .add("time", RFC_1123.format(Instant.ofEpochSecond(s.epochSeconds())))
                        .add("timesecs", s.epochSeconds()));
        if (s.client()) {
            j.add("connecting_to", Json.createObjectBuilder().add("host", s.host()).add("port", s.port()));
        } else {
            j.add("accepted_connection", Json.createObjectBuilder()
                    .add("host", AddressText.format(s.controlPeer().getAddress()))
                    .add("port", s.controlPeer().getPort()));
        }
        TestParameters p = s.params();
        return j.add("cookie", s.cookie())
                .add("tcp_mss_default", s.mss())
                .add("target_bitrate", 0)
                .add("sock_bufsize", 0)
                .add("sndbuf_actual", s.sendBuffer())
                .add("rcvbuf_actual", s.receiveBuffer())
                .add("test_start", Json.createObjectBuilder()
                        .add("protocol", "TCP")
                        .add("num_streams", p.parallel())
                        .add("blksize", p.blockSize())
                        .add("omit", 0)
                        .add("duration", p.duration())
                        .add("bytes", p.bytes())
                        .add("blocks", p.blocks())
                        .add("reverse", p.reverse() ? 1 : 0)
                        .add("tos", 0)
                        .add("target_bitrate", 0));
    }

    private static JsonArrayBuilder intervals(Iperf3Results r) {
        boolean retr = r.ending().localHasRetransmits();
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (Interval in : r.intervals()) {
            double seconds = in.seconds();
            JsonArrayBuilder streams = Json.createArrayBuilder();
            for (Interval.Stream s : in.streams()) {
                JsonObjectBuilder j = Json.createObjectBuilder()
                        .add("socket", s.id())
                        .add("start", in.start())
                        .add("end", in.end())
                        .add("seconds", seconds)
                        .add("bytes", s.bytes())
                        .add("bits_per_second", bps(s.bytes(), seconds));
                if (retr && s.sender() && s.tcp()) {
                    j.add("retransmits", s.retransmits())
                            .add("snd_cwnd", s.cwnd())
                            .add("snd_wnd", s.sndWnd())
                            .add("rtt", s.rttMicros());
                }
                streams.add(j.add("omitted", false).add("sender", s.sender()));
            }
            JsonObjectBuilder sum = Json.createObjectBuilder()
                    .add("start", in.start())
                    .add("end", in.end())
                    .add("seconds", seconds)
                    .add("bytes", in.bytes())
                    .add("bits_per_second", bps(in.bytes(), seconds));
            if (retr && r.localSends()) {
                sum.add("retransmits", in.retransmits());
            }
            list.add(Json.createObjectBuilder()
                    .add("streams", streams)
                    .add("sum", sum.add("omitted", false).add("sender", r.localSends())));
        }
        return list;
    }

    private static JsonObjectBuilder end(Iperf3Results r) {
        boolean sends = r.localSends();
        boolean retr = r.retransmits() >= 0;
        double senderTime = r.senderSeconds();
        double receiverTime = r.receiverSeconds();
        JsonArrayBuilder streams = Json.createArrayBuilder();
        for (StreamSummary s : r.summaries()) {
            long sent = sends ? s.bytes() : s.peerBytes();
            long received = sends ? s.peerBytes() : s.bytes();
            JsonObjectBuilder sender = Json.createObjectBuilder()
                    .add("socket", s.id())
                    .add("start", 0)
                    .add("end", senderTime)
                    .add("seconds", senderTime)
                    .add("bytes", sent)
                    .add("bits_per_second", bps(sent, senderTime));
            if (retr) {
                // Window and RTT figures are the sending side's own: known here only when this side sent.
                sender.add("retransmits", Math.max(0, sends ? s.retransmits() : s.peerRetransmits()))
                        .add("max_snd_cwnd", sends ? Math.max(0, s.maxCwnd()) : 0)
                        .add("max_snd_wnd", sends ? Math.max(0, s.maxSndWnd()) : 0)
                        .add("max_rtt", sends ? Math.max(0, s.maxRtt()) : 0)
                        .add("min_rtt", sends ? Math.max(0, s.minRtt()) : 0)
                        .add("mean_rtt", sends ? Math.max(0, s.meanRtt()) : 0);
            }
            JsonObjectBuilder receiver = Json.createObjectBuilder()
                    .add("socket", s.id())
                    .add("start", 0)
                    .add("end", receiverTime)
                    .add("seconds", s.seconds())
                    .add("bytes", received)
                    .add("bits_per_second", bps(received, receiverTime))
                    .add("sender", sends);
            streams.add(Json.createObjectBuilder().add("sender", sender.add("sender", sends)).add("receiver", receiver));
        }
        JsonObjectBuilder sumSent = Json.createObjectBuilder()
                .add("start", 0)
                .add("end", senderTime)
                .add("seconds", senderTime)
                .add("bytes", r.sentBytes())
                .add("bits_per_second", bps(r.sentBytes(), senderTime));
        if (retr) {
            sumSent.add("retransmits", r.retransmits());
        }
        Iperf3Results.Ending e = r.ending();
        JsonObjectBuilder end = Json.createObjectBuilder()
                .add("streams", streams)
                .add("sum_sent", sumSent.add("sender", sends))
                .add("sum_received", Json.createObjectBuilder()
                        .add("start", 0)
                        .add("end", receiverTime)
                        .add("seconds", receiverTime)
                        .add("bytes", r.receivedBytes())
                        .add("bits_per_second", bps(r.receivedBytes(), receiverTime))
                        .add("sender", sends))
                .add("cpu_utilization_percent", Json.createObjectBuilder()
                        .add("host_total", e.localCpu().total())
                        .add("host_user", e.localCpu().user())
                        .add("host_system", e.localCpu().system())
                        .add("remote_total", e.remoteCpu().total())
                        .add("remote_user", e.remoteCpu().user())
                        .add("remote_system", e.remoteCpu().system()));
        String senderCc = sends ? e.localCongestion() : e.remoteCongestion();
        String receiverCc = sends ? e.remoteCongestion() : e.localCongestion();
        if (senderCc != null) {
            end.add("sender_tcp_congestion", senderCc);
        }
        if (receiverCc != null) {
            end.add("receiver_tcp_congestion", receiverCc);
        }
        return end;
    }

    private static double bps(long bytes, double seconds) {
        return seconds > 0 ? bytes * 8 / seconds : 0;
    }
}
