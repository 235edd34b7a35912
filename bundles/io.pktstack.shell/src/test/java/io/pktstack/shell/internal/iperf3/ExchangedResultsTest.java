package io.pktstack.shell.internal.iperf3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExchangedResultsTest {

    @Test
    void survivesTheTripThroughJson() throws ProtocolException {
        ExchangedResults r = new ExchangedResults(new ExchangedResults.Cpu(12.5, 10, 2.5), 1, "cubic",
                List.of(new ExchangedResults.StreamTotals(1, 5_000_000_000L, 7, 0, 2.0001),
                        new ExchangedResults.StreamTotals(3, 42, 0, 0, 2.0002)));
        assertEquals(r, ExchangedResults.fromJson(r.toJson()));
        ExchangedResults receiver = new ExchangedResults(ExchangedResults.Cpu.NONE, -1, null,
                List.of(new ExchangedResults.StreamTotals(1, 9, -1, 0, 1)));
        assertEquals(receiver, ExchangedResults.fromJson(receiver.toJson()));
        assertNull(receiver.stream(3));
    }

    @Test
    void requiresWhatIperf3Requires() {
        String base = "{\"cpu_util_total\":1,\"cpu_util_user\":1,\"cpu_util_system\":0,\"sender_has_retransmits\":0";
        for (String bad : new String[] {"{\"cpu_util_total\":1,\"cpu_util_user\":1,\"cpu_util_system\":0,\"streams\":[]}",
                base + "}", base + ",\"streams\":[{\"id\":1,\"bytes\":2,\"retransmits\":0,\"jitter\":0,\"errors\":0}]}",
                base + ",\"streams\":[7]}", base + ",\"streams\":{}}"}) {
            assertThrows(ProtocolException.class, () -> ExchangedResults.fromJson(TestParametersTest.json(bad)), bad);
        }
    }
}
