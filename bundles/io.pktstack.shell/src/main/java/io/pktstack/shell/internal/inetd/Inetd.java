package io.pktstack.shell.internal.inetd;

import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * The internal services of BSD's inetd on one stack, started and stopped at
 * run time. A start or stop names several services and is done whole or not
 * at all.
 */
public final class Inetd implements AutoCloseable {

    /** One running service's port and counters, for the listing. */
    public record Row(ServiceKey key, int port, long served, int active, long bytesIn, long bytesOut, long refused) {
    }

    private final TcpStack tcp;
    private final NetworkStack stack;
    private final ToIntFunction<InternalService> ports;
    private final Map<ServiceKey, RunningService> running = new TreeMap<>();

    /** The services on their well-known ports. */
    public Inetd(TcpStack tcp, NetworkStack stack) {
        this(tcp, stack, InternalService::port);
    }

    /** The services on the ports {@code ports} gives (tests use free ones). */
    Inetd(TcpStack tcp, NetworkStack stack, ToIntFunction<InternalService> ports) {
        this.tcp = tcp;
        this.stack = stack;
        this.ports = ports;
    }

    /**
     * Starts every service in {@code keys}, or none.
     *
     * @throws IllegalStateException naming the first that already runs, or whose port is taken
     */
    public synchronized void start(List<ServiceKey> keys) {
        for (ServiceKey k : keys) {
            if (running.containsKey(k)) {
                throw new IllegalStateException(k + " already runs");
            }
        }
        List<RunningService> started = new ArrayList<>();
        try {
            for (ServiceKey k : keys) {
                int port = ports.applyAsInt(k.service());
                started.add(k.tcp() ? StreamServer.start(tcp, k.service(), port)
                        : DatagramServer.start(stack, k.service(), port));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(RunningService::stop);
            ServiceKey failed = keys.get(started.size());
            throw new IllegalStateException(failed + ": port " + ports.applyAsInt(failed.service()) + " cannot be bound ("
                    + e.getMessage() + ")");
        }
        started.forEach(s -> running.put(s.key(), s));
    }

    /**
     * Stops every service in {@code keys}, or none.
     *
     * @throws IllegalStateException naming the first that does not run
     */
    public synchronized void stop(List<ServiceKey> keys) {
        for (ServiceKey k : keys) {
            if (!running.containsKey(k)) {
                throw new IllegalStateException(k + " does not run");
            }
        }
        for (ServiceKey k : keys) {
            running.remove(k).stop();
        }
    }

    /** The services that run, by port. */
    public synchronized List<ServiceKey> running() {
        return List.copyOf(running.keySet());
    }

    public synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (RunningService s : running.values()) {
            Counters c = s.counters();
            rows.add(new Row(s.key(), ports.applyAsInt(s.key().service()), c.served.sum(), c.active.get(), c.bytesIn.sum(), c.bytesOut.sum(),
                    c.refused.sum()));
        }
        return rows;
    }

    /** Stops every service. */
    @Override
    public synchronized void close() {
        running.values().forEach(RunningService::stop);
        running.clear();
    }
}
