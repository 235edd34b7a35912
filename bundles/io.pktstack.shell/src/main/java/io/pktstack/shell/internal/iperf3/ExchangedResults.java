package io.pktstack.shell.internal.iperf3;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * What each side tells the other after EXCHANGE_RESULTS (iperf_api.c
 * send_results / get_results): its CPU use, whether its sending streams count
 * retransmissions, its congestion control, and per stream the bytes it sent
 * or received and over how long.
 *
 * @param senderHasRetransmits 1 if this side sent and counts retransmissions, 0 if it sent and cannot, -1 if it received
 * @param congestionUsed the congestion control of this side's streams, or null
 */
record ExchangedResults(Cpu cpu, int senderHasRetransmits, String congestionUsed, List<StreamTotals> streams) {

    /** CPU utilization in percent of one CPU over the test, as iperf3's cpu_util. */
    record Cpu(double total, double user, double system) {
        static final Cpu NONE = new Cpu(0, 0, 0);
    }

    /**
     * One stream's totals.
     *
     * @param bytes what this side sent (a sending stream) or received
     * @param retransmits segments retransmitted, or -1 (a receiving stream, or no count)
     * @param startTime seconds from the test's start to the stream's (0: they start together)
     * @param endTime seconds from the test's start to the stream's last measurement
     */
    record StreamTotals(int id, long bytes, long retransmits, double startTime, double endTime) {
    }

    JsonObject toJson() {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (StreamTotals s : streams) {
            // jitter, errors and packets are UDP's; iperf3 sends them as 0 for TCP and requires them.
            list.add(Json.createObjectBuilder().add("id", s.id).add("bytes", s.bytes).add("retransmits", s.retransmits)
                    .add("jitter", 0).add("errors", 0).add("packets", 0)
                    .add("start_time", s.startTime).add("end_time", s.endTime));
        }
        JsonObjectBuilder j = Json.createObjectBuilder()
                .add("cpu_util_total", cpu.total)
                .add("cpu_util_user", cpu.user)
                .add("cpu_util_system", cpu.system)
                .add("sender_has_retransmits", senderHasRetransmits);
        if (congestionUsed != null) {
            j.add("congestion_used", congestionUsed);
        }
        return j.add("streams", list).build();
    }

    /** The peer's results; iperf3 requires the CPU fields, sender_has_retransmits and, per stream, id to packets. */
    static ExchangedResults fromJson(JsonObject j) throws ProtocolException {
        for (String key : List.of("cpu_util_total", "cpu_util_user", "cpu_util_system", "sender_has_retransmits")) {
            JsonFields.required(j, key);
        }
        Cpu cpu = new Cpu(JsonFields.decimal(j, "cpu_util_total", 0), JsonFields.decimal(j, "cpu_util_user", 0),
                JsonFields.decimal(j, "cpu_util_system", 0));
        int has = (int) JsonFields.number(j, "sender_has_retransmits", -1);
        if (!(j.get("streams") instanceof jakarta.json.JsonArray array)) {
            throw new ProtocolException("'streams' missing from the results");
        }
        List<StreamTotals> streams = new ArrayList<>();
        for (JsonValue v : array) {
            if (!(v instanceof JsonObject s)) {
                throw new ProtocolException("a stream in the results is not an object: " + v);
            }
            for (String key : List.of("id", "bytes", "retransmits", "jitter", "errors", "packets")) {
                JsonFields.required(s, key);
            }
            streams.add(new StreamTotals((int) JsonFields.number(s, "id", 0), JsonFields.number(s, "bytes", 0),
                    JsonFields.number(s, "retransmits", -1), JsonFields.decimal(s, "start_time", 0),
                    JsonFields.decimal(s, "end_time", 0)));
        }
        return new ExchangedResults(cpu, has, JsonFields.text(j, "congestion_used"), List.copyOf(streams));
    }

    /** The totals of stream {@code id}, or null if the peer sent none (iperf3's IESTREAMID). */
    StreamTotals stream(int id) {
        for (StreamTotals s : streams) {
            if (s.id == id) {
                return s;
            }
        }
        return null;
    }
}
