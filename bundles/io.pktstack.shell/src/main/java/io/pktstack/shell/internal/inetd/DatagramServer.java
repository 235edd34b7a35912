package io.pktstack.shell.internal.inetd;

import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.UdpSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

/**
 * A UDP internal service: one virtual thread receives datagrams and answers
 * each from the same port, with one receive and one answer buffer for the
 * service's life.
 */
final class DatagramServer implements RunningService {

    /**
     * Source ports that are themselves internal services (and 0): a datagram
     * from one is dropped, or an echo and a chargen could answer each other for
     * ever. BSD inetd does the same (inetd.c check_loop).
     */
    static final Set<Integer> LOOP_PORTS = Set.of(0, 7, 9, 13, 19, 37);
    private static final Duration POLL = Duration.ofMillis(250);

    private final ServiceKey key;
    private final UdpSocket socket;
    private final Counters counters = new Counters();
    private final Thread thread;
    private volatile boolean stopping;

    private DatagramServer(ServiceKey key, UdpSocket socket) {
        this.key = key;
        this.socket = socket;
        this.thread = Thread.ofVirtual().name("inetd-" + key).unstarted(this::receive);
    }

    /**
     * Binds {@code port} and starts answering.
     *
     * @throws IllegalArgumentException if the port is in use
     */
    static DatagramServer start(NetworkStack stack, InternalService service, int port) {
        DatagramServer s = new DatagramServer(new ServiceKey(service, false), stack.openUdp(port));
        s.thread.start();
        return s;
    }

    private void receive() {
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        InternalService service = key.service();
        while (!stopping) {
            in.clear();
            UdpSocket.Datagram d = socket.receive(in, POLL);
            if (d == null) {
                continue; // nothing within POLL, or interrupted by stop
            }
            counters.served.increment();
            counters.bytesIn.add(d.length());
            if (LOOP_PORTS.contains(d.sourcePort())) {
                counters.refused.increment();
                continue;
            }
            in.flip();
            out.clear();
            if (service.answer(in, out)) {
                out.flip();
                int n = out.remaining();
                try {
                    socket.send(d.source(), d.sourcePort(), out);
                    counters.bytesOut.add(n);
                } catch (RuntimeException e) {
                    counters.refused.increment(); // no route or no neighbour to answer: the datagram is lost, as UDP's are
                }
            }
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
        thread.interrupt();
        StreamServer.join(thread);
        socket.close();
    }
}
