package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * One of a test's data connections, moving blocks in its own virtual thread:
 * a sender writes its block again and again, a receiver reads and drops. One
 * block is allocated per stream and reused, so the loop allocates nothing and
 * the figures are the stack's. Bytes are counted as iperf3 counts them
 * (iperf_tcp.c): what a write queued, what a read returned while the test runs.
 */
final class DataStream {

    /** How long a blocked read or write waits before the loop looks at its stop flag again. */
    static final Duration POLL = Duration.ofMillis(100);

    final int id;
    final boolean sender;
    final TcpSocket socket;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    private final ByteBuffer block;
    private long bytes; // guarded by this
    private boolean counting = true; // guarded by this
    private volatile boolean stopping;
    private volatile IOException failure;
    private Thread thread;

    DataStream(int id, boolean sender, TcpSocket socket, int blockSize, boolean repeatingPayload,
            RandomGenerator random) {
        this.id = id;
        this.sender = sender;
        this.socket = socket;
        this.local = socket.localAddress();
        this.remote = socket.remoteAddress();
        this.block = ByteBuffer.allocate(blockSize);
        if (sender) {
            // iperf_new_stream: random bytes (readentropy), or '0'..'9' repeated with --repeating-payload.
            byte[] b = block.array();
            if (repeatingPayload) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) ('0' + i % 10);
                }
            } else {
                random.nextBytes(b);
            }
        }
    }

    void start() {
        // A platform thread: it parks on the socket's wait queue without allocating, where a
        // virtual thread allocates a stack chunk for every park, i.e. every time the window or
        // the receive buffer makes it wait. The data path of a measurement allocates nothing.
        thread = Thread.ofPlatform().daemon().name("iperf3-stream-" + id).start(this::run);
    }

    private void run() {
        try {
            if (sender) {
                send();
            } else {
                receive();
            }
        } catch (IOException e) {
            if (!stopping) {
                failure = e;
            }
        }
    }

    private void send() throws IOException {
        socket.setWriteTimeout(POLL);
        while (!stopping) {
            if (!block.hasRemaining()) {
                block.clear();
            }
            int n;
            try {
                n = socket.write(block);
            } catch (SocketTimeoutException e) {
                continue; // nothing queued within POLL: the window is closed; look at the flag and wait again
            }
            add(n);
        }
    }

    private void receive() throws IOException {
        socket.setReadTimeout(POLL);
        while (!stopping) {
            block.clear();
            int n;
            try {
                n = socket.read(block);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                return; // the sender closed its side
            }
            add(n);
        }
    }

    private synchronized void add(int n) {
        if (counting) {
            bytes += n;
        }
    }

    /** Bytes counted so far. */
    synchronized long bytes() {
        return bytes;
    }

    /**
     * Ends counting (the test left TEST_RUNNING) and returns the total; a
     * receiver goes on reading and dropping, so that a sender is never stuck
     * on a full window while the test ends (iperf_client_api.c drains too).
     */
    synchronized long stopCounting() {
        counting = false;
        return bytes;
    }

    /** Asks the loop to stop after its current read or write; {@link #stop} waits for it. */
    void requestStop() {
        stopping = true;
    }

    /** Stops the loop and waits for it, so that a sender's last write is counted before the totals are taken. */
    void stop() {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(POLL.multipliedBy(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops and closes the connection: a FIN after what is queued, or a reset if data was left unread. */
    void close() {
        stop();
        try {
            socket.close();
        } catch (IOException e) {
            socket.abort();
        }
    }

    /** Why the loop ended while the test was running, or null. */
    IOException failure() {
        return failure;
    }
}
