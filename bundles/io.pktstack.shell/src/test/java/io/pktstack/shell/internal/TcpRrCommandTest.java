package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.shell.internal.iperf3.LoopbackTcpStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** tcprr against an echo service on loopback: transactions counted, every one's latency in the percentiles. */
class TcpRrCommandTest {

    /** Every 25th response of the echo service is held this long: 4 % of the latencies are at least this. */
    private static final int SLOW_MILLIS = 20;

    @Test
    void percentilesCountEveryTransaction() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = Thread.ofVirtual().start(() -> echo(server, 25));
            RrReport r = (RrReport) new TcpRrCommand(new LoopbackTcpStack())
                    .tcprr("-t", "1", "127.0.0.1", Integer.toString(server.getLocalPort()));
            echo.join(5_000);
            assertTrue(r.transactions() >= 25, r.render());
            // A percentile above 96 % of the transactions must reach the held ones; lower ones need not.
            assertTrue(r.p99Micros() >= SLOW_MILLIS * 1000, r.render());
            assertTrue(r.p50Micros() <= r.p99Micros() && r.p99Micros() <= r.p999Micros(), r.render());
            assertTrue(r.render().contains(r.transactions() + " transactions in "), r.render());
        }
    }

    @Test
    void saysSoWhenTheServiceCloses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read();
                } catch (IOException e) {
                    // the test fails on its own assertion
                }
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new TcpRrCommand(
                    new LoopbackTcpStack()).tcprr("-t", "5", "127.0.0.1", Integer.toString(server.getLocalPort())));
            assertEquals("tcprr: the echo service closed the connection", e.getMessage());
        }
    }

    private static void echo(ServerSocket server, int slowEvery) {
        try (Socket s = server.accept()) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int b;
            for (long n = 1; (b = in.read()) >= 0; n++) {
                if (n % slowEvery == 0) {
                    Thread.sleep(SLOW_MILLIS);
                }
                out.write(b);
            }
        } catch (IOException | InterruptedException e) {
            // the client closed
        }
    }
}
