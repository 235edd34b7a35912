package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;

/**
 * An iperf3 server serving one test after another in a virtual thread, as
 * {@code iperf3 -s -D} does, until it is closed. It keeps the last test's
 * results (or why it failed) for the operator.
 */
public final class Iperf3Daemon {

    /**
     * @param tests tests begun so far
     * @param last the last test that completed, or null
     * @param lastError why the last test failed, or null if it did not
     */
    public record Status(int port, int tests, Iperf3Results last, String lastError) {
    }

    private final Iperf3Server server;
    private final Thread thread;
    private volatile Iperf3Results last;
    private volatile String lastError;
    private volatile boolean closed;

    private Iperf3Daemon(Iperf3Server server) {
        this.server = server;
        this.thread = Thread.ofVirtual().name("iperf3-server-" + server.port()).unstarted(this::serve);
    }

    /** Listens on {@code port} and serves in the background. */
    public static Iperf3Daemon start(TcpStack tcp, int port) throws IOException {
        Iperf3Daemon d = new Iperf3Daemon(Iperf3Server.listen(tcp, port));
        d.thread.start();
        return d;
    }

    private void serve() {
        while (!closed) {
            try {
                last = server.serveOne();
                lastError = null;
            } catch (Iperf3Exception e) {
                lastError = e.getMessage(); // that test failed; the next client is welcome
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    lastError = "server stopped: " + e.getMessage(); // the listener is gone (the stack stopped)
                }
                return;
            }
        }
    }

    public int port() {
        return server.port();
    }

    public boolean running() {
        return thread.isAlive();
    }

    public Status status() {
        return new Status(server.port(), server.tests(), last, lastError);
    }

    /** Stops listening, ends a test in progress and waits for the thread; returns the final status. */
    public Status stop() {
        closed = true;
        server.close();
        try {
            thread.join(java.time.Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return status();
    }
}
