package io.pktstack.core.internal;

import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.api.frame.Frame;
import io.pktstack.api.stack.PingResult;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * ICMP and ICMPv6 echo from the stack ({@code ping}): sends one request, waits
 * for the matching reply or for the deadline, which the stack timer keeps on
 * the injected clock (so tests move time instead of waiting).
 */
final class Pinger {

    private final IpOutput out;
    private final Routing routing;
    private final StackTimer timer;
    private final ProtocolCounters stats;
    private final ConcurrentHashMap<Long, Waiter> pending = new ConcurrentHashMap<>();
    private final int identifier = (int) (System.nanoTime() & 0xFFFF);

    /** One request in flight; its timer task ends it unanswered at the deadline. */
    private final class Waiter extends StackTimer.Task {
        final InetAddress destination;
        final int sequence;
        final CompletableFuture<PingResult> done = new CompletableFuture<>();
        long sentAt;

        Waiter(InetAddress destination, int sequence) {
            this.destination = destination;
            this.sequence = sequence;
        }

        @Override
        protected void run(long now) {
            done.complete(new PingResult(destination, sequence, false, 0, 0, 0));
        }
    }

    Pinger(IpOutput out, Routing routing, StackTimer timer, ProtocolCounters stats) {
        this.out = out;
        this.routing = routing;
        this.timer = timer;
        this.stats = stats;
    }

    private static long key(boolean v6, int id, int seq) {
        return (v6 ? 1L << 32 : 0) | ((long) (id & 0xFFFF) << 16) | (seq & 0xFFFF);
    }

    /** An echo reply arrived: completes the request it answers, if it is ours and from whom we asked. */
    void reply(boolean v6, int id, int seq, InetAddress from, int bytes, int ttl) {
        Waiter w = pending.get(key(v6, id, seq));
        if (w != null && w.destination.equals(from)) {
            w.done.complete(new PingResult(from, w.sequence, true, bytes, ttl, timer.now() - w.sentAt));
        }
    }

    PingResult ping(InetAddress dst, int sequence, int payloadBytes, Duration timeout, PathContext ctx) {
        boolean v4 = dst instanceof Inet4Address;
        Routing.Route r = routing.route(dst);
        int seq = sequence & 0xFFFF;
        int icmpLen = 8 + payloadBytes;
        int ipLen = (v4 ? Ipv4Packet.MIN_HEADER_LEN : Ipv6Packet.HEADER_LEN) + icmpLen;
        if (ipLen > IpOutput.maxDatagram(!v4)) {
            throw new IllegalArgumentException("ping: " + payloadBytes + " data bytes are more than "
                    + (v4 ? "IPv4" : "IPv6") + " carries in one datagram");
        }
        Frame f = out.take(r.nif(), EthernetFrame.HEADER_LEN + ipLen); // larger than the MTU: it leaves in fragments
        if (f == null) {
            return new PingResult(dst, sequence, false, 0, 0, 0);
        }
        if (EthernetFrame.HEADER_LEN + ipLen > f.capacity() - f.offset()) {
            f.release();
            throw new IllegalArgumentException("ping: " + payloadBytes + " data bytes do not fit a frame buffer");
        }
        out.ethernet(ctx, f, r.nif(), IpOutput.etherTypeOf(!v4), ipLen);
        byte[] s = r.source().address().getAddress();
        byte[] d = dst.getAddress();
        long at;
        if (v4) {
            at = out.ipv4Header(ctx, f, IpAddresses.v4(s), IpAddresses.v4(d), icmpLen, IpProtocol.ICMP, seq)
                    .payloadOffset();
        } else {
            at = out.ipv6Header(ctx, f, IpAddresses.v6hi(s), IpAddresses.v6lo(s), IpAddresses.v6hi(d),
                    IpAddresses.v6lo(d), icmpLen, IpProtocol.ICMPV6, out.hopLimit).payloadOffset();
        }
        for (int i = 0; i < payloadBytes; i++) {
            f.segment().set(ValueLayout.JAVA_BYTE, at + 8 + i, (byte) i);
        }
        if (v4) {
            IcmpPacket icmp = ctx.icmp.wrap(f.segment(), at, icmpLen);
            icmp.setType(IcmpPacket.TYPE_ECHO_REQUEST);
            icmp.setCode(0);
            icmp.setIdentifier(identifier);
            icmp.setSequence(seq);
            icmp.fillChecksum(icmpLen);
        } else {
            Icmpv6Packet icmp = ctx.icmp6.wrap(f.segment(), at, icmpLen);
            icmp.setType(Icmpv6Packet.TYPE_ECHO_REQUEST);
            icmp.setCode(0);
            icmp.setIdentifier(identifier);
            icmp.setSequence(seq);
            icmp.fillChecksum(ctx.ip6);
        }
        long key = key(!v4, identifier, seq);
        Waiter w = new Waiter(dst, sequence);
        pending.put(key, w);
        try {
            w.sentAt = timer.now();
            timer.schedule(w, timeout.toNanos());
            stats.count(v4 ? Stat.ICMP_ECHO_OUT : Stat.ICMP6_ECHO_OUT);
            out.send(r, dst, f, ctx); // held while the next hop resolves, within the same deadline
            ctx.flush();
            return w.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PingResult(dst, sequence, false, 0, 0, 0);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            timer.cancel(w);
            pending.remove(key, w);
        }
    }
}
