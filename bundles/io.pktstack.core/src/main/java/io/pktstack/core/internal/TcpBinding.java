package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.core.internal.tcp.Network;
import io.pktstack.core.internal.tcp.Tcp;
import io.pktstack.core.internal.time.StackTimer;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * TCP's place in the IP layer: its protocol handler for IPv4 and IPv6, and
 * the {@link Network} it sends through (frames from the pool, routes kept per
 * connection with their next hop, headers by {@link IpOutput}).
 */
final class TcpBinding implements ProtocolHandler, Network {

    private final FramePool pool;
    private final FramePool large;
    private final IpOutput out;
    private final Routing routing;
    private final StackTimer timer;
    private final Supplier<List<NetInterface>> interfaces;
    private final Supplier<PathContext> contexts;
    Tcp tcp;

    TcpBinding(FramePool pool, FramePool large, IpOutput out, Routing routing, StackTimer timer, Supplier<List<NetInterface>> interfaces,
            Supplier<PathContext> contexts) {
        this.pool = pool;
        this.large = large;
        this.out = out;
        this.routing = routing;
        this.timer = timer;
        this.interfaces = interfaces;
        this.contexts = contexts;
    }

    @Override
    public boolean input(Inbound in, Frame f, PathContext ctx) {
        int r = tcp.inputInBatch(f.segment(), in.l4Offset, in.l4Length, in.v6, in.srcHi, in.srcLo, in.dstHi,
                in.dstLo, f.checksum() != Frame.CSUM_NONE);
        if (r == Tcp.MALFORMED) {
            in.l3.drop(DropReason.MALFORMED, 1);
        } else if (r == Tcp.BAD_CHECKSUM) {
            in.l3.drop(DropReason.BAD_CHECKSUM, 1);
        }
        return false; // TCP copies what it keeps out of the frame
    }

    @Override
    public Frame take() {
        return pool.take();
    }

    @Override
    public Frame takeLarge() {
        return large.take();
    }

    @Override
    public Path path(boolean v6, long remoteHi, long remoteLo, boolean localGiven, long localHi, long localLo) {
        InetAddress remote = v6 ? IpAddresses.fromV6(remoteHi, remoteLo) : IpAddresses.fromV4((int) remoteLo);
        Routing.Route r = routing.lookup(remote);
        if (r == null) {
            return null;
        }
        if (localGiven && !isLocal(v6, localHi, localLo)) {
            return null;
        }
        long lhi = localHi;
        long llo = localLo;
        if (!localGiven) {
            byte[] s = r.source().address().getAddress();
            lhi = v6 ? IpAddresses.v6hi(s) : 0;
            llo = v6 ? IpAddresses.v6lo(s) : IpAddresses.v4(s) & 0xFFFF_FFFFL;
        }
        return new TcpPath(v6, remote, remoteHi, remoteLo, lhi, llo, r);
    }

    @Override
    public boolean isLocal(boolean v6, long hi, long lo) {
        for (NetInterface n : interfaces.get()) {
            if (v6 ? n.hasIpv6(hi, lo) : n.hasIpv4((int) lo)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void flush() {
        contexts.get().flush();
    }

    /** A connection's route: looked up again only when the routing generation changes; the next hop kept. */
    private final class TcpPath implements Path {
        private final boolean v6;
        private final InetAddress remote;
        private final long remoteHi;
        private final long remoteLo;
        private final long localHi;
        private final long localLo;
        private Routing.Route route;
        private long generation;
        private NeighborCache.Entry nextHop;

        TcpPath(boolean v6, InetAddress remote, long remoteHi, long remoteLo, long localHi, long localLo,
                Routing.Route route) {
            this.v6 = v6;
            this.remote = remote;
            this.remoteHi = remoteHi;
            this.remoteLo = remoteLo;
            this.localHi = localHi;
            this.localLo = localLo;
            this.route = route;
            this.generation = routing.generation();
        }

        @Override
        public long localHi() {
            return localHi;
        }

        @Override
        public long localLo() {
            return localLo;
        }

        @Override
        public int ipMtu() {
            return route.ipMtu();
        }

        @Override
        public boolean largeSegments() {
            NetInterface nif = route.nif();
            int bit = v6 ? io.pktstack.api.link.Link.OFFLOAD_TSO6 : io.pktstack.api.link.Link.OFFLOAD_TSO4;
            if (nif.link != null) {
                return nif.running() && (nif.link.offloads() & bit) != 0;
            }
            Bridge b = nif.bridgeState;
            if (b == null) {
                return false;
            }
            // A bridge passes a large segment to the member behind which the peer is; one that takes it whole
            // makes it worth sending so (the others cut it at their egress, as a frame from a guest's TSO).
            for (NetInterface m : b.members()) {
                if (m.link != null && m.running() && (m.link.offloads() & bit) != 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean send(Frame f, int l4Length) {
            long g = routing.generation();
            if (g != generation) {
                Routing.Route r = routing.lookup(remote);
                if (r == null) {
                    f.release();
                    return false;
                }
                route = r;
                generation = g;
                nextHop = null;
            }
            PathContext ctx = contexts.get();
            NetInterface nif = route.nif();
            if (v6) {
                out.ethernet(ctx, f, nif, IpOutput.etherTypeOf(true), 40 + l4Length);
                out.ipv6Header(ctx, f, localHi, localLo, remoteHi, remoteLo, l4Length, IpProtocol.TCP, out.hopLimit);
            } else {
                out.ethernet(ctx, f, nif, IpOutput.etherTypeOf(false), 20 + l4Length);
                out.ipv4Header(ctx, f, (int) localLo, (int) remoteLo, l4Length, IpProtocol.TCP);
            }
            if (!out.sendTo(nextHop, route, f, v6, timer.now(), ctx)) {
                nextHop = out.send(route, remote, f, ctx);
            }
            return true;
        }
    }
}
