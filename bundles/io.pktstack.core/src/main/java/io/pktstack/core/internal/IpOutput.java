package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.wire.Be;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one output path of packets the stack originates (ping, UDP, TCP, ARP
 * and ND): frames from the pool, Ethernet, IPv4 (RFC 791) and IPv6 (RFC 8200)
 * headers, and the hand-over to the neighbour cache, which sends at once or
 * holds the frame while the next hop resolves. Nothing here blocks.
 *
 * <p>Frame layout: a packet is built from the frame's start, Ethernet header
 * first; {@link #l4Offset} says where the transport header goes, so a
 * protocol can write its part before or after the headers are filled in.
 */
final class IpOutput {

    static final int DEFAULT_TTL = 64;

    private final FramePool pool;
    private final Forwarder forwarder;
    private final ProtocolCounters stats;
    private final AtomicInteger nextId = new AtomicInteger((int) System.nanoTime());
    private NeighborCache arp;
    private NeighborCache ndp;
    private Fragmenter fragmenter;
    private Segmentation segmentation;
    /** Large frames, for the stack's own datagrams bigger than a pool slot (they leave in fragments). */
    private FramePool big;
    /** TTL of IPv4 packets the stack originates or answers with (sysctl net.inet.ip.ttl). */
    volatile int ttl = DEFAULT_TTL;
    /** Hop limit of IPv6 packets the stack originates or answers with (sysctl net.inet6.ip6.hlim). */
    volatile int hopLimit = DEFAULT_TTL;

    IpOutput(FramePool pool, Forwarder forwarder, ProtocolCounters stats) {
        this.pool = pool;
        this.forwarder = forwarder;
        this.stats = stats;
    }

    void neighborCaches(NeighborCache arp, NeighborCache ndp) {
        this.arp = arp;
        this.ndp = ndp;
    }

    void fragments(Fragmenter fragmenter, Segmentation segmentation, FramePool big) {
        this.fragmenter = fragmenter;
        this.segmentation = segmentation;
        this.big = big;
    }

    /**
     * A frame that holds {@code bytes} from its offset: from the pool, or for
     * a datagram bigger than a slot (it will leave in fragments) from the
     * large frames; null, counted as a drop on {@code nif}, when none is free.
     */
    Frame take(NetInterface nif, int bytes) {
        if (bytes <= pool.slotSize() - FramePool.HEADROOM) {
            return take(nif);
        }
        Frame f = bytes <= big.slotSize() - FramePool.HEADROOM ? big.take() : null;
        if (f == null) {
            nif.outputDrop(DropReason.NO_BUFFER, 1);
        }
        return f;
    }

    /** The largest datagram the stack sends (IPv4's Total Length, IPv6's Payload Length), in fragments if need be. */
    static int maxDatagram(boolean v6) {
        return v6 ? Ipv6Packet.HEADER_LEN + 0xFFFF : 0xFFFF;
    }

    /** A frame from the pool, or null (counted as a drop on {@code nif}) when the pool is empty. */
    Frame take(NetInterface nif) {
        Frame f = pool.take();
        if (f == null) {
            nif.outputDrop(DropReason.NO_BUFFER, 1);
        }
        return f;
    }

    /** Bytes of Ethernet and IP header in front of the transport header. */
    static int headerRoom(boolean v6) {
        return EthernetFrame.HEADER_LEN + (v6 ? Ipv6Packet.HEADER_LEN : Ipv4Packet.MIN_HEADER_LEN);
    }

    /** Where the transport header of a packet built from {@code f}'s start lies. */
    static long l4Offset(Frame f, boolean v6) {
        return f.offset() + headerRoom(v6);
    }

    /** The largest transport payload {@code f} can carry behind the headers, whatever the MTU. */
    static int l4Capacity(Frame f, boolean v6) {
        return f.capacity() - f.offset() - headerRoom(v6);
    }

    /** Writes the Ethernet header (destination filled in on resolution) and sets the frame's length. */
    EthernetFrame ethernet(PathContext ctx, Frame f, NetInterface nif, int etherType, int ipLength) {
        int total = EthernetFrame.HEADER_LEN + ipLength;
        f.length(total);
        EthernetFrame eth = ctx.eth.wrap(f.segment(), f.offset(), total);
        eth.setDstMac(0);
        eth.setSrcMac(nif.mac.bits());
        eth.setEtherType(etherType);
        return eth;
    }

    /** An IPv4 header with DF set (RFC 1191: path MTU discovery) and a fresh identification. */
    Ipv4Packet ipv4Header(PathContext ctx, Frame f, int src, int dst, int payloadLen, int protocol) {
        return ipv4Header(ctx, f, src, dst, payloadLen, protocol, nextId.getAndIncrement() & 0xFFFF);
    }

    Ipv4Packet ipv4Header(PathContext ctx, Frame f, int src, int dst, int payloadLen, int protocol, int id) {
        Ipv4Packet ip = ctx.ip4.wrap(f.segment(), f.offset() + EthernetFrame.HEADER_LEN,
                Ipv4Packet.MIN_HEADER_LEN + payloadLen);
        ip.setVersion(4);
        ip.setIhl(5);
        ip.setDscp(0);
        ip.setEcn(0);
        ip.setTotalLength(Ipv4Packet.MIN_HEADER_LEN + payloadLen);
        ip.setIdentification(id);
        ip.setFlags(Ipv4Packet.FLAG_DF);
        ip.setFragmentOffset(0);
        ip.setTtl(ttl);
        ip.setProtocol(protocol);
        ip.setSrcAddr(src);
        ip.setDstAddr(dst);
        ip.fillChecksum();
        return ip;
    }

    Ipv6Packet ipv6Header(PathContext ctx, Frame f, long srcHi, long srcLo, long dstHi, long dstLo, int payloadLen,
            int nextHeader, int hops) {
        Ipv6Packet ip = ctx.ip6.wrap(f.segment(), f.offset() + EthernetFrame.HEADER_LEN,
                Ipv6Packet.HEADER_LEN + payloadLen);
        ip.setVersion(6);
        ip.setTrafficClass(0);
        ip.setFlowLabel(0);
        ip.setPayloadLength(payloadLen);
        ip.setNextHeader(nextHeader);
        ip.setHopLimit(hops);
        ip.setSrc(srcHi, srcLo);
        ip.setDst(dstHi, dstLo);
        return ip;
    }

    /**
     * Sends a unicast IP packet the stack built in {@code f} (everything but
     * the destination MAC) along {@code r} to {@code dst}: at once if the next
     * hop's MAC is known, else once it resolves. Counts it sent. Takes
     * ownership of {@code f}.
     *
     * @return the next hop's neighbour entry, for a sender that wants to keep
     *         it (see {@link #sendTo}); null if the frame was dropped
     */
    NeighborCache.Entry send(Routing.Route r, InetAddress dst, Frame f, PathContext ctx) {
        boolean v4 = dst instanceof Inet4Address;
        stats.count(v4 ? Stat.IP_SENT : Stat.IP6_SENT);
        NeighborCache cache = v4 ? arp : ndp;
        if (Segmentation.wireIpLength(f, f.length() - EthernetFrame.HEADER_LEN) <= r.ipMtu()) {
            return cache.resolveAndSend(r, r.nextHop(dst), f, ctx); // a large TCP segment is cut where it leaves
        }
        FrameBatch pieces = ctx.fragments;
        if (f.gso() != Frame.GSO_NONE) {
            // A large TCP segment sized for an MTU the route no longer has: cut to the new one, not fragmented.
            if (segmentation.cutOne(f, pieces, r.ipMtu() + EthernetFrame.HEADER_LEN, r.nif()) <= 0) {
                return null; // dropped and counted
            }
        } else {
            // Larger than the link takes: the stack is the source, so it fragments (RFC 791 §3.2, RFC 8200 §4.5).
            boolean split = fragment(f, r.ipMtu(), !v4, pieces);
            f.release();
            if (!split) {
                r.nif().outputDrop(DropReason.NO_BUFFER, 1);
                return null;
            }
        }
        NeighborCache.Entry e = null;
        for (int i = 0; i < pieces.size(); i++) {
            e = cache.resolveAndSend(r, r.nextHop(dst), pieces.get(i), ctx);
        }
        pieces.clear();
        return e;
    }

    /** Splits the stack's own packet in {@code f} into {@code into}; a fresh IPv4 identification if it had none. */
    private boolean fragment(Frame f, int ipMtu, boolean v6, FrameBatch into) {
        if (v6) {
            return fragmenter.fragmentV6(f, ipMtu, into);
        }
        long id = f.offset() + EthernetFrame.HEADER_LEN + 4;
        if (Be.u16(f.segment(), id) == 0) { // RFC 6864: an atomic datagram's may be 0, a fragmented one's not
            Be.u16(f.segment(), id, nextId.getAndIncrement() & 0xFFFF); // each fragment's checksum is computed afresh
        }
        return fragmenter.fragmentV4(f, ipMtu, into);
    }

    /**
     * Sends to a next hop whose entry the caller kept from an earlier
     * {@link #send}: no lookup while it stays reachable. Returns false (and
     * keeps nothing) when the entry is no longer reachable: call {@link #send}.
     */
    boolean sendTo(NeighborCache.Entry nh, Routing.Route r, Frame f, boolean v6, long now, PathContext ctx) {
        if (nh == null || !nh.reachable(now)
                || Segmentation.wireIpLength(f, f.length() - EthernetFrame.HEADER_LEN) > r.ipMtu()) {
            return false;
        }
        stats.count(v6 ? Stat.IP6_SENT : Stat.IP_SENT);
        Forwarder.setDstMac(f, nh.mac.bits());
        forwarder.output(r.nif(), f, ctx);
        return true;
    }

    /**
     * Sends a frame whose link-layer destination is already set (broadcast,
     * multicast, an answer in place), in fragments if it is larger than the
     * interface takes (an echo reply to a reassembled request).
     */
    void sendDirect(NetInterface l3, Frame f, PathContext ctx) {
        int ipMtu = l3.mtu - EthernetFrame.HEADER_LEN;
        if (f.length() - EthernetFrame.HEADER_LEN <= ipMtu) {
            forwarder.output(l3, f, ctx);
            return;
        }
        FrameBatch pieces = ctx.fragments;
        boolean split = fragment(f, ipMtu, Be.u16(f.segment(), f.offset() + 12) == EtherType.IPV6, pieces);
        f.release();
        if (!split) {
            l3.outputDrop(DropReason.NO_BUFFER, 1);
            return;
        }
        for (int i = 0; i < pieces.size(); i++) {
            forwarder.output(l3, pieces.get(i), ctx);
        }
        pieces.clear();
    }

    /** Transmits one control frame from the calling thread now (ARP/ND requests, announcements). */
    void sendNow(NetInterface l3, Frame f, PathContext ctx) {
        forwarder.output(l3, f, ctx);
        ctx.flush();
    }

    static int etherTypeOf(boolean v6) {
        return v6 ? EtherType.IPV6 : EtherType.IPV4;
    }
}
