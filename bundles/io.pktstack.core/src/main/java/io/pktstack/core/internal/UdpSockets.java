package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.stack.UdpSocket;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.UdpDatagram;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * UDP (RFC 768): ports and their sockets. A received datagram is queued as
 * the frame that carried it (no copy) until the socket's owner reads it; a
 * full queue drops and counts, never blocks the receive path.
 */
final class UdpSockets implements ProtocolHandler {

    /**
     * Datagrams a socket queues by default before it drops and counts (sysctl
     * net.pktstack.udp.queue): each holds the pool frame that carried it, so
     * a peer sending to a socket its owner does not read pins at most this
     * many frames.
     */
    static final int DEFAULT_QUEUE_LENGTH = 256;
    /** The queue length of sockets opened from now on. */
    volatile int queueLength = DEFAULT_QUEUE_LENGTH;
    private static final int EPHEMERAL_FIRST = 49152;

    private final IpOutput out;
    private final Routing routing;
    private final ProtocolCounters stats;
    private final ConcurrentHashMap<Integer, Endpoint> ports = new ConcurrentHashMap<>();
    private int nextEphemeral = EPHEMERAL_FIRST;
    private IcmpErrors icmp;
    /** Ports the stack serves itself (DHCP's 67 and 68): a few, scanned per datagram; replaced whole on change. */
    private volatile Internal internal = new Internal(new int[0], new ProtocolHandler[0], new String[0]);

    private record Internal(int[] ports, ProtocolHandler[] handlers, String[] owners) {
        String owner(int port) {
            for (int i = 0; i < ports.length; i++) {
                if (ports[i] == port) {
                    return owners[i];
                }
            }
            return null;
        }
    }

    UdpSockets(IpOutput out, Routing routing, ProtocolCounters stats) {
        this.out = out;
        this.routing = routing;
        this.stats = stats;
    }

    /**
     * Serves {@code port} inside the stack: its datagrams (checksum verified)
     * go to {@code handler} with the {@link Inbound} that says which interface
     * they came in on, rather than to a socket.
     */
    synchronized void bindInternal(int port, String owner, ProtocolHandler handler) {
        Internal in = internal;
        if (ports.containsKey(port) || in.owner(port) != null) {
            throw new IllegalArgumentException("UDP port " + port + " is in use"
                    + (in.owner(port) != null ? " (" + in.owner(port) + ")" : ""));
        }
        int n = in.ports.length;
        int[] p = java.util.Arrays.copyOf(in.ports, n + 1);
        ProtocolHandler[] h = java.util.Arrays.copyOf(in.handlers, n + 1);
        String[] o = java.util.Arrays.copyOf(in.owners, n + 1);
        p[n] = port;
        h[n] = handler;
        o[n] = owner;
        internal = new Internal(p, h, o);
    }

    synchronized void unbindInternal(int port) {
        Internal in = internal;
        int n = 0;
        for (int q : in.ports) {
            n += q == port ? 0 : 1;
        }
        int[] p = new int[n];
        ProtocolHandler[] h = new ProtocolHandler[n];
        String[] o = new String[n];
        for (int j = 0, k = 0; j < in.ports.length; j++) {
            if (in.ports[j] != port) {
                p[k] = in.ports[j];
                h[k] = in.handlers[j];
                o[k++] = in.owners[j];
            }
        }
        internal = new Internal(p, h, o);
    }

    /** Where a datagram for a closed port is answered with a port unreachable (RFC 1122 §4.1.3.1). */
    void icmpErrors(IcmpErrors icmp) {
        this.icmp = icmp;
    }

