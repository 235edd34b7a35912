package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.router.DhcpLease;
import io.pktstack.api.router.DhcpPool;
import io.pktstack.api.router.DhcpServer;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.wire.Addresses;
import io.pktstack.core.internal.dhcp.DhcpMessage;
import io.pktstack.core.internal.dhcp.DhcpServerLogic;
import io.pktstack.core.internal.dhcp.LeaseTable;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * {@code dhcpd}: the DHCP server on UDP port 67 of the interfaces it is
 * configured for, deciding with {@link DhcpServerLogic} and answering
 * through {@link DhcpSender}. Its leases live in {@code dhcpd.leases} in the
 * instance's state directory. Messages are handled one at a time.
 */
final class DhcpServerService implements DhcpServer, ProtocolHandler {

    private static final System.Logger LOG = System.getLogger("io.pktstack.core");

    private final DhcpServerLogic logic;
    private final DhcpSender sender;
    private final UdpSockets udp;
    private final ProtocolCounters stats;
    private final Function<String, NetInterface> interfaces;
    private final LongSupplier epochSeconds;

    DhcpServerService(DhcpSender sender, UdpSockets udp, ProtocolCounters stats,
            Function<String, NetInterface> interfaces, Path leaseFile, LongSupplier epochSeconds) {
        this.sender = sender;
        this.udp = udp;
        this.stats = stats;
        this.interfaces = interfaces;
        this.epochSeconds = epochSeconds;
        this.logic = new DhcpServerLogic(new LeaseTable(leaseFile, w -> LOG.log(System.Logger.Level.WARNING, "dhcpd: " + w)),
                epochSeconds);
    }

    // ---- configuration --------------------------------------------------------------

    @Override
    public synchronized void serve(DhcpPool pool) {
        NetInterface nif = require(pool.ifName());
        int first = v4("range start", pool.first());
        int last = v4("range end", pool.last());
        if (Integer.compareUnsigned(first, last) > 0) {
            throw new IllegalArgumentException("dhcpd: range start " + Addresses.text(first) + " is after its end "
                    + Addresses.text(last));
        }
        InterfaceAddress home = prefixOf(nif, first);
        if (home == null || !contains(home, last)) {
            throw new IllegalArgumentException("dhcpd: range " + Addresses.text(first) + "-" + Addresses.text(last)
                    + " is not inside a prefix of " + nif.name + " (" + v4Addresses(nif) + ")");
        }
        int mask = Addresses.mask(home.prefixLength());
        for (int a : new int[] {first, last}) {
            if ((a & ~mask) == 0 || (a | mask) == -1) {
                throw new IllegalArgumentException("dhcpd: " + Addresses.text(a) + " is the network or broadcast address of "
                        + StaticRoutes.network(home));
            }
        }
        int router = 0;
        if (pool.router() != null) {
            router = v4("router", pool.router());
            if (!contains(home, router)) {
                throw new IllegalArgumentException("dhcpd: router " + Addresses.text(router) + " is not on "
                        + StaticRoutes.network(home));
            }
        }
        List<Integer> dns = new ArrayList<>();
        for (InetAddress d : pool.dns()) {
            dns.add(v4("dns", d));
        }
        if (pool.leaseSeconds() < 10 || pool.leaseSeconds() > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException("dhcpd: lease " + pool.leaseSeconds() + " out of range 10.." + 0xFFFF_FFFEL);
        }
        DhcpServerLogic.Config old = logic.config(nif.name);
        bindPort();
        logic.configure(nif.name, new DhcpServerLogic.Config(first, last, router, dns, pool.leaseSeconds(),
                old == null ? Map.of() : old.statics()));
    }

