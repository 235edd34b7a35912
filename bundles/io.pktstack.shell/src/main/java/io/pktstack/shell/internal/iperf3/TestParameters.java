package io.pktstack.shell.internal.iperf3;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters a client sends after PARAM_EXCHANGE (iperf_api.c
 * send_parameters / get_parameters), for the TCP tests this implementation
 * runs: a time (or byte or block count that the client watches), parallel
 * streams, direction, block length and TCP_NODELAY.
 *
 * @param duration seconds the client sends or receives ("time"; 0 when the test ends by bytes or blocks)
 * @param bytes bytes after which the client ends the test ("num"), 0 for none
 * @param blocks blocks after which the client ends the test ("blockcount"), 0 for none
 * @param parallel streams ("parallel")
 * @param reverse the server sends ("reverse")
 * @param blockSize length of each read and write on a stream ("len")
 * @param noDelay TCP_NODELAY on the streams ("nodelay")
 * @param repeatingPayload the sender's block is '0'..'9' repeated rather than random ("repeating_payload")
 */
record TestParameters(int duration, long bytes, long blocks, int parallel, boolean reverse, int blockSize,
        boolean noDelay, boolean repeatingPayload) {

    /** A client's test: TCP for {@code duration} seconds with iperf3's default block. */
    static TestParameters timed(int duration, int parallel, boolean reverse) {
        return new TestParameters(duration, 0, 0, parallel, reverse, Iperf3Protocol.DEFAULT_TCP_BLOCK, false, false);
    }

    /** The message as iperf3 3.12's client sends it, keys in its order. */
    JsonObject toJson() {
        JsonObjectBuilder j = Json.createObjectBuilder()
                .add("tcp", true)
                .add("omit", 0)
                .add("time", duration)
                .add("num", bytes)
                .add("blockcount", blocks);
        if (noDelay) {
            j.add("nodelay", true);
        }
        j.add("parallel", parallel);
        if (reverse) {
            j.add("reverse", true);
        }
        j.add("len", blockSize);
        j.add("pacing_timer", 1000); // iperf3's default pacing timer, sent whether or not a bitrate is set
        if (repeatingPayload) {
            j.add("repeating_payload", 1);
        }
        return j.add("client_version", Iperf3Protocol.PROTOCOL_VERSION).build();
    }

    /**
     * What a client asked for.
     *
     * @throws Unsupported if it asked for something this server does not do
     *         (the server answers iperf3's IEUNIMP, as iperf3 does for an option it lacks)
     * @throws ProtocolException if the message is malformed or out of iperf3's own limits
     */
    static TestParameters fromJson(JsonObject j) throws ProtocolException, Unsupported {
        List<String> unsupported = new ArrayList<>();
        if (JsonFields.flag(j, "udp")) {
            unsupported.add("UDP");
        }
        if (JsonFields.flag(j, "sctp")) {
            unsupported.add("SCTP");
        }
        if (!JsonFields.flag(j, "tcp") && unsupported.isEmpty()) {
            throw new ProtocolException("no protocol in the parameters");
        }
        if (JsonFields.flag(j, "bidirectional")) {
            unsupported.add("--bidir");
        }
        if (JsonFields.number(j, "omit", 0) != 0) {
            unsupported.add("--omit");
        }
        for (String[] option : new String[][] {{"MSS", "-M"}, {"window", "-w"}, {"TOS", "-S"}, {"flowlabel", "-L"},
                {"congestion", "-C"}, {"get_server_output", "--get-server-output"}, {"authtoken", "--username"},
                {"fqrate", "--fq-rate"}}) {
            if (JsonFields.flag(j, option[0])) {
                unsupported.add(option[1]);
            }
        }
        boolean reverse = JsonFields.flag(j, "reverse");
        if (reverse && JsonFields.number(j, "bandwidth", 0) != 0) {
            unsupported.add("-b with -R (the server would pace)");
        }
        if (!unsupported.isEmpty()) {
            throw new Unsupported(String.join(", ", unsupported));
        }
        long time = JsonFields.number(j, "time", 0);
        long parallel = JsonFields.number(j, "parallel", 1);
        long len = JsonFields.number(j, "len", Iperf3Protocol.DEFAULT_TCP_BLOCK);
        if (time < 0 || time > Iperf3Protocol.MAX_TIME) {
            throw new ProtocolException("time " + time + " out of range 0.." + Iperf3Protocol.MAX_TIME);
        }
        if (parallel < 1 || parallel > Iperf3Protocol.MAX_STREAMS) {
            throw new ProtocolException("parallel " + parallel + " out of range 1.." + Iperf3Protocol.MAX_STREAMS);
        }
        if (len < 1 || len > Iperf3Protocol.MAX_BLOCK) {
            throw new ProtocolException("len " + len + " out of range 1.." + Iperf3Protocol.MAX_BLOCK);
        }
        return new TestParameters((int) time, Math.max(0, JsonFields.number(j, "num", 0)),
                Math.max(0, JsonFields.number(j, "blockcount", 0)), (int) parallel, reverse, (int) len,
                JsonFields.flag(j, "nodelay"), JsonFields.flag(j, "repeating_payload"));
    }

    /** A client asked for a feature this implementation does not have. */
    static final class Unsupported extends Exception {
        Unsupported(String what) {
            super(what);
        }
    }
}
