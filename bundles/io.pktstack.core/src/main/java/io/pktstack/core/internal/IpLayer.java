package io.pktstack.core.internal;

import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NeighborEntry;
import io.pktstack.api.stack.PingResult;
import io.pktstack.api.stack.UdpSocket;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IpProtocol;
import io.pktstack.core.internal.tcp.Tcp;
import io.pktstack.core.internal.tcp.TcpConfig;
import io.pktstack.core.internal.tcp.TcpStats;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Layer 3 of the stack, put together: frames for the stack go by EtherType to
 * {@link Arp}, {@link Ipv4Input} or {@link Ipv6Input}, which hand packets to
 * the protocol handlers registered by number (ICMP, ICMPv6, UDP, TCP); what
 * the stack originates goes out through {@link IpOutput} along {@link Routing},
 * its next hops resolved by the two {@link NeighborCache}s. Time-driven work
 * runs on the one {@link StackTimer}.
 *
 * <p>Every packet in or out is counted in {@link ProtocolCounters} ({@code netstat -s}).
 */
final class IpLayer implements Forwarder.L3Input {

    final ProtocolCounters stats = new ProtocolCounters();
    final Routing routing;
    final IpOutput out;
    final NeighborCache arp;
    final NeighborCache ndp;
    final UdpSockets udp;
    final Ipv4Input ipv4;
    final Ipv6Input ipv6;
    final Tcp tcp;
    private final Arp arpProtocol;
    private final NeighborDiscovery nd;
    private final Pinger pinger;
    private final StackTimer timer;
    /** The router's parts: forwarding, ICMP errors, fragments, router advertisements. */
    final IpForwarding forwarding;
    final IcmpErrors icmpErrors;
    final Reassembly reassembly4;
    final Reassembly reassembly6;
    final RouterAdvertiser advertiser;
    final PacketFilterService pf;
    final Icmpv6 icmpv6;
    /**
     * Large frames for reassembled datagrams, the stack's own ones bigger than a
     * pool slot, and large TCP segments (TSO) from guests and from the stack's
     * TCP, which are taken and given back within one batch's journey.
     */
    final FramePool big = FramePool.shared(BIG_FRAMES, Reassembly.BIG_SLOT);
    /** How many: 32 of up to 66 KiB, about 2 MiB off the heap (resident only once used: see FramePool). */
    static final int BIG_FRAMES = 32;

    IpLayer(FramePool pool, Forwarder forwarder, StackTimer timer, Supplier<List<NetInterface>> interfaces,
            Supplier<PathContext> contexts) {
        this.timer = timer;
        this.routing = new Routing(interfaces, stats);
        this.out = new IpOutput(pool, forwarder, stats);
        this.arpProtocol = new Arp(out, stats);
        this.nd = new NeighborDiscovery(out, stats);
        NeighborCache.Drops drops = NetInterface::outputDrop;
        NeighborCache.Sender sender = forwarder::output;
        this.arp = new NeighborCache(timer, arpProtocol::request, sender, contexts, drops,
                () -> stats.count(ProtocolCounters.Stat.ARP_TABLE_FULL));
        this.ndp = new NeighborCache(timer, nd::solicit, sender, contexts, drops,
                () -> stats.count(ProtocolCounters.Stat.ICMP6_ND_TABLE_FULL));
        arpProtocol.table(arp);
        nd.cache(ndp);
        out.neighborCaches(arp, ndp);
        this.pinger = new Pinger(out, routing, timer, stats);
        this.udp = new UdpSockets(out, routing, stats);
        this.ipv4 = new Ipv4Input(stats);
        this.ipv6 = new Ipv6Input(stats);
        ipv4.register(IpProtocol.ICMP, new Icmpv4(out, pinger, stats));
        ipv4.register(IpProtocol.UDP, udp);
        this.icmpv6 = new Icmpv6(out, nd, pinger, stats);
        ipv6.register(IpProtocol.ICMPV6, icmpv6, true);
        ipv6.register(IpProtocol.UDP, udp, false);
        TcpBinding tcpBinding = new TcpBinding(pool, big, out, routing, timer, interfaces, contexts);
        this.tcp = new Tcp(tcpBinding, timer, new TcpConfig(), new TcpStats());
        tcpBinding.tcp = tcp;
        ipv4.register(IpProtocol.TCP, tcpBinding);
        ipv6.register(IpProtocol.TCP, tcpBinding, false);

        this.forwarding = new IpForwarding(routing, interfaces, stats, forwarder);
        this.icmpErrors = new IcmpErrors(out, stats, forwarding::table, timer::now);
        Fragmenter fragmenter = new Fragmenter(pool, stats);
        Segmentation segmentation = new Segmentation(pool);
        out.fragments(fragmenter, segmentation, big);
        this.pf = new PacketFilterService(forwarding::table, timer);
        forwarding.wire(arp, ndp, icmpErrors, fragmenter, segmentation, pf);
        this.reassembly4 = new Reassembly(false, big, timer, stats, contexts, 64, 64, 1024, 30);
        this.reassembly6 = new Reassembly(true, big, timer, stats, contexts, 64, 64, 1024, 60);
        reassembly4.icmp(icmpErrors);
        reassembly6.icmp(icmpErrors);
        this.advertiser = new RouterAdvertiser(out, timer, stats, interfaces, contexts, () -> forwarding.v6);
        advertiser.cache(ndp);
        icmpv6.advertiser(advertiser);
        nd.routerFlag(() -> forwarding.v6);
        ipv4.router(forwarding, reassembly4, icmpErrors, pf);
        ipv6.router(forwarding, reassembly6, advertiser, icmpErrors);
        udp.icmpErrors(icmpErrors);
        arp.onUnresolved(f -> unreachable(f, false, contexts.get()));
        ndp.onUnresolved(f -> unreachable(f, true, contexts.get()));
    }