    @Override
    public synchronized void bind(String ifName, MacAddress mac, InetAddress address) {
        NetInterface nif = require(ifName);
        int a = v4("address", address);
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("dhcpd: " + mac + " is a multicast MAC");
        }
        InterfaceAddress home = prefixOf(nif, a);
        if (home == null) {
            throw new IllegalArgumentException("dhcpd: " + Addresses.text(a) + " is not inside a prefix of " + ifName + " ("
                    + v4Addresses(nif) + ")");
        }
        DhcpServerLogic.Config c = logic.config(ifName);
        for (Map.Entry<Long, Integer> e : (c == null ? Map.<Long, Integer>of() : c.statics()).entrySet()) {
            if (e.getValue() == a && e.getKey() != mac.bits()) {
                throw new IllegalArgumentException("dhcpd: " + Addresses.text(a) + " is already bound to "
                        + Addresses.mac(e.getKey()));
            }
        }
        bindPort();
        logic.configure(ifName, (c == null ? new DhcpServerLogic.Config(0, 0, 0, List.of(),
                DhcpServerLogic.DEFAULT_LEASE_SECONDS, Map.of()) : c).withStatic(mac.bits(), a));
    }

    @Override
    public synchronized void stop(String ifName) {
        if (!logic.remove(ifName)) {
            throw new IllegalArgumentException("dhcpd: not serving on " + ifName);
        }
        if (logic.configs().isEmpty()) {
            udp.unbindInternal(DhcpMessage.SERVER_PORT);
        }
    }

    private void bindPort() {
        if (logic.configs().isEmpty()) {
            udp.bindInternal(DhcpMessage.SERVER_PORT, "dhcpd", this);
        }
    }

    @Override
    public synchronized List<DhcpPool> pools() {
        List<DhcpPool> out = new ArrayList<>();
        logic.configs().forEach((ifName, c) -> {
            Map<MacAddress, InetAddress> statics = new LinkedHashMap<>();
            c.statics().forEach((m, a) -> statics.put(new MacAddress(m), IpAddresses.fromV4(a)));
            List<InetAddress> dns = c.dns().stream().map(IpAddresses::fromV4).toList();
            out.add(new DhcpPool(ifName, c.start() == 0 ? null : IpAddresses.fromV4(c.start()),
                    c.start() == 0 ? null : IpAddresses.fromV4(c.end()), c.router() == 0 ? null
                            : IpAddresses.fromV4(c.router()), dns, c.leaseSeconds(), statics));
        });
        out.sort(java.util.Comparator.comparing(DhcpPool::ifName));
        return out;
    }

    @Override
    public synchronized List<DhcpLease> leases() {
        long now = epochSeconds.getAsLong();
        List<DhcpLease> out = new ArrayList<>();
        for (LeaseTable.Lease l : logic.leases().all()) {
            DhcpLease.State s = switch (l.state()) {
                case OFFERED -> DhcpLease.State.OFFERED;
                case ACTIVE -> l.expires() - now > 0 ? DhcpLease.State.ACTIVE : DhcpLease.State.EXPIRED;
                case RELEASED -> DhcpLease.State.RELEASED;
                case DECLINED -> DhcpLease.State.DECLINED;
            };
            out.add(new DhcpLease(l.ifName(), l.mac() == 0 ? null : new MacAddress(l.mac()),
                    IpAddresses.fromV4(l.address()), Instant.ofEpochSecond(l.expires()), s));
        }
        return out;
    }

    // ---- messages -----------------------------------------------------------------------

    @Override
    public boolean input(Inbound in, Frame f, PathContext ctx) {
        stats.count(Stat.DHCP_RECEIVED);
        DhcpMessage m;
        try {
            m = DhcpSender.parse(in, f, ctx);
        } catch (DhcpMessage.MalformedException e) {
            stats.count(Stat.DHCP_MALFORMED);
            in.l3.drop(DropReason.MALFORMED, 1);
            return false;
        }
        if (m.op() != DhcpMessage.BOOTREQUEST) {
            return false; // another server's reply seen on the segment
        }
        NetInterface l3 = in.l3;
        synchronized (this) {
            DhcpServerLogic.Config c = logic.config(l3.name);
            if (c == null) {
                stats.count(Stat.DHCP_NOT_SERVED);
                return false;
            }
            int probe = c.start() != 0 ? c.start() : c.statics().values().stream().findFirst().orElse(0);
            InterfaceAddress home = prefixOf(l3, probe);
            if (home == null) {
                stats.count(Stat.DHCP_NOT_SERVED); // the interface lost the address the range was in
                return false;
            }
            int server = IpAddresses.v4(home.address().getAddress());
            DhcpServerLogic.Reply r = logic.handle(l3.name, server, home.prefixLength(), m);
            if (r == null) {
                if (m.type() == DhcpMessage.DISCOVER || m.type() == DhcpMessage.REQUEST) {
                    stats.count(Stat.DHCP_UNANSWERED);
                }
                return false;
            }
            DhcpMessage reply = r.message();
            stats.count(switch (reply.type()) {
                case DhcpMessage.OFFER -> Stat.DHCP_OFFERS;
                case DhcpMessage.NAK -> Stat.DHCP_NAKS;
                default -> Stat.DHCP_ACKS;
            });
            switch (r.to()) {
                case BROADCAST -> sender.direct(l3, reply, server, DhcpMessage.SERVER_PORT, -1, DhcpMessage.CLIENT_PORT,
                        DhcpSender.BROADCAST_MAC, ctx);
                case HARDWARE -> sender.direct(l3, reply, server, DhcpMessage.SERVER_PORT, reply.yiaddr(),
                        DhcpMessage.CLIENT_PORT, reply.chaddr(), ctx);
                case CLIENT_ADDRESS -> sender.routed(reply, server, DhcpMessage.SERVER_PORT, m.ciaddr(),
                        DhcpMessage.CLIENT_PORT, ctx);
            }
        }
        return false;
    }

    // ---- helpers ------------------------------------------------------------------------

    private NetInterface require(String ifName) {
        NetInterface nif = interfaces.apply(ifName);
        if (nif == null) {
            throw new IllegalArgumentException("dhcpd: no interface '" + ifName + "'");
        }
        if (nif.mac == null) {
            throw new IllegalArgumentException("dhcpd: " + ifName + " is not an Ethernet interface");
        }
        if (nif.memberOf != null) {
            throw new IllegalArgumentException("dhcpd: " + ifName + " is a member of " + nif.memberOf.name()
                    + " (serve on the bridge)");
        }
        return nif;
    }

    private static int v4(String what, InetAddress a) {
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("dhcpd: " + what + " " + (a == null ? "missing" : a.getHostAddress())
                    + " is not an IPv4 address");
        }
        return IpAddresses.v4(a.getAddress());
    }

    /** The IPv4 address of {@code nif}'s segment whose prefix holds {@code a}, or null. */
    private static InterfaceAddress prefixOf(NetInterface nif, int a) {
        for (NetInterface n : nif.segment()) {
            for (InterfaceAddress x : n.addresses) {
                if (x.isIpv4() && contains(x, a)) {
                    return x;
                }
            }
        }
        return null;
    }

    private static boolean contains(InterfaceAddress prefix, int a) {
        return IpAddresses.sameV4Prefix(IpAddresses.v4(prefix.address().getAddress()), a, prefix.prefixLength());
    }

    private static String v4Addresses(NetInterface nif) {
        List<String> l = new ArrayList<>();
        for (NetInterface n : nif.segment()) {
            for (InterfaceAddress x : n.addresses) {
                if (x.isIpv4()) {
                    l.add(x.toString());
                }
            }
        }
        return l.isEmpty() ? "no IPv4 address" : String.join(", ", l);
    }
}
