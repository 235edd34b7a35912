package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.router.DhcpBinding;
import io.pktstack.api.router.DhcpClient;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.dhcp.DhcpClientMachine;
import io.pktstack.core.internal.dhcp.DhcpMessage;
import io.pktstack.core.internal.time.StackTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * {@code dhcpcd}: a {@link DhcpClientMachine} per interface, fed the replies
 * that arrive on UDP port 68 and woken by the stack timer; what it binds is
 * installed through the stack's own operations (the address with its prefix,
 * a default route through the router), as an operator would with
 * {@code ifconfig} and {@code route add}. One lock for all clients.
 */
final class DhcpClientService implements DhcpClient, ProtocolHandler {

    private static final System.Logger LOG = System.getLogger("io.pktstack.core");

    private final DhcpSender sender;
    private final UdpSockets udp;
    private final ProtocolCounters stats;
    private final StackTimer timer;
    private final Function<String, NetInterface> interfaces;
    private final NetworkStack stack;
    private final Supplier<PathContext> contexts;
    private final Supplier<String> hostname;
    private final RandomGenerator random;
    private final Map<String, Client> clients = new TreeMap<>();

    /** One interface's client: its machine, its timer, and what it installed. */
    private final class Client extends StackTimer.Task implements DhcpClientMachine.Actions {
        final String ifName;
        final DhcpClientMachine machine;
        /** Whether the default route is ours to delete (there was none when the lease was bound). */
        boolean routeAdded;

        Client(NetInterface nif) {
            this.ifName = nif.name;
            this.machine = new DhcpClientMachine(nif.mac.bits(), hostname.get(), this, random);
        }

        @Override
        protected void run(long now) {
            synchronized (DhcpClientService.this) {
                if (clients.get(ifName) == this) {
                    machine.timer(now);
                }
            }
        }

        @Override
        public void send(DhcpMessage m, int to) {
            stats.count(Stat.DHCP_CLIENT_SENT);
            PathContext ctx = contexts.get();
            if (to == -1) {
                NetInterface nif = interfaces.apply(ifName);
                if (nif != null) {
                    sender.direct(nif, m, m.ciaddr(), DhcpMessage.CLIENT_PORT, -1, DhcpMessage.SERVER_PORT,
                            DhcpSender.BROADCAST_MAC, ctx);
                }
            } else if (!sender.routed(m, m.ciaddr(), DhcpMessage.CLIENT_PORT, to, DhcpMessage.SERVER_PORT, ctx)) {
                LOG.log(System.Logger.Level.WARNING, "dhcpcd: {0}: no route to the server {1}", ifName,
                        IpAddresses.fromV4(to).getHostAddress());
            }
        }

        @Override
        public void configure(int address, int prefixLength, int router) {
            InterfaceAddress a = new InterfaceAddress(IpAddresses.fromV4(address), prefixLength);
            LOG.log(System.Logger.Level.INFO, "dhcpcd: {0}: leased {1}", ifName, a);
            try {
                stack.addAddress(ifName, a);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "dhcpcd: {0}: {1}", ifName, e.getMessage());
            }
            routeAdded = false;
            if (router != 0) {
                try {
                    stack.addRoute(DEFAULT, IpAddresses.fromV4(router));
                    routeAdded = true;
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "dhcpcd: {0}: default route not added: {1}", ifName, e.getMessage());
                }
            }
        }

        @Override
        public void unconfigure(int address, int prefixLength, int router) {
            if (routeAdded) {
                try {
                    stack.deleteRoute(DEFAULT);
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "dhcpcd: {0}: {1}", ifName, e.getMessage());
                }
                routeAdded = false;
            }
            try {
                stack.removeAddress(ifName, new InterfaceAddress(IpAddresses.fromV4(address), prefixLength));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "dhcpcd: {0}: {1}", ifName, e.getMessage());
            }
        }

        @Override
        public void wakeAt(long nanos) {
            timer.scheduleAt(this, nanos);
        }
    }

    static final InterfaceAddress DEFAULT = InterfaceAddress.parse("0.0.0.0/0");

    DhcpClientService(DhcpSender sender, UdpSockets udp, ProtocolCounters stats, StackTimer timer,
            Function<String, NetInterface> interfaces, NetworkStack stack, Supplier<PathContext> contexts,
            Supplier<String> hostname, RandomGenerator random) {
        this.sender = sender;
        this.udp = udp;
        this.stats = stats;
        this.timer = timer;
        this.interfaces = interfaces;
        this.stack = stack;
        this.contexts = contexts;
        this.hostname = hostname;
        this.random = random;
    }

    @Override
    public synchronized void start(String ifName) {
        NetInterface nif = interfaces.apply(ifName);
        if (nif == null) {
            throw new IllegalArgumentException("dhcpcd: no interface '" + ifName + "'");
        }
        if (nif.mac == null || nif.memberOf != null) {
            throw new IllegalArgumentException("dhcpcd: " + ifName + " is " + (nif.mac == null
                    ? "not an Ethernet interface" : "a member of " + nif.memberOf.name() + " (run it on the bridge)"));
        }
        if (clients.containsKey(ifName)) {
            throw new IllegalArgumentException("dhcpcd: already running on " + ifName);
        }
        if (clients.isEmpty()) {
            udp.bindInternal(DhcpMessage.CLIENT_PORT, "dhcpcd", this);
        }
        Client c = new Client(nif);
        clients.put(ifName, c);
        c.machine.start(timer.now());
    }

    @Override
    public synchronized void release(String ifName) {
        Client c = clients.remove(ifName);
        if (c == null) {
            throw new IllegalArgumentException("dhcpcd: not running on " + ifName);
        }
        timer.cancel(c);
        c.machine.release(timer.now());
        if (clients.isEmpty()) {
            udp.unbindInternal(DhcpMessage.CLIENT_PORT);
        }
    }

    @Override
    public synchronized List<DhcpBinding> bindings() {
        long now = timer.now();
        List<DhcpBinding> out = new ArrayList<>();
        for (Client c : clients.values()) {
            DhcpClientMachine.Lease l = c.machine.lease();
            out.add(l == null
                    ? new DhcpBinding(c.ifName, c.machine.state().name(), null, 0, null, null, List.of(), 0, -1, -1)
                    : new DhcpBinding(c.ifName, c.machine.state().name(), IpAddresses.fromV4(l.address()),
                            l.prefixLength(), l.router() == 0 ? null : IpAddresses.fromV4(l.router()),
                            IpAddresses.fromV4(l.server()), l.dns().stream().map(IpAddresses::fromV4).toList(),
                            l.leaseSeconds(), c.machine.secondsLeft(now), c.machine.secondsToRenewal(now)));
        }
        return out;
    }

    /** Stops every client without a release (the stack is stopping); their timers are cancelled. */
    synchronized void close() {
        for (Client c : clients.values()) {
            timer.cancel(c);
        }
        clients.clear();
    }

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
        synchronized (this) {
            Client c = clients.get(in.l3.name);
            if (c == null) {
                stats.count(Stat.DHCP_NOT_SERVED);
                return false;
            }
            stats.count(c.machine.received(m, timer.now()) ? Stat.DHCP_CLIENT_ACCEPTED : Stat.DHCP_CLIENT_IGNORED);
        }
        return false;
    }
}
