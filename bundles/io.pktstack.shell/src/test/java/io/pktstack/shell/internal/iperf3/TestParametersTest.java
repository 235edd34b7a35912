package io.pktstack.shell.internal.iperf3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.ProtocolException;
import org.junit.jupiter.api.Test;

class TestParametersTest {

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    @Test
    void takesWhatItCanRunAndDefaultsWhatIsMissing() throws Exception {
        TestParameters p = TestParameters.fromJson(json("{\"tcp\":true,\"time\":3,\"parallel\":8,\"nodelay\":true,"
                + "\"len\":1000,\"num\":5000,\"repeating_payload\":1,\"zerocopy\":1,\"future_key\":\"x\"}"));
        assertEquals(new TestParameters(3, 5000, 0, 8, false, 1000, true, true), p);
        assertEquals(new TestParameters(0, 0, 0, 1, false, 131072, false, false),
                TestParameters.fromJson(json("{\"tcp\":true}")));
    }

    @Test
    void refusesWhatThisServerDoesNotDoNamingIt() {
        for (String[] c : new String[][] {{"{\"udp\":true}", "UDP"}, {"{\"tcp\":true,\"bidirectional\":true}", "--bidir"},
                {"{\"tcp\":true,\"omit\":2}", "--omit"}, {"{\"tcp\":true,\"window\":65536}", "-w"},
                {"{\"tcp\":true,\"reverse\":true,\"bandwidth\":1000000}", "-b with -R"},
                {"{\"sctp\":true,\"MSS\":1000}", "SCTP, -M"}}) {
            TestParameters.Unsupported e = assertThrows(TestParameters.Unsupported.class,
                    () -> TestParameters.fromJson(json(c[0])), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void refusesValuesBeyondIperf3sOwnLimits() {
        for (String bad : new String[] {"{\"tcp\":true,\"parallel\":0}", "{\"tcp\":true,\"parallel\":129}",
                "{\"tcp\":true,\"time\":86401}", "{\"tcp\":true,\"time\":-1}", "{\"tcp\":true,\"len\":0}",
                "{\"tcp\":true,\"len\":1048577}", "{\"tcp\":true,\"time\":\"ten\"}", "{\"time\":10}"}) {
            assertThrows(ProtocolException.class, () -> TestParameters.fromJson(json(bad)), bad);
        }
    }
}
