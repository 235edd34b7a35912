package io.pktstack.core.internal.pf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** pf.conf lines as io-pkt's pf reads them, and each bad one refused with its line and token. */
class PfParserTest {

    final PfParser parser = new PfParser(Set.of("wm0", "bridge0", "vp0")::contains);

    @Test
    void macrosCommentsContinuationsSetAndRules() throws Exception {
        PfRules r = parser.parse("""
                # the host as its guests' router
                ext_if = "wm0"
                guests = "10.10.0.0/24"
                set limit states 500
                set timeout { udp.first 20, udp.single 10 }
                set timeout interval 5

                nat on $ext_if inet from $guests to any -> ($ext_if)
                nat on $ext_if proto icmp from 10.20.0.0/16 \\
                    to any -> 192.0.2.7 port 40000:40100 static-port
                rdr on $ext_if proto tcp from any to ($ext_if) port 8080 -> 10.10.0.11 port 80
                rdr pass on wm0 inet proto udp from any to any port 7000:7009 -> 10.10.0.12 port 9000:*
                """);
        assertEquals(List.of(
                "nat on wm0 inet from 10.10.0.0/24 to any -> (wm0)",
                "nat on wm0 inet proto icmp from 10.20.0.0/16 to any -> 192.0.2.7 port 40000:40100 static-port",
                "rdr on wm0 inet proto tcp from any to (wm0) port = 8080 -> 10.10.0.11 port 80",
                "rdr on wm0 inet proto udp from any to any port 7000:7009 -> 10.10.0.12 port 9000:*"),
                PfParser.describe(r));
        assertEquals(500, r.stateLimit());
        assertEquals(20, r.timeouts().get("udp.first"));
        assertEquals(10, r.timeouts().get("udp.single"));
        assertEquals(5, r.timeouts().get("interval"));
        assertEquals(60, r.timeouts().get("udp.multiple"), "defaults for the rest");
        assertEquals(9005, r.rdr().get(1).targetPortFor(7005));
        assertEquals(80, r.rdr().get(0).targetPortFor(8080));
    }

    @Test
    void whatPfctlPrintsReadsBackTheSame() throws Exception {
        String text = """
                nat on wm0 inet from 10.10.0.0/24 to any -> (wm0)
                rdr on wm0 inet proto tcp from any to (wm0) port = 8080 -> 10.10.0.11 port 80
                """;
        assertEquals(text.strip().lines().toList(), PfParser.describe(parser.parse(text)));
    }

    @Test
    void serviceNamesForPorts() throws Exception {
        PfRules r = parser.parse("rdr on wm0 proto tcp from any to (wm0) port http -> 10.10.0.11 port ssh");
        assertEquals(80, r.rdr().get(0).toPorts().first());
        assertEquals(22, r.rdr().get(0).targetPort());
    }

    @Test
    void everyBadLineIsRefusedWithItsNumberAndToken() {
        String good = "nat on wm0 from 10.10.0.0/24 to any -> (wm0)\n";
        String[][] cases = {
            {"nat on wm9 from 10.10.0.0/24 to any -> (wm0)", "1", "wm9", "no such interface"},
            {good + "nat on wm0 fro 10.10.0.0/24 to any -> (wm0)", "2", "fro", "expected 'from'"},
            {good + "nat on wm0 from 10.10.0.0/33 to any -> (wm0)", "2", "10.10.0.0/33", "bad prefix length"},
            {good + "nat on wm0 from 10.10.0.0/24 to any -> any", "2", "any", "one address or (interface)"},
            {good + "nat on wm0 from 10.10.0.0/24 to any", "2", "end of line", "expected '->'"},
            {good + "nat on wm0 inet6 from any to any -> (wm0)", "2", "inet6", "only IPv4"},
            {good + "nat on wm0 proto gre from any to any -> (wm0)", "2", "gre", "unknown protocol"},
            {"rdr on wm0 from any to (wm0) port 80 -> 10.10.0.11", "1", "from", "needs 'proto tcp'"},
            {"rdr on wm0 proto tcp from any to (wm0) -> 10.10.0.11", "1", "->", "needs the destination 'port'"},
            {"rdr on wm0 proto tcp from any to (wm0) port 99999 -> 10.10.0.11", "1", "99999", "not a port"},
            {"rdr on wm0 proto tcp from any to (wm0) port 80 -> 10.10.0", "1", "10.10.0", "one IPv4 address"},
            {"rdr on wm0 proto icmp from any to (wm0) port 80 -> 10.10.0.11", "1", "icmp", "redirects tcp or udp"},
            {"rdr on wm0 proto tcp from any to (wm0) port 80:90 -> 10.10.0.11 port 8000", "1", "8000", "port N:*"},
            {"pass in on wm0 all", "1", "pass", "translation only"},
            {"set limit states 0", "1", "0", "a state limit in 1..1000000"},
            {"set timeout udp.forever 5", "1", "udp.forever", "unknown timeout"},
            {"nat on $nope from any to any -> (wm0)", "1", "$nope", "undefined macro"},
            {"x = \"wm0", "1", "\"wm0", "unterminated quote"},
            {good + "nat on wm0 from any to any -> (wm0) \\", "2", "\\", "continued past the end"},
            {"frobnicate", "1", "frobnicate", "unknown keyword"},
            {"nat on wm0 from any to any -> (wm0) extra", "1", "extra", "expected 'port' or 'static-port'"},
        };
        for (String[] c : cases) {
            PfParser.SyntaxException e = assertThrows(PfParser.SyntaxException.class, () -> parser.parse(c[0]), c[0]);
            assertEquals(Integer.parseInt(c[1]), e.line, c[0]);
            assertEquals(c[2], e.token, c[0]);
            assertEquals(true, e.getMessage().contains(c[3]), e.getMessage() + " / " + c[3]);
        }
    }
}