    @Override
    public boolean input(Inbound in, Frame f, PathContext ctx) {
        UdpDatagram u = ctx.udp;
        stats.count(Stat.UDP_RECEIVED);
        if (!u.wrapChecked(f.segment(), in.l4Offset, in.l4Length)) {
            stats.count(Stat.UDP_SHORT);
            in.l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        // Over IPv4 a zero checksum means none was computed (RFC 768); over IPv6 it is mandatory (RFC 8200 §8.1).
        // A partial or vouched-for one (a guest of this host's) is not summed again (Frame.CSUM_PARTIAL).
        boolean sumOk = f.checksum() != Frame.CSUM_NONE || (in.v6
                ? u.verifyChecksumV6(in.srcHi, in.srcLo, in.dstHi, in.dstLo)
                : u.verifyChecksumV4(in.srcV4(), in.dstV4()));
        if (!sumOk) {
            stats.count(Stat.UDP_BAD_SUM);
            in.l3.drop(DropReason.BAD_CHECKSUM, 1);
            return false;
        }
        Internal served = internal;
        for (int i = 0; i < served.ports.length; i++) {
            if (served.ports[i] == u.dstPort()) {
                stats.count(Stat.UDP_DELIVERED);
                return served.handlers[i].input(in, f, ctx);
            }
        }
        Endpoint e = ports.get(u.dstPort());
        if (e == null) {
            stats.count(Stat.UDP_NO_PORT);
            in.l3.drop(DropReason.NO_SOCKET, 1);
            if (icmp != null) {
                if (in.v6) {
                    icmp.unreachableV6(in.l3, f, IcmpErrors.UNREACH6_PORT, ctx);
                } else {
                    icmp.unreachableV4(in.l3, f, IcmpErrors.UNREACH_PORT, 0, ctx);
                }
            }
            return false;
        }
        if (!e.queue.offer(f)) {
            stats.count(Stat.UDP_FULL_SOCKET);
            in.l3.drop(DropReason.SOCKET_QUEUE_FULL, 1);
            return false;
        }
        stats.count(Stat.UDP_DELIVERED);
        return true;
    }

    /** Builds and sends one UDP datagram; held, not refused, while the next hop resolves. */
    private void send(InetAddress dst, int srcPort, int dstPort, ByteBuffer payload, PathContext ctx) {
        boolean v4 = dst instanceof Inet4Address;
        Routing.Route r = routing.route(dst);
        int n = payload.remaining();
        int udpLen = UdpDatagram.HEADER_LEN + n;
        int ipLen = (v4 ? Ipv4Packet.MIN_HEADER_LEN : Ipv6Packet.HEADER_LEN) + udpLen;
        if ((v4 ? ipLen : udpLen) > IpOutput.maxDatagram(!v4) - (v4 ? 0 : Ipv6Packet.HEADER_LEN)) {
            throw new IllegalArgumentException("datagram of " + n + " bytes is larger than " + (v4 ? "IPv4" : "IPv6")
                    + " carries");
        }
        Frame f = out.take(r.nif(), EthernetFrame.HEADER_LEN + ipLen); // larger than the MTU: it leaves in fragments
        if (f == null) {
            throw new UncheckedIOException(new java.io.IOException("no frame buffer free"));
        }
        if (EthernetFrame.HEADER_LEN + ipLen > f.capacity() - f.offset()) {
            f.release();
            throw new IllegalArgumentException("datagram of " + n + " bytes does not fit a frame buffer");
        }
        out.ethernet(ctx, f, r.nif(), IpOutput.etherTypeOf(!v4), ipLen);
        byte[] s = r.source().address().getAddress();
        byte[] d = dst.getAddress();
        Ipv4Packet ip4 = null;
        Ipv6Packet ip6 = null;
        long at;
        if (v4) {
            ip4 = out.ipv4Header(ctx, f, IpAddresses.v4(s), IpAddresses.v4(d), udpLen, IpProtocol.UDP, 0);
            at = ip4.payloadOffset();
        } else {
            ip6 = out.ipv6Header(ctx, f, IpAddresses.v6hi(s), IpAddresses.v6lo(s), IpAddresses.v6hi(d),
                    IpAddresses.v6lo(d), udpLen, IpProtocol.UDP, out.hopLimit);
            at = ip6.payloadOffset();
        }
        UdpDatagram u = ctx.udp.wrap(f.segment(), at, udpLen);
        u.setSrcPort(srcPort);
        u.setDstPort(dstPort);
        u.setUdpLength(udpLen);
        u.setChecksum(0);
        MemorySegment.copy(MemorySegment.ofBuffer(payload), 0, f.segment(), at + UdpDatagram.HEADER_LEN, n);
        payload.position(payload.position() + n);
        if (v4) {
            u.fillChecksum(ip4);
        } else {
            u.fillChecksum(ip6);
        }
        stats.count(Stat.UDP_SENT);
        out.send(r, dst, f, ctx);
        ctx.flush();
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
        String owner = internal.owner(port);
        if (ports.containsKey(port) || owner != null) {
            throw new IllegalArgumentException("UDP port " + port + " is in use" + (owner != null ? " (" + owner + ")" : ""));
        }
        Endpoint e = new Endpoint(port, contexts, queueLength);
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
        final ArrayBlockingQueue<Frame> queue;

        Endpoint(int port, ThreadLocal<PathContext> contexts, int queueLength) {
            this.port = port;
            this.contexts = contexts;
            this.queue = new ArrayBlockingQueue<>(queueLength);
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
            UdpSockets.this.send(destination, port, dstPort, payload, contexts.get());
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