    /** A forwarded packet's next hop never answered: host (address) unreachable to its source (RFC 1812 §5.2.7.1). */
    private void unreachable(Frame f, boolean v6, PathContext ctx) {
        NetInterface in = forwarding.table().byIndex(f.inputPort());
        if (in == null) {
            return; // the stack's own packet: its sender (ping) times out
        }
        NetInterface l3 = in.memberOf != null ? in.memberOf.self : in;
        if (v6) {
            icmpErrors.unreachableV6(l3, f, IcmpErrors.UNREACH6_ADDR, ctx);
        } else {
            icmpErrors.unreachableV4(l3, f, IcmpErrors.UNREACH_HOST, 0, ctx);
        }
        ctx.flush();
    }

    /** fe80::/64 with the modified EUI-64 identifier of {@code mac} (RFC 4862 §5.3). */
    static InterfaceAddress linkLocal(MacAddress mac) {
        return new InterfaceAddress(IpAddresses.fromV6(0xfe80_0000_0000_0000L, IpAddresses.eui64(mac)), 64);
    }

    @Override
    public void input(NetInterface l3, FrameBatch batch, PathContext ctx) {
        ctx.now = timer.now();
        for (int i = 0; i < batch.size(); i++) {
            Frame f = batch.get(i);
            EthernetFrame eth = ctx.eth;
            if (!eth.wrapChecked(f.segment(), f.offset(), f.length())) {
                l3.drop(DropReason.RUNT, 1);
                f.release();
                continue;
            }
            boolean kept;
            try {
                kept = switch (eth.etherType()) {
                    case EtherType.ARP -> arpProtocol.input(l3, f, ctx);
                    case EtherType.IPV4 -> ipv4.input(l3, f, ctx);
                    case EtherType.IPV6 -> ipv6.input(l3, f, ctx);
                    default -> {
                        l3.drop(DropReason.UNKNOWN_PROTOCOL, 1);
                        yield false;
                    }
                };
            } catch (RuntimeException e) {
                // A handler's bug on one frame must not take the receive thread down. Whether the handler
                // had passed the frame on is unknown, so it is not released: a leaked frame shows in
                // netstat -m, a double release would corrupt the pool.
                l3.drop(DropReason.MALFORMED, 1);
                System.getLogger("io.pktstack.core").log(System.Logger.Level.ERROR,
                        l3.name + ": failure handling a received frame", e);
                kept = true;
            }
            if (!kept) {
                f.release();
            }
        }
        batch.clear();
        tcp.endOfBatch(); // the ACKs the batch's segments earned, one per connection
    }

    PingResult ping(InetAddress dst, int sequence, int payloadBytes, Duration timeout, PathContext ctx) {
        return pinger.ping(dst, sequence, payloadBytes, timeout, ctx);
    }

    List<NeighborEntry> neighbors(boolean ipv6) {
        return (ipv6 ? ndp : arp).snapshot();
    }

    UdpSocket openUdp(int port, ThreadLocal<PathContext> contexts) {
        return udp.open(port, contexts);
    }

    /**
     * Announces every address of {@code nif}'s segment: a gratuitous ARP per
     * IPv4 address (RFC 5227 §3, "ARP announcement") and an unsolicited
     * neighbour advertisement with the override flag per IPv6 address
     * (RFC 4861 §7.2.6). Called when carrier comes up and when an address is
     * added, so that neighbours replace a MAC they cached for us before we
     * restarted with a new generated one.
     */
    void announce(NetInterface nif, PathContext ctx) {
        NetInterface l3 = nif.memberOf != null ? nif.memberOf.self : nif;
        if (l3 == null || nif.kind == NetInterface.Kind.LOOPBACK) {
            return;
        }
        for (NetInterface n : l3.segment()) {
            if (n.mac == null || !n.up) {
                continue;
            }
            for (InterfaceAddress a : n.addresses) {
                if (a.isIpv4()) {
                    arpProtocol.announce(n, a, ctx);
                } else {
                    nd.announce(n, a, ctx);
                }
            }
        }
    }

    void interfaceGone(NetInterface nif) {
        arp.removeInterface(nif.name);
        ndp.removeInterface(nif.name);
        routing.changed();
    }

    void close() {
        tcp.close();
        udp.closeAll();
        advertiser.close();
        pf.close();
        reassembly4.clear();
        reassembly6.clear();
        arp.clear();
        ndp.clear();
        if (big.available() == big.capacity()) {
            big.close();
        }
    }
}
