package io.pktstack.shell.internal.inetd;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP internal service: one virtual thread accepts, and each connection is
 * served in its own virtual thread (inetd's "nowait"), so a slow client holds
 * up no other.
 */
final class StreamServer implements RunningService {

    /** Completed connections waiting for the accepting thread; a burst of hundreds must not be refused. */
    static final int BACKLOG = 1024;

    private final ServiceKey key;
    private final TcpListener listener;
    private final Counters counters = new Counters();
    private final Set<TcpSocket> open = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean stopping;

    private StreamServer(ServiceKey key, TcpListener listener) {
        this.key = key;
        this.listener = listener;
        this.acceptor = Thread.ofVirtual().name("inetd-" + key).unstarted(this::accept);
    }

    /** Listens on {@code port} on every address, IPv4 and IPv6, and starts accepting. */
    static StreamServer start(TcpStack tcp, InternalService service, int port) throws IOException {
        TcpListener l = tcp.listen(new InetSocketAddress(InetAddress.ofLiteral("::"), port), BACKLOG);
        StreamServer s = new StreamServer(new ServiceKey(service, true), l);
        s.acceptor.start();
        return s;
    }

    private void accept() {
        InternalService.Stream handler = key.service().stream();
        while (!stopping) {
            TcpSocket s;
            try {
                s = listener.accept(Duration.ZERO);
            } catch (IOException e) {
                return; // the listener was closed (stop, or the stack went away)
            }
            counters.served.increment();
            open.add(s);
            Thread t = Thread.ofVirtual().name("inetd-" + key + "-" + s.remoteAddress()).unstarted(() -> {
                counters.active.incrementAndGet();
                try {
                    handler.serve(s, counters);
                } catch (IOException | RuntimeException e) {
                    // the client reset or went away, or the service is stopping: this connection is over
                } finally {
                    counters.active.decrementAndGet();
                    close(s);
                    open.remove(s);
                    threads.remove(Thread.currentThread());
                }
            });
            threads.add(t);
            t.start();
            if (stopping) {
                s.abort();
            }
        }
    }

    private static void close(TcpSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            s.abort();
        }
    }

    @Override
    public ServiceKey key() {
        return key;
    }

    @Override
    public Counters counters() {
        return counters;
    }

    @Override
    public void stop() {
        stopping = true;
        listener.close();
        open.forEach(TcpSocket::abort);
        join(acceptor);
        threads.forEach(StreamServer::join);
    }

    static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
