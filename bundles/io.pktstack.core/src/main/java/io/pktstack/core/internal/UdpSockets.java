package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.stack.UdpSocket;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.api.wire.UdpDatagram;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * UDP ports and their sockets. A received datagram is queued as the frame
 * that carried it (no copy) until the socket's owner reads it; a full queue
 * drops and counts, never blocks the receive path.
 */
final class UdpSockets {

    static final int QUEUE_LENGTH = 256;
    private static final int EPHEMERAL_FIRST = 49152;

    private final IpLayer ip;
    private final ConcurrentHashMap<Integer, Endpoint> ports = new ConcurrentHashMap<>();
    private int nextEphemeral = EPHEMERAL_FIRST;

    UdpSockets(IpLayer ip) {
        this.ip = ip;
    }

    /** Queues a validated datagram's frame for the socket on {@code port}. Takes ownership only when it returns true. */
    boolean deliver(int port, Frame f) {
        Endpoint e = ports.get(port);
        if (e == null) {
            return false;
        }
        if (!e.queue.offer(f)) {
            e.drops++;
            return false;
        }
        return true;
    }

    synchronized UdpSocket open(int port, ThreadLocal<PathContext> contexts) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("UDP port " + port + " out of range");
        }
        if (port == 0) {
            for (int i = 0; i < 16384 && ports.containsKey(nextEphemeral); i++) {
                nextEphemeral = nextEphemeral == 65535 ? EPHEMERAL_FIRST : nextEphemeral + 1;
            }
            port = nextEphemeral;
        }
        if (ports.containsKey(port)) {
            throw new IllegalArgumentException("UDP port " + port + " is in use");
        }
        Endpoint e = new Endpoint(port, contexts);
        ports.put(port, e);
        return e;
    }

    void closeAll() {
        for (Endpoint e : List.copyOf(ports.values())) {
            e.close();
        }
    }

    private final class Endpoint implements UdpSocket {
        final int port;
        final ThreadLocal<PathContext> contexts;
        final ArrayBlockingQueue<Frame> queue = new ArrayBlockingQueue<>(QUEUE_LENGTH);
        volatile long drops;

        Endpoint(int port, ThreadLocal<PathContext> contexts) {
            this.port = port;
            this.contexts = contexts;
        }

        @Override
        public int localPort() {
            return port;
        }

        @Override
        public void send(InetAddress destination, int dstPort, ByteBuffer payload) {
            if (dstPort <= 0 || dstPort > 65535) {
                throw new IllegalArgumentException("UDP port " + dstPort + " out of range");
            }
            try {
                ip.sendUdp(destination, port, dstPort, payload, contexts.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted"));
            }
        }

        @Override
        public Datagram receive(ByteBuffer into, Duration timeout) {
            Frame f;
            try {
                f = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (f == null) {
                return null;
            }
            try {
                // The frame was validated on input; parse it again with views private to this call.
                EthernetFrame eth = new EthernetFrame().wrap(f.segment(), f.offset(), f.length());
                InetAddress src;
                UdpDatagram u = new UdpDatagram();
                if (eth.etherType() == EtherType.IPV4) {
                    Ipv4Packet p = new Ipv4Packet().wrap(f.segment(), eth.payloadOffset(), eth.payloadLength());
                    src = IpAddresses.fromV4(p.srcAddr());
                    u.wrap(f.segment(), p.payloadOffset(), p.totalLength() - p.headerLength());
                } else {
                    Ipv6Packet p = new Ipv6Packet().wrap(f.segment(), eth.payloadOffset(), eth.payloadLength());
                    src = IpAddresses.fromV6(p.srcHi(), p.srcLo());
                    u.wrap(f.segment(), p.payloadOffset(), p.payloadLength());
                }
                int len = u.udpLength() - UdpDatagram.HEADER_LEN;
                int n = Math.min(len, into.remaining());
                MemorySegment.copy(f.segment(), u.payloadOffset(), MemorySegment.ofBuffer(into), 0, n);
                into.position(into.position() + n);
                return new Datagram(src, u.srcPort(), len);
            } finally {
                f.release();
            }
        }

        @Override
        public void close() {
            if (ports.remove(port, this)) {
                Frame f;
                while ((f = queue.poll()) != null) {
                    f.release();
                }
            }
        }
    }
}
