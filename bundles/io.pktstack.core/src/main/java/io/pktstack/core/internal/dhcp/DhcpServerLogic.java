package io.pktstack.core.internal.dhcp;

import io.pktstack.core.internal.wire.Addresses;
import io.pktstack.core.internal.dhcp.LeaseTable.Lease;
import io.pktstack.core.internal.dhcp.LeaseTable.State;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The DHCP server's decisions (RFC 2131 §4.3), free of frames and sockets:
 * given a client's message on an interface, what to answer and where to
 * send it (§4.1). The glue around it receives on UDP port 67, sends what
 * this returns, and serialises calls.
 *
 * <p>Per interface: a range of addresses handed out with a lease time, a
 * router (the interface's own address unless set, as libvirt's dnsmasq
 * does) and DNS servers, and static bindings of a MAC to an address.
 * Discover: an offer of the client's static or previous address, the one it
 * asks for, or a free one (see {@link LeaseTable#choose}); none free, no
 * answer. Request: an ACK for the address offered or leased to it (selecting,
 * init-reboot, renewing, rebinding), a NAK for an address it may not have,
 * silence when it chose another server or the server knows nothing of it.
 * Decline takes the address out of use for a lease time; release frees it.
 */
public final class DhcpServerLogic {

    /** How an interface serves: {@code start == 0} when it only has static bindings. */
    public record Config(int start, int end, int router, List<Integer> dns, long leaseSeconds, Map<Long, Integer> statics) {

        public Config {
            dns = List.copyOf(dns);
            statics = Map.copyOf(statics);
        }

        public Config withStatic(long mac, int address) {
            Map<Long, Integer> s = new LinkedHashMap<>(statics);
            s.put(mac, address);
            return new Config(start, end, router, dns, leaseSeconds, s);
        }
    }

    /** Where a reply goes (RFC 2131 §4.1). */
    public enum Destination {
        /** 255.255.255.255 in an Ethernet broadcast. */
        BROADCAST,
        /** Unicast to {@code ciaddr}, resolved as any destination (a configured client renewing). */
        CLIENT_ADDRESS,
        /** Unicast to {@code yiaddr} at {@code chaddr}, without ARP: the client has no address yet. */
        HARDWARE
    }

    public record Reply(DhcpMessage message, Destination to) {
    }

    /** The default lease (ISC dhcpd's default-lease-time is 12 h; libvirt's is 1 h). */
    public static final long DEFAULT_LEASE_SECONDS = 3600;

    private final LeaseTable leases;
    private final LongSupplier epochSeconds;
    private final Map<String, Config> configs = new LinkedHashMap<>();

    public DhcpServerLogic(LeaseTable leases, LongSupplier epochSeconds) {
        this.leases = leases;
        this.epochSeconds = epochSeconds;
    }

    public Config config(String ifName) {
        return configs.get(ifName);
    }

    public Map<String, Config> configs() {
        return Map.copyOf(configs);
    }

    public void configure(String ifName, Config c) {
        configs.put(ifName, c);
    }

    public boolean remove(String ifName) {
        return configs.remove(ifName) != null;
    }

    public LeaseTable leases() {
        return leases;
    }

    /**
     * Answers {@code m}, which arrived on {@code ifName} whose address in the
     * served prefix is {@code server}/{@code prefix}; null when nothing is to
     * be sent.
     */
    public Reply handle(String ifName, int server, int prefix, DhcpMessage m) {
        Config c = configs.get(ifName);
        if (c == null || m.op() != DhcpMessage.BOOTREQUEST) {
            return null;
        }
        long now = epochSeconds.getAsLong();
        int mask = Addresses.mask(prefix);
        return switch (m.type()) {
            case DhcpMessage.DISCOVER -> discover(ifName, c, server, mask, m, now);
            case DhcpMessage.REQUEST -> request(ifName, c, server, mask, m, now);
            case DhcpMessage.DECLINE -> {
                if (m.options().serverId() == server && m.options().requestedIp() != 0) {
                    leases.decline(ifName, m.chaddr(), m.options().requestedIp(), now + c.leaseSeconds());
                }
                yield null;
            }
            case DhcpMessage.RELEASE -> {
                if (m.options().serverId() == 0 || m.options().serverId() == server) {
                    leases.release(ifName, m.chaddr(), m.ciaddr(), now);
                }
                yield null;
            }
            case DhcpMessage.INFORM -> m.ciaddr() == 0 ? null
                    : new Reply(reply(m, DhcpMessage.ACK, 0, options(DhcpMessage.ACK, c, server, mask, -1)),
                            Destination.CLIENT_ADDRESS);
            default -> null;
        };
    }

    private Reply discover(String ifName, Config c, int server, int mask, DhcpMessage m, long now) {
        int address = pick(ifName, c, server, mask, m.chaddr(), m.options().requestedIp(), now);
        if (address == 0) {
            return null; // no free address: no offer (ISC: "no free leases")
        }
        Lease old = leases.of(ifName, m.chaddr());
        if (old == null || old.address() != address || old.state() != State.ACTIVE || !old.liveAt(now)) {
            leases.put(ifName, m.chaddr(), address, now + LeaseTable.OFFER_HOLD_SECONDS, State.OFFERED);
        }
        return new Reply(reply(m, DhcpMessage.OFFER, address, options(DhcpMessage.OFFER, c, server, mask, c.leaseSeconds())),
                destination(m));
    }

    /** The client's static address, or one from the range for it; 0 if none. */
    private int pick(String ifName, Config c, int server, int mask, long mac, int requested, long now) {
        Integer fixed = c.statics().get(mac);
        if (fixed != null) {
            return fixed;
        }
        if (c.start() == 0) {
            return 0;
        }
        return leases.choose(ifName, mac, requested, c.start(), c.end(), now,
                a -> a == server || c.statics().containsValue(a) || (a & ~mask) == 0 || (a | mask) == -1);
    }

    private Reply request(String ifName, Config c, int server, int mask, DhcpMessage m, long now) {
        DhcpOptions o = m.options();
        long mac = m.chaddr();
        Lease l = leases.of(ifName, mac);
        Integer fixed = c.statics().get(mac);
        int wanted;
        if (o.serverId() != 0) { // SELECTING (RFC 2131 §4.3.2)
            if (o.serverId() != server) {
                leases.dropOffer(ifName, mac); // it took another server's offer
                return null;
            }
            wanted = o.requestedIp();
        } else if (o.requestedIp() != 0) { // INIT-REBOOT
            wanted = o.requestedIp();
            if ((wanted & mask) != (server & mask)) {
                return nak(m, server, "address " + Addresses.text(wanted) + " is not on this network");
            }
            if (l == null && fixed == null) {
                return null; // no record of this client: remain silent
            }
        } else { // RENEWING or REBINDING: the address is in ciaddr
            wanted = m.ciaddr();
            if (l == null && fixed == null) {
                return null;
            }
        }
        boolean ours = fixed != null ? fixed == wanted
                : l != null && l.address() == wanted && (l.liveAt(now) || !leases.heldByOther(ifName, wanted, mac, now));
        if (!ours) {
            leases.dropOffer(ifName, mac);
            return nak(m, server, "address " + Addresses.text(wanted) + " is not yours");
        }
        leases.put(ifName, mac, wanted, now + c.leaseSeconds(), State.ACTIVE);
        DhcpMessage ack = reply(m, DhcpMessage.ACK, wanted, options(DhcpMessage.ACK, c, server, mask, c.leaseSeconds()));
        return new Reply(ack, m.ciaddr() != 0 ? Destination.CLIENT_ADDRESS : destination(m));
    }

    private static Reply nak(DhcpMessage m, int server, String why) {
        DhcpOptions o = DhcpOptions.builder(DhcpMessage.NAK).serverId(server).message(why).build();
        return new Reply(reply(m, DhcpMessage.NAK, 0, o), Destination.BROADCAST); // §4.1: NAKs are broadcast
    }

    /** §4.1: to ciaddr if the client has one, broadcast if it asked, else to its hardware address. */
    private static Destination destination(DhcpMessage m) {
        if (m.ciaddr() != 0) {
            return Destination.CLIENT_ADDRESS;
        }
        return m.broadcast() ? Destination.BROADCAST : Destination.HARDWARE;
    }

    /** T1 at half the lease, T2 at seven eighths (RFC 2131 §4.4.5). */
    private static DhcpOptions options(int type, Config c, int server, int mask, long lease) {
        DhcpOptions.Builder b = DhcpOptions.builder(type).serverId(server).subnetMask(mask)
                .routers(c.router() != 0 ? c.router() : server);
        if (lease >= 0) {
            b.lease(lease, lease / 2, lease * 7 / 8);
        }
        int[] dns = new int[c.dns().size()];
        for (int i = 0; i < dns.length; i++) {
            dns[i] = c.dns().get(i);
        }
        return b.dns(dns).build();
    }

    private static DhcpMessage reply(DhcpMessage m, int type, int yiaddr, DhcpOptions o) {
        return new DhcpMessage(DhcpMessage.BOOTREPLY, m.xid(), 0, m.flags(), type == DhcpMessage.ACK ? m.ciaddr() : 0,
                yiaddr, 0, m.giaddr(), m.chaddr(), o);
    }
}
