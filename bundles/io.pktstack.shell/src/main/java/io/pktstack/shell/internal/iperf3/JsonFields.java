package io.pktstack.shell.internal.iperf3;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.ProtocolException;

/** Reading iperf3's control messages field by field, as cJSON_GetObjectItem does, with the messages' type errors named. */
final class JsonFields {

    private JsonFields() {
    }

    /**
     * A number as a long. cJSON in iperf3 3.12 prints a negative int64 such as
     * "retransmits": -1 as its unsigned value (18446744073709551615), so the
     * low 64 bits are taken, which gives -1 back.
     */
    static long number(JsonObject o, String key, long absent) throws ProtocolException {
        JsonValue v = o.get(key);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof JsonNumber n)) {
            throw new ProtocolException("'" + key + "' is not a number: " + v);
        }
        return n.bigDecimalValue().toBigInteger().longValue();
    }

    static long required(JsonObject o, String key) throws ProtocolException {
        if (!o.containsKey(key)) {
            throw new ProtocolException("'" + key + "' missing");
        }
        return number(o, key, 0);
    }

    static double decimal(JsonObject o, String key, double absent) throws ProtocolException {
        JsonValue v = o.get(key);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof JsonNumber n)) {
            throw new ProtocolException("'" + key + "' is not a number: " + v);
        }
        return n.doubleValue();
    }

    static String text(JsonObject o, String key) throws ProtocolException {
        JsonValue v = o.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof JsonString s)) {
            throw new ProtocolException("'" + key + "' is not a string: " + v);
        }
        return s.getString();
    }

    /** iperf3 takes a flag as set when the key is present, whatever its value (get_parameters). */
    static boolean flag(JsonObject o, String key) {
        return o.containsKey(key);
    }
}
