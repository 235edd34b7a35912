package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * ICMP and ICMPv6 error messages about a packet the stack could not deliver
 * or forward: time exceeded, destination, host and port unreachable,
 * fragmentation needed with the next-hop MTU (RFC 1191) and packet too big,
 * redirects (RFC 792, RFC 1812 §4.3, RFC 4443). Any part of the stack calls
 * these (the forwarder, UDP for a closed port, reassembly on timeout, the
 * neighbour cache when a next hop does not answer); TCP answers with RSTs
 * instead.
 *
 * <p>Rules from RFC 1812 §4.3.2.7 and RFC 4443 §2.4(e): no error about an
 * ICMP error, a non-first fragment, a packet to a broadcast or multicast
 * address (IP or link layer; packet too big excepted for IPv6), or from an
 * address that is not a single host (unspecified, broadcast, multicast,
 * loopback) or that is the stack's own. Errors are limited per second
 * ({@code sysctl net.inet.icmp.errppslimit}, {@code net.inet6.icmp6.errppslimit},
 * NetBSD's names: -1 no limit, 0 none) and every one sent or suppressed is
 * counted ({@code netstat -s}).
 *
 * <p>The error quotes as much of the offending packet as fits 576 bytes for
 * IPv4 (RFC 1812 §4.3.2.3) and the IPv6 minimum MTU of 1280 (RFC 4443 §2.4(c)).
 * It goes to the packet's source by the forwarding table, from an address of
 * the interface the packet came in on (RFC 1812 §4.3.2.4). The methods never
 * take ownership of the offending frame; they re-wrap the calling thread's
 * IP and ICMP views.
 */
final class IcmpErrors {

    static final int V4_MAX_DATAGRAM = 576;
    static final int V6_MAX_DATAGRAM = 1280;
    /** NetBSD's default errppslimit. */
    static final int DEFAULT_PPS = 100;

    // ICMP destination unreachable codes (RFC 792, RFC 1812 §5.2.7.1).
    static final int UNREACH_NET = 0;
    static final int UNREACH_HOST = 1;
    static final int UNREACH_PROTOCOL = 2;
    static final int UNREACH_PORT = 3;
    static final int UNREACH_NEEDFRAG = 4;
    static final int TYPE_REDIRECT = 5;
    static final int REDIRECT_HOST = 1;
    // ICMPv6 destination unreachable codes (RFC 4443 §3.1).
    static final int UNREACH6_NOROUTE = 0;
    static final int UNREACH6_BEYONDSCOPE = 2;
    static final int UNREACH6_ADDR = 3;
    static final int UNREACH6_PORT = 4;
    static final int PARAMPROB6_HEADER = 0;
    static final int PARAMPROB6_NEXTHEADER = 1;
    /** Time exceeded codes, both versions: in transit, and fragment reassembly. */
    static final int TIMXCEED_INTRANS = 0;
    static final int TIMXCEED_REASS = 1;

    private final IpOutput out;
    private final ProtocolCounters stats;
    private final Supplier<ForwardingTable> table;
    private final StackClock clock;
    final RateLimit limit4 = new RateLimit(DEFAULT_PPS);
    final RateLimit limit6 = new RateLimit(DEFAULT_PPS);

    /** The stack's time, in nanoseconds. */
    interface StackClock {
        long now();
    }

    IcmpErrors(IpOutput out, ProtocolCounters stats, Supplier<ForwardingTable> table, StackClock clock) {
        this.out = out;
        this.stats = stats;
        this.table = table;
        this.clock = clock;
    }

    // ---- IPv4 ---------------------------------------------------------------------------

    void timeExceededV4(NetInterface l3, Frame f, int code, PathContext ctx) {
        if (sendV4(l3, f, IcmpPacket.TYPE_TIME_EXCEEDED, code, 0, ctx)) {
            stats.count(Stat.ICMP_TIMXCEED_OUT);
        }
    }

    /** Destination unreachable; {@code nextHopMtu} goes with {@link #UNREACH_NEEDFRAG} (RFC 1191 §4), else 0. */
    void unreachableV4(NetInterface l3, Frame f, int code, int nextHopMtu, PathContext ctx) {
        if (sendV4(l3, f, IcmpPacket.TYPE_DEST_UNREACHABLE, code, nextHopMtu & 0xFFFF, ctx)) {
            stats.count(Stat.ICMP_UNREACH_OUT);
        }
    }

    /** A host redirect to {@code gateway} (RFC 792, RFC 1812 §5.2.7.2); the packet itself is still forwarded. */
    void redirectV4(NetInterface l3, Frame f, int gateway, PathContext ctx) {
        if (sendV4(l3, f, TYPE_REDIRECT, REDIRECT_HOST, gateway, ctx)) {
            stats.count(Stat.ICMP_REDIRECT_OUT);
        }
    }

    private boolean sendV4(NetInterface l3, Frame f, int type, int code, int rest, PathContext ctx) {
        MemorySegment s = f.segment();
        long eth = f.offset();
        long ip = eth + EthernetFrame.HEADER_LEN;
        if (f.length() < EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN) {
            return false;
        }
        int hl = (Be.u8(s, ip) & 0x0F) * 4;
        int total = Be.u16(s, ip + 2);
        if (hl < Ipv4Packet.MIN_HEADER_LEN || total < hl || EthernetFrame.HEADER_LEN + total > f.length()) {
            return false;
        }
        int src = Be.i32(s, ip + 12);
        int dst = Be.i32(s, ip + 16);
        boolean groupMac = (Be.u8(s, eth) & 1) != 0;
        ForwardingTable t = table.get();
        if (groupMac || !unicastV4(src) || !unicastV4(dst) || t.directedBroadcastV4(dst)
                || (Be.u16(s, ip + 6) & 0x1FFF) != 0 || t.localV4(src) != null) {
            stats.count(Stat.ICMP_ERROR_NOT_SENT);
            return false;
        }
        if (Be.u8(s, ip + 9) == IpProtocol.ICMP && total > hl && isErrorV4(Be.u8(s, ip + hl))) {
            stats.count(Stat.ICMP_ERROR_ABOUT_ERROR);
            return false;
        }
        ForwardingTable.Entry back = t.lookupV4(src);
        if (back == null) {
            stats.count(Stat.ICMP_ERROR_NOT_SENT);
            return false;
        }
        if (!limit4.allow(clock.now())) {
            stats.count(Stat.ICMP_ERROR_RATELIMIT);
            return false;
        }
        int from = sourceV4(l3, src, back);
        int quoted = Math.min(total, V4_MAX_DATAGRAM - Ipv4Packet.MIN_HEADER_LEN - IcmpPacket.HEADER_LEN);
        int icmpLen = IcmpPacket.HEADER_LEN + quoted;
        Frame e = out.take(back.nif);
        if (e == null) {
            return false;
        }
        out.ethernet(ctx, e, back.nif, io.pktstack.api.wire.EtherType.IPV4, Ipv4Packet.MIN_HEADER_LEN + icmpLen);
        Ipv4Packet h = out.ipv4Header(ctx, e, from, src, icmpLen, IpProtocol.ICMP);
        h.setFlags(0); // errors are small and may be fragmented on the way back
        h.fillChecksum();
        IcmpPacket icmp = ctx.icmp.wrap(e.segment(), h.payloadOffset(), icmpLen);
        icmp.setType(type);
        icmp.setCode(code);
        icmp.setRestOfHeader(rest);
        MemorySegment.copy(s, ip, e.segment(), icmp.payloadOffset(), quoted);
        icmp.fillChecksum();
        stats.count(Stat.ICMP_ERROR_SENT);
        out.send(back.route, IpAddresses.fromV4(src), e, ctx);
        return true;
    }

    private static boolean isErrorV4(int icmpType) {
        return icmpType == IcmpPacket.TYPE_DEST_UNREACHABLE || icmpType == 4 /* source quench */
                || icmpType == TYPE_REDIRECT || icmpType == IcmpPacket.TYPE_TIME_EXCEEDED
                || icmpType == IcmpPacket.TYPE_PARAMETER_PROBLEM;
    }

    /** A single host's address: not 0/8, loopback, multicast, class E or the limited broadcast. */
    static boolean unicastV4(int a) {
        int first = a >>> 24;
        return first != 0 && first != 127 && first < 224;
    }

    /** An address of the interface the packet came in on, in the source's prefix if it has one; else the route's. */
    private static int sourceV4(NetInterface l3, int to, ForwardingTable.Entry back) {
        int any = 0;
        for (NetInterface n : l3.segment()) {
            for (InterfaceAddress a : n.addresses) {
                if (!a.isIpv4()) {
                    continue;
                }
                int v = IpAddresses.v4(a.address().getAddress());
                if (IpAddresses.sameV4Prefix(v, to, a.prefixLength())) {
                    return v;
                }
                if (any == 0) {
                    any = v;
                }
            }
        }
        return any != 0 ? any : IpAddresses.v4(back.route.source().address().getAddress());
    }

    // ---- IPv6 ---------------------------------------------------------------------------

    void timeExceededV6(NetInterface l3, Frame f, int code, PathContext ctx) {
        if (sendV6(l3, f, Icmpv6Packet.TYPE_TIME_EXCEEDED, code, 0, ctx)) {
            stats.count(Stat.ICMP6_TIMXCEED_OUT);
        }
    }

    void unreachableV6(NetInterface l3, Frame f, int code, PathContext ctx) {
        if (sendV6(l3, f, Icmpv6Packet.TYPE_DEST_UNREACHABLE, code, 0, ctx)) {
            stats.count(Stat.ICMP6_UNREACH_OUT);
        }
    }

    /** Packet too big with the MTU of the next hop (RFC 4443 §3.2). */
    void packetTooBig(NetInterface l3, Frame f, int mtu, PathContext ctx) {
        if (sendV6(l3, f, Icmpv6Packet.TYPE_PACKET_TOO_BIG, 0, mtu, ctx)) {
            stats.count(Stat.ICMP6_TOOBIG_OUT);
        }
    }

    /** Parameter problem pointing at byte {@code pointer} of the offending packet (RFC 4443 §3.4). */
    void parameterProblemV6(NetInterface l3, Frame f, int code, int pointer, PathContext ctx) {
        if (sendV6(l3, f, Icmpv6Packet.TYPE_PARAMETER_PROBLEM, code, pointer, ctx)) {
            stats.count(Stat.ICMP6_PARAMPROB_OUT);
        }
    }

    private boolean sendV6(NetInterface l3, Frame f, int type, int code, int rest, PathContext ctx) {
        MemorySegment s = f.segment();
        long eth = f.offset();
        long ip = eth + EthernetFrame.HEADER_LEN;
        if (f.length() < EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN) {
            return false;
        }
        int total = Ipv6Packet.HEADER_LEN + Be.u16(s, ip + 4);
        if (EthernetFrame.HEADER_LEN + total > f.length()) {
            return false;
        }
        long shi = Be.i64(s, ip + 8);
        long slo = Be.i64(s, ip + 16);
        long dhi = Be.i64(s, ip + 24);
        boolean groupMac = (Be.u8(s, eth) & 1) != 0;
        boolean multicastDst = (dhi >>> 56) == 0xff;
        // RFC 4443 §2.4(e.3): packet too big and parameter problem code 2 may answer a multicast packet.
        boolean groupOk = type == Icmpv6Packet.TYPE_PACKET_TOO_BIG || (type == Icmpv6Packet.TYPE_PARAMETER_PROBLEM && code == 2);
        ForwardingTable t = table.get();
        if (((groupMac || multicastDst) && !groupOk) || (shi == 0 && slo == 0) || (shi >>> 56) == 0xff
                || (shi == 0 && slo == 1) || t.localV6(shi, slo) != null) {
            stats.count(Stat.ICMP6_ERROR_NOT_SENT);
            return false;
        }
        if (Be.u8(s, ip + 6) == IpProtocol.ICMPV6 && total > Ipv6Packet.HEADER_LEN) {
            int t6 = Be.u8(s, ip + Ipv6Packet.HEADER_LEN);
            if (t6 < 128 || t6 == Icmpv6Packet.TYPE_REDIRECT) {
                stats.count(Stat.ICMP6_ERROR_ABOUT_ERROR);
                return false;
            }
        }
        ForwardingTable.Entry back = t.lookupV6(shi, slo);
        boolean linkLocalSrc = (shi & 0xffc0_0000_0000_0000L) == 0xfe80_0000_0000_0000L;
        NetInterface via = back != null ? back.nif : linkLocalSrc ? l3 : null;
        if (via == null) {
            stats.count(Stat.ICMP6_ERROR_NOT_SENT);
            return false;
        }
        if (!limit6.allow(clock.now())) {
            stats.count(Stat.ICMP6_ERROR_RATELIMIT);
            return false;
        }
        long[] from = sourceV6(l3, shi, slo);
        if (from == null) {
            stats.count(Stat.ICMP6_ERROR_NOT_SENT);
            return false;
        }
        int quoted = Math.min(total, V6_MAX_DATAGRAM - Ipv6Packet.HEADER_LEN - Icmpv6Packet.HEADER_LEN);
        int icmpLen = Icmpv6Packet.HEADER_LEN + quoted;
        Frame e = out.take(via);
        if (e == null) {
            return false;
        }
        out.ethernet(ctx, e, via, io.pktstack.api.wire.EtherType.IPV6, Ipv6Packet.HEADER_LEN + icmpLen);
        Ipv6Packet h = out.ipv6Header(ctx, e, from[0], from[1], shi, slo, icmpLen, IpProtocol.ICMPV6, out.hopLimit);
        Icmpv6Packet icmp = ctx.icmp6.wrap(e.segment(), h.payloadOffset(), icmpLen);
        icmp.setType(type);
        icmp.setCode(code);
        icmp.setRestOfHeader(rest);
        MemorySegment.copy(s, ip, e.segment(), icmp.payloadOffset(), quoted);
        icmp.fillChecksum(h);
        stats.count(Stat.ICMP6_ERROR_SENT);
        Routing.Route r = back != null ? back.route : linkLocalRoute(l3);
        if (r == null) {
            e.release();
            return false;
        }
        out.send(r, IpAddresses.fromV6(shi, slo), e, ctx);
        return true;
    }

    private static Routing.Route linkLocalRoute(NetInterface l3) {
        for (InterfaceAddress a : l3.addresses) {
            if (!a.isIpv4() && a.address().isLinkLocalAddress()) {
                return new Routing.Route(l3, a);
            }
        }
        return null;
    }

    /**
     * An address of the arrival interface to answer from: link-local to a
     * link-local source, else one in the source's prefix, else any global one
     * of the interface, else its link-local address. Null if it has none.
     */
    private static long[] sourceV6(NetInterface l3, long shi, long slo) {
        boolean linkLocal = (shi & 0xffc0_0000_0000_0000L) == 0xfe80_0000_0000_0000L;
        long[] ll = null;
        long[] global = null;
        for (NetInterface n : l3.segment()) {
            for (InterfaceAddress a : n.addresses) {
                if (a.isIpv4()) {
                    continue;
                }
                byte[] b = a.address().getAddress();
                long[] v = {IpAddresses.v6hi(b), IpAddresses.v6lo(b)};
                if (a.address().isLinkLocalAddress()) {
                    ll = ll == null ? v : ll;
                } else if (!linkLocal && IpAddresses.sameV6Prefix(v[0], v[1], shi, slo, a.prefixLength())) {
                    return v;
                } else if (global == null) {
                    global = v;
                }
            }
        }
        return linkLocal ? ll : global != null ? global : ll;
    }

    /**
     * At most {@code limit} events per one-second window (BSD's ppsratecheck):
     * -1 allows all, 0 none.
     */
    static final class RateLimit {
        private volatile int limit;
        private long windowStart = Long.MIN_VALUE;
        private int count;

        RateLimit(int limit) {
            this.limit = limit;
        }

        int limit() {
            return limit;
        }

        void setLimit(int limit) {
            this.limit = limit;
        }

        synchronized boolean allow(long now) {
            int l = limit;
            if (l < 0) {
                return true;
            }
            if (windowStart == Long.MIN_VALUE || now - windowStart >= 1_000_000_000L) {
                windowStart = now;
                count = 0;
            }
            if (count >= l) {
                return false;
            }
            count++;
            return true;
        }
    }
}
