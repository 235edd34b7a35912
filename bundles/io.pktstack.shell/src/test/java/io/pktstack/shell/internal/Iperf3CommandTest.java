package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.shell.internal.Iperf3Command.Iperf3Options;
import io.pktstack.shell.internal.iperf3.LoopbackTcpStack;
import org.junit.jupiter.api.Test;

/** iperf3's command line: checked whole, bad tokens named, nothing started on an error. */
class Iperf3CommandTest {

    @Test
    void readsIperf3sOptions() {
        assertEquals(new Iperf3Options("10.0.0.1", false, 5201, false, 10, 1, false, false, false, false),
                Iperf3Options.parse(new String[] {"-c", "10.0.0.1"}));
        assertEquals(new Iperf3Options("fd00::1", false, 7000, true, 2, 4, true, true, false, false),
                Iperf3Options.parse(new String[] {"-c", "fd00::1", "-p", "7000", "-t", "2", "-P", "4", "-R", "-J"}));
        assertEquals(new Iperf3Options(null, true, 5201, false, 10, 1, false, true, true, false),
                Iperf3Options.parse(new String[] {"-s", "-1", "-J"}));
        assertEquals(new Iperf3Options(null, true, 6000, true, 10, 1, false, false, false, true),
                Iperf3Options.parse(new String[] {"-s", "-k", "-p", "6000"}));
    }

    @Test
    void namesWhatIsWrong() {
        String[][] cases = {
            {"'-x'", "-c", "10.0.0.1", "-x"},
            {"'0' of -p", "-s", "-p", "0"},
            {"'65536' of -p", "-s", "-p", "65536"},
            {"'ten' of -t", "-c", "10.0.0.1", "-t", "ten"},
            {"'0' of -t", "-c", "10.0.0.1", "-t", "0"},
            {"'129' of -P", "-c", "10.0.0.1", "-P", "129"},
            {"'-P' needs a value", "-c", "10.0.0.1", "-P"},
            {"'-c' needs a value", "-c"},
            {"cannot be both server and client", "-s", "-c", "10.0.0.1"},
            {"must either be a client (-c) or server (-s)", "-p", "5201"},
            {"option -R is client only", "-s", "-R"},
            {"option -1 is server only", "-c", "10.0.0.1", "-1"},
            {"-k stops background servers", "-s", "-k", "-1"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Iperf3Options.parse(args),
                    String.join(" ", args));
            assertTrue(e.getMessage().contains(c[0]), e.getMessage());
        }
    }

    @Test
    void aServerWithoutOneOffServesInTheBackgroundUntilKilled() throws Exception {
        LoopbackTcpStack tcp = new LoopbackTcpStack();
        Iperf3Command command = new Iperf3Command(tcp);
        int port = LoopbackTcpStack.freePort();
        String p = Integer.toString(port);
        try {
            assertTrue(command.iperf3("-s", "-p", p).render().contains("Server listening on " + port
                    + " (in the background; iperf3 -s -k -p " + port + " stops it)"));
            IllegalStateException busy = assertThrows(IllegalStateException.class, () -> command.iperf3("-s", "-p", p));
            assertTrue(busy.getMessage().contains("already runs in the background on port " + port), busy.getMessage());
            for (String reverse : new String[] {"", "-R"}) {
                Iperf3Report r = (Iperf3Report) command.iperf3(reverse.isEmpty()
                        ? new String[] {"-c", "127.0.0.1", "-p", p, "-t", "1"}
                        : new String[] {"-c", "127.0.0.1", "-p", p, "-t", "1", reverse});
                assertTrue(r.results().receivedBytes() > 0, r.render());
            }
            String stopped = command.iperf3("-s", "-k", "-p", p).render();
            assertTrue(stopped.startsWith("iperf3 server on port " + port + " stopped after 2 tests\n"), stopped);
            assertTrue(stopped.contains("Server listening on " + port + " (test #2)"), stopped);
            assertEquals("no iperf3 server runs in the background\n", command.iperf3("-s", "-k").render());
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> command.iperf3("-c", "127.0.0.1", "-p", p, "-t", "1"));
            assertTrue(refused.getMessage().startsWith("iperf3: error - unable to connect to server"),
                    refused.getMessage());
        } finally {
            command.deactivate();
        }
    }

    @Test
    void refusesAHostThatIsNotANumericAddressBeforeConnecting() {
        Iperf3Command command = new Iperf3Command(new LoopbackTcpStack());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> command.iperf3("-c", "server.example", "-t", "1"));
        assertEquals("iperf3: 'server.example' is not a numeric IPv4 or IPv6 address", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> command.iperf3("-c", "10.0.0.300"));
        assertEquals("iperf3: malformed address '10.0.0.300'", e.getMessage());
    }
}
