package io.pktstack.core.internal;

import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.DriverFailures;
import io.pktstack.api.link.Link;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.BridgeEntry;
import io.pktstack.api.stack.BufferStatistics;
import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NeighborEntry;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.PacketCapture;
import io.pktstack.api.stack.PacketGenerator;
import io.pktstack.api.stack.PingResult;
import io.pktstack.api.stack.ProtocolStatistics;
import io.pktstack.api.stack.RouteEntry;
import io.pktstack.api.stack.Tunable;
import io.pktstack.api.stack.UdpSocket;
import io.pktstack.api.tcp.TcpConnectionInfo;
import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.core.internal.tcp.Tcp;
import io.pktstack.core.internal.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import io.pktstack.api.router.Autoconfiguration;
import io.pktstack.api.router.DhcpClient;
import io.pktstack.api.router.DhcpServer;
import io.pktstack.api.router.PacketFilter;
import io.pktstack.api.router.Router;
import io.pktstack.api.router.RouterAdvertisements;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The stack: the interface table, the frame pool, layer 2 and layer 3. Tracks
 * {@link Link} services as drivers register and withdraw them: a link that
 * appears is named, attached and brought up; one that goes away is detached,
 * and the frames it held return to the pool.
 */
@Component(service = {NetworkStack.class, PacketGenerator.class, PacketCapture.class, TcpStack.class, Router.class,
        DriverLinks.class, DriverFailures.class}, immediate = true, configurationPid = StackComponent.PID)
@Designate(ocd = StackComponent.Config.class)
public final class StackComponent implements NetworkStack, PacketGenerator, PacketCapture, TcpStack, Router, DriverLinks,
        DriverFailures {

    static final String PID = "io.pktstack.core";
    /** Frames in the pool unless configured (pool.frames) or set per instance (pktstack.pool.frames). */
    static final int DEFAULT_POOL_FRAMES = 32768;
    private static final System.Logger LOG = System.getLogger("io.pktstack.core");

    @ObjectClassDefinition(name = "pktstack core", description = "The stack's frame pool")
    public @interface Config {
        @AttributeDefinition(description = "Frames in the buffer pool (each one slot of pool.slot.size bytes)")
        int pool_frames() default DEFAULT_POOL_FRAMES;

        @AttributeDefinition(description = "Bytes per frame slot, headroom included")
        int pool_slot_size() default FramePool.DEFAULT_SLOT_SIZE;
    }

    private final Object lock = new Object();
    /** Why a driver instance could not start, reported by the driver or found here refusing its link; by instance. */
    private final Map<String, Throwable> failures = new HashMap<>();
    private final InterfaceTable table = new InterfaceTable();
    private final Map<Link, NetInterface> links = new IdentityHashMap<>();
    private final FramePool pool;
    private final LongSupplier clock;
    private final Forwarder forwarder;
    /** Cuts large TCP segments where they leave for a link that cannot take them whole. */
    private final Segmentation segmentation;
    private final StackTimer timer;
    private final PoolTrimmer trimmer;
    private final IpLayer ip;
    private final ThreadLocal<PathContext> contexts = ThreadLocal.withInitial(PathContext::new);
    private final Tunables tunables = new Tunables(t -> defineTunables());
    /** Settings of driver interfaces whose instance is restarting (under {@link #lock}). */
    private final InterfaceMemory memory = new InterfaceMemory();
    /** Address-table size and ageing of every bridge (sysctl net.link.bridge.maxaddr, .timeout). */
    private volatile int bridgeMaxAddresses = Bridge.DEFAULT_MAX_ADDRESSES;
    private volatile long bridgeTimeoutSeconds = Bridge.DEFAULT_TIMEOUT_SECONDS;
    /** Guest-link workers' polling after their last work, µs, and the CPU they pin to (sysctl net.link.vdev.*). */
    private volatile long busyPollMicros = LinkPort.DEFAULT_BUSY_POLL_MICROS;
    private volatile int pollCpu = -1;
    private final DhcpServerService dhcpServer;
    private final DhcpClientService dhcpClient;
    private final Autoconfig autoconfig;

    /** Frames in the pool: pool.frames if configured, else the framework property bin/pktstack sizes per instance. */
    static int poolFrames(Config config, BundleContext context) {
        String p = context == null ? null : context.getProperty("pktstack.pool.frames");
        if (config.pool_frames() != DEFAULT_POOL_FRAMES || p == null || p.isBlank()) {
            return config.pool_frames();
        }
        try {
            return Integer.parseInt(p.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pktstack.pool.frames '" + p + "' is not a number of frames");
        }
    }

    @Activate
    public StackComponent(Config config, BundleContext context) {
        this(FramePool.shared(poolFrames(config, context), config.pool_slot_size()), System::nanoTime, Instance.of(context));
        timer.start();
    }

    /** For tests: a given pool and clock; the timer runs only when the test calls {@link #timer()}{@code .runDue()}. */
    StackComponent(FramePool pool, LongSupplier nanoClock) {
        this(pool, nanoClock, Instance.NONE);
    }

    /**
     * Who this stack is: its state directory (where {@code dhcpd.leases} is
     * kept across restarts; null keeps state in memory) and its name (the
     * host name its DHCP client sends).
     */
    record Instance(Path stateDir, String name) {
        static final Instance NONE = new Instance(null, null);

        /** From the launcher's framework properties: {@code ROOT/db/NAME}, as BSD keeps leases in /var/db. */
        static Instance of(BundleContext context) {
            String root = context.getProperty("pktstack.root");
            String name = context.getProperty("pktstack.name");
            return new Instance(root == null || name == null ? null : Path.of(root, "db", name), name);
        }
    }

    StackComponent(FramePool pool, LongSupplier nanoClock, Instance instance) {
        this.pool = pool;
        this.clock = nanoClock;
        this.forwarder = new Forwarder(nanoClock);
        this.segmentation = new Segmentation(pool);
        this.timer = new StackTimer(nanoClock);
        this.ip = new IpLayer(pool, forwarder, timer, this::interfacesSnapshot, contexts::get);
        forwarder.setL3(ip);
        this.trimmer = new PoolTrimmer(timer, List.of(pool, ip.big));
        trimmer.start();
        synchronized (lock) {
            NetInterface lo = new NetInterface(table.nextIndex(), table.reserveName("lo", -1),
                    NetInterface.Kind.LOOPBACK, "loopback", null, null, 33176, null, null);
            lo.addAddress(InterfaceAddress.parse("127.0.0.1/8"));
            lo.addAddress(InterfaceAddress.parse("::1/128"));
            lo.up = true;
            table.add(lo);
        }
        // The DHCP server keeps lease ends as wall-clock seconds (they outlive the process); derived from the stack
        // clock so that tests moving it move lease time too.
        long epochNanosAtStart = System.currentTimeMillis() * 1_000_000L - nanoClock.getAsLong();
        LongSupplier epochSeconds = () -> (epochNanosAtStart + nanoClock.getAsLong()) / 1_000_000_000L;
        DhcpSender dhcp = new DhcpSender(ip.out, ip.routing);
        this.dhcpServer = new DhcpServerService(dhcp, ip.udp, ip.stats, this::findInterface,
                instance.stateDir() == null ? null : instance.stateDir().resolve("dhcpd.leases"), epochSeconds);
        this.dhcpClient = new DhcpClientService(dhcp, ip.udp, ip.stats, timer, this::findInterface, this,
                contexts::get, instance::name, new java.util.SplittableRandom());
        this.autoconfig = new Autoconfig(ip.out, timer, ip.stats, this::findInterface, this::interfacesSnapshot, this,
                contexts::get, () -> ip.forwarding.v6);
        ip.icmpv6.autoconfig(autoconfig);
    }

    private NetInterface findInterface(String name) {
        synchronized (lock) {
            return table.get(name);
        }
    }

    /**
     * The tunables the stack honours, NetBSD's names where NetBSD has one (run by {@link Tunables} when one is
     * first wanted).
     * Each reads and writes the live value where the stack keeps it.
     */
    private void defineTunables() {
        tunables.define("kern.mbuf.trim_ms", 0, TimeUnit.HOURS.toMillis(1),
                "milliseconds after which the pages of pool frames that stayed free go back to the system"
                        + " (0: never); they read as zero pages when next used", trimmer::intervalMillis,
                trimmer::setIntervalMillis);
        tunables.define("net.link.vdev.busy_poll", 0, 1_000_000,
                "microseconds a guest-link worker polls its rings after its last work before it sleeps on its"
                        + " eventfds (0: never poll); polling lowers latency and costs CPU",
                () -> busyPollMicros, v -> busyPollMicros = v);
        tunables.define("net.link.vdev.poll_cpu", -1, 1023,
                "CPU a guest-link worker pins itself to when its session starts (-1: none)",
                () -> pollCpu, v -> pollCpu = (int) v);
        tunables.define("net.link.bridge.maxaddr", 1, Bridge.MAX_ADDRESSES_LIMIT,
                "addresses a bridge learns at most (brconfig maxaddr); applies to every bridge",
                () -> bridgeMaxAddresses, v -> {
                    bridgeMaxAddresses = (int) v;
                    forEachBridge(b -> b.table.setMaxAddresses((int) v));
                });
        tunables.define("net.link.bridge.timeout", 1, TimeUnit.DAYS.toSeconds(1),
                "seconds a learned bridge address lives unseen (brconfig timeout); applies to every bridge",
                () -> bridgeTimeoutSeconds, v -> {
                    bridgeTimeoutSeconds = v;
                    forEachBridge(b -> b.table.setTimeoutNanos(TimeUnit.SECONDS.toNanos(v)));
                });
        tunables.define("net.inet.arp.keep", 1, TimeUnit.DAYS.toSeconds(1),
                "seconds an ARP entry lives (entries made from now on)", ip.arp::lifetimeSeconds,
                ip.arp::setLifetimeSeconds);
        tunables.define("net.inet6.icmp6.nd6_keep", 1, TimeUnit.DAYS.toSeconds(1),
                "seconds an IPv6 neighbour-cache entry lives (entries made from now on)", ip.ndp::lifetimeSeconds,
                ip.ndp::setLifetimeSeconds);
        tunables.define("net.inet.arp.maxhold", 0, 64,
                "frames held per neighbour while ARP or ND resolves it (the oldest is dropped beyond)",
                ip.arp::maxHold, v -> {
                    ip.arp.setMaxHold((int) v);
                    ip.ndp.setMaxHold((int) v);
                });
        tunables.define("net.inet.arp.maxentries", 1, 1 << 20,
                "ARP entries at most; beyond, new neighbours are refused and counted (netstat -s: arp)",
                ip.arp::maxEntries, v -> ip.arp.setMaxEntries((int) v));
        tunables.define("net.inet6.icmp6.nd6_maxentries", 1, 1 << 20,
                "IPv6 neighbour-cache entries at most; beyond, new neighbours are refused and counted (netstat -s: icmp6)",
                ip.ndp::maxEntries, v -> ip.ndp.setMaxEntries((int) v));
        tunables.define("net.pktstack.udp.queue", 1, 65536,
                "datagrams a UDP socket queues unread before it drops and counts them (sockets opened from now on)",
                () -> ip.udp.queueLength, v -> ip.udp.queueLength = (int) v);
        tunables.define("net.inet.ip.ttl", 1, 255, "TTL of IPv4 packets the stack sends",
                () -> ip.out.ttl, v -> ip.out.ttl = (int) v);
        tunables.define("net.inet6.ip6.hlim", 1, 255, "hop limit of IPv6 packets the stack sends (ND excepted: 255)",
                () -> ip.out.hopLimit, v -> ip.out.hopLimit = (int) v);
        defineTcpTunables(ip.tcp.config());
        tunables.define("net.pktstack.pool.frames", 0, Integer.MAX_VALUE,
                "frames in the buffer pool (set at start: configuration pool.frames)", pool::capacity, null);
        tunables.define("net.pktstack.pool.slotsize", 0, Integer.MAX_VALUE,
                "bytes per frame slot, headroom included (set at start: configuration pool.slot.size)",
                pool::slotSize, null);
        tunables.define("net.pktstack.capture.queue", 0, Integer.MAX_VALUE,
                "frames a tcpdump capture queues before it drops copies", () -> CAPTURE_QUEUE, null);
        defineRouterTunables();
        tunables.defineSwitch("net.inet6.ip6.accept_rtadv",
                "configure addresses and the default router from router advertisements on every interface "
                        + "(rtsol IF: on one); never while forwarding IPv6", () -> autoconfig.acceptAll,
                v -> autoconfig.acceptAll = v);
        tunables.define("net.inet6.ip6.maxifprefixes", 1, 1024,
                "addresses router advertisements may configure per interface; further prefixes are ignored and "
                        + "counted (netstat -s: icmp6)", () -> autoconfig.maxPrefixes,
                v -> autoconfig.maxPrefixes = (int) v);
    }

    /** Forwarding, ICMP error limits and fragment reassembly (NetBSD's and FreeBSD's names). */
    private void defineRouterTunables() {
        IpForwarding fwd = ip.forwarding;
        tunables.defineSwitch("net.inet.ip.forwarding", "forward IPv4 packets between interfaces", () -> fwd.v4,
                v -> fwd.v4 = v);
        tunables.defineSwitch("net.inet6.ip6.forwarding", "forward IPv6 packets between interfaces", () -> fwd.v6,
                v -> fwd.v6 = v);
        tunables.defineSwitch("net.inet.ip.redirect", "send ICMP redirects when forwarding out of the arrival interface",
                () -> fwd.redirects4, v -> fwd.redirects4 = v);
        tunables.define("net.inet.icmp.errppslimit", -1, 1_000_000,
                "ICMP error messages sent per second at most (-1: no limit, 0: none)", ip.icmpErrors.limit4::limit,
                v -> ip.icmpErrors.limit4.setLimit((int) v));
        tunables.define("net.inet6.icmp6.errppslimit", -1, 1_000_000,
                "ICMPv6 error messages sent per second at most (-1: no limit, 0: none)", ip.icmpErrors.limit6::limit,
                v -> ip.icmpErrors.limit6.setLimit((int) v));
        for (Reassembly r : List.of(ip.reassembly4, ip.reassembly6)) {
            String p = r == ip.reassembly4 ? "net.inet.ip." : "net.inet6.ip6.";
            tunables.define(p + "maxfragpackets", 0, 4096,
                    "datagrams in reassembly at most (0: fragments dropped); changing it drops those in reassembly",
                    r::maxPackets, v -> r.setLimits((int) v, r.maxFragsPerPacket()));
            tunables.define(p + "maxfragsperpacket", 1, 8192,
                    "fragments of one datagram at most; changing it drops datagrams in reassembly",
                    r::maxFragsPerPacket, v -> r.setLimits(r.maxPackets(), (int) v));
            tunables.define(p + "maxfrags", 0, 1 << 20, "fragments held for reassembly at most, all datagrams together",
                    r::maxFrags, v -> r.setMaxFrags((int) v));
        }
        tunables.define("net.inet.ip.fragttl", 1, 120, "seconds a datagram may take to arrive whole (IPv6: 60, RFC 8200)",
                ip.reassembly4::timeoutSeconds, ip.reassembly4::setTimeoutSeconds);
        tunables.define("net.pktstack.reass.buffers", 0, Integer.MAX_VALUE,
                "large frames for reassembled datagrams and the stack's own datagrams bigger than a slot",
                ip.big::capacity, null);
    }

    /** TCP's tunables (FreeBSD's names); new values apply to connections made from now on, timers at once. */
    private void defineTcpTunables(TcpConfig c) {
        tunables.define("net.inet.tcp.sendspace", 4096, 16 << 20, "default send buffer of new connections, bytes",
                () -> c.sendSpace, v -> c.sendSpace = (int) v);
        tunables.define("net.inet.tcp.recvspace", 4096, 16 << 20,
                "default receive buffer of new connections, bytes (sets the window scale offered)",
                () -> c.recvSpace, v -> c.recvSpace = (int) v);
        tunables.define("net.inet.tcp.mssdflt", 88, 65495, "MSS assumed when the peer sends none, bytes",
                () -> c.mssDefault, v -> c.mssDefault = (int) v);
        tunables.defineSymbolic("net.inet.tcp.cc.algorithm", List.of("newreno", "cubic"),
                "congestion control of new connections",
                () -> "newreno".equals(c.congestionControl) ? 0 : 1,
                v -> c.congestionControl = v == 0 ? "newreno" : "cubic");
        tunables.defineSwitch("net.inet.tcp.delayed_ack", "delay ACKs of single segments", () -> c.delayedAck,
                v -> c.delayedAck = v);
        tunables.define("net.inet.tcp.delacktime", 1, 500, "longest delay of an ACK, milliseconds",
                () -> c.delayedAckMillis, v -> c.delayedAckMillis = (int) v);
        tunables.define("net.inet.tcp.keepidle", 1, TimeUnit.DAYS.toSeconds(1),
                "idle seconds before the first keepalive probe", () -> c.keepIdleSeconds,
                v -> c.keepIdleSeconds = (int) v);
        tunables.define("net.inet.tcp.keepintvl", 1, TimeUnit.HOURS.toSeconds(1),
                "seconds between unanswered keepalive probes", () -> c.keepIntervalSeconds,
                v -> c.keepIntervalSeconds = (int) v);
        tunables.define("net.inet.tcp.keepcnt", 1, 100, "unanswered keepalive probes before the connection is dropped",
                () -> c.keepCount, v -> c.keepCount = (int) v);
        tunables.define("net.inet.tcp.msl", 1, 600, "maximum segment lifetime, seconds (TIME_WAIT lasts 2 MSL)",
                () -> c.mslSeconds, v -> c.mslSeconds = (int) v);
        tunables.defineSwitch("net.inet.tcp.syncookies", "answer SYNs with cookies when the SYN queue is full",
                () -> c.synCookies, v -> c.synCookies = v);
        tunables.define("net.inet.tcp.syncache.limit", 0, 65536, "half-open connections per listener",
                () -> c.synQueueLimit, v -> c.synQueueLimit = (int) v);
        tunables.defineSwitch("net.inet.tcp.sack.enable", "offer and accept SACK (RFC 2018)", () -> c.sack,
                v -> c.sack = v);
        tunables.defineSwitch("net.inet.tcp.rfc1323", "window scaling and timestamps (RFC 7323)", () -> c.rfc1323,
                v -> c.rfc1323 = v);
        tunables.define("net.inet.tcp.rexmit_min", 1, 60_000, "lower bound of the retransmission timeout, ms",
                () -> c.minRtoMillis, v -> c.minRtoMillis = (int) v);
        tunables.define("net.inet.tcp.rexmit_max", 1, 30, "retransmissions of a segment before the connection is dropped",
                () -> c.maxRetransmits, v -> c.maxRetransmits = (int) v);
        tunables.define("net.inet.tcp.ack_on_limit", 1, 1_000_000, "challenge ACKs per second at most (RFC 5961)",
                () -> c.challengeAckLimit, v -> c.challengeAckLimit = (int) v);
        tunables.defineSwitch("net.inet.tcp.slowstart_after_idle", "restart from the initial window after an idle RTO",
                () -> c.slowStartAfterIdle, v -> c.slowStartAfterIdle = v);
        tunables.define("net.inet.tcp.finwait2_timeout", 1, 3600, "seconds a closed socket may wait in FIN_WAIT_2",
                () -> c.finWait2Seconds, v -> c.finWait2Seconds = (int) v);
    }

    private void forEachBridge(Consumer<Bridge> action) {
        for (NetInterface nif : interfacesSnapshot()) {
            Bridge b = nif.bridgeState;
            if (b != null) {
                b.lock.lock();
                try {
                    action.accept(b);
                } finally {
                    b.lock.unlock();
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            for (Map.Entry<Link, NetInterface> e : new ArrayList<>(links.entrySet())) {
                detach(e.getKey(), e.getValue());
            }
        }
        dhcpClient.close();
        autoconfig.close();
        ip.close();
        timer.close();
        // The pool's memory is freed only if every frame came back: a leak must not become a crash.
        if (pool.available() == pool.capacity()) {
            pool.close();
        } else {
            LOG.log(Level.WARNING, "{0} frames still in flight at shutdown", pool.capacity() - pool.available());
        }
    }

    // ---- links come and go -------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addLink(Link link, Map<String, Object> props) {
        synchronized (lock) {
            String prefix = String.valueOf(props.getOrDefault(Link.PREFIX, "if"));
            int unit = props.get(Link.UNIT) instanceof Number n ? n.intValue() : -1;
            String instance = props.get(Link.INSTANCE) instanceof String s ? s : null;
            String key = linkKey(props);
            // The same instance making the same interface again (its bundle was updated): it gets its settings back.
            InterfaceMemory.Settings was = instance == null ? null : memory.recall(instance, key);
            String name;
            try {
                name = table.reserveName(prefix, unit >= 0 ? unit : unitOf(was, prefix));
            } catch (IllegalArgumentException e) {
                if (unit >= 0 || was == null) {
                    LOG.log(Level.ERROR, "refusing link of driver {0}: {1}", props.get(Link.DRIVER), e.getMessage());
                    refused(instance, e);
                    return;
                }
                name = table.reserveName(prefix, -1); // its old name was taken meanwhile
            }
            MacAddress mac = link.mac();
            String notStation = mac.whyNotStation();
            if (notStation != null) {
                LOG.log(Level.ERROR, "refusing {0} of driver {1}: MAC {2}", name, props.get(Link.DRIVER), notStation);
                table.releaseName(name);
                refused(instance, new IllegalArgumentException("MAC " + notStation));
                return;
            }
            if (link.macAssigned() && !mac.isLocallyAdministered()) {
                LOG.log(Level.WARNING, "{0}: assigned MAC {1} does not have the locally administered bit set", name, mac);
            }
            NetInterface nif = new NetInterface(table.nextIndex(), name, NetInterface.Kind.LINK,
                    String.valueOf(props.get(Link.DRIVER)), instance, mac, link.mtu(), link, null);
            nif.key = key;
            nif.segmentation = segmentation;
            nif.addAddress(IpLayer.linkLocal(mac));
            table.add(nif);
            links.put(link, nif);
            nif.up = true;
            if (was != null) {
                restore(nif, was);
            }
            ip.routing.changed();
            link.attach(new Port(nif)); // the driver reports carrier through the port from now on
            LOG.log(Level.INFO, "{0}: {1} link up, MAC {2}", name, nif.driver, mac);
            if (instance != null) {
                failures.remove(instance); // an earlier failure of this instance is over
            }
            lock.notifyAll(); // the driver manager waits for its instances' interfaces
        }
    }

    /** What names a link within its instance: its key, else its description. */
    private static String linkKey(Map<String, Object> props) {
        Object k = props.get(Link.KEY);
        if (k == null) {
            k = props.get(Link.DESCRIPTION);
        }
        return k == null ? null : k.toString();
    }

    /** The unit of a remembered name with this prefix, or -1 (the lowest free one). */
    private static int unitOf(InterfaceMemory.Settings was, String prefix) {
        if (was == null || !was.name().startsWith(prefix) || !was.name().substring(prefix.length()).matches("\\d{1,4}")) {
            return -1;
        }
        return Integer.parseInt(was.name().substring(prefix.length()));
    }

    /**
     * Puts back what the operator had set on an interface before its instance
     * restarted (under the lock, before the link is attached). What can no
     * longer be had (the bridge was destroyed, an address is now another
     * interface's) is left out and logged.
     */
    private void restore(NetInterface nif, InterfaceMemory.Settings was) {
        List<String> done = new ArrayList<>();
        InterfaceAddress oldLinkLocal = IpLayer.linkLocal(was.mac());
        for (InterfaceAddress a : was.addresses()) {
            if (a.equals(oldLinkLocal) || nif.addresses.contains(a)) {
                continue; // made from the MAC: the new MAC's is already there
            }
            String owner = ownerOfAddress(a);
            if (owner != null) {
                LOG.log(Level.WARNING, "{0}: address {1} not restored: it is now {2}''s", nif.name, a, owner);
                continue;
            }
            nif.addAddress(a);
            done.add(a.toString());
        }
        nif.up = was.up();
        if (was.bridge() != null) {
            NetInterface b = table.get(was.bridge());
            String clash = b == null || b.bridgeState == null ? "the bridge is gone"
                    : segmentClash(b.bridgeState, nif.mac, nif);
            if (clash == null) {
                b.bridgeState.add(nif);
                done.add("member of " + was.bridge());
            } else {
                LOG.log(Level.WARNING, "{0}: not added back to {1}: {2}", nif.name, was.bridge(), clash);
            }
        }
        if (was.impairment() != null) {
            nif.impairer = new Impairer(was.impairment(), timer, b -> forwarder.deliver(nif, b, contexts.get()),
                    nif::transmitNow);
            done.add("impair");
        }
        LOG.log(Level.INFO, "{0}: its driver instance came back; restored {1}{2}", nif.name, was.up() ? "up" : "down",
                done.isEmpty() ? "" : ", " + String.join(", ", done));
    }

    private String ownerOfAddress(InterfaceAddress a) {
        for (NetInterface other : table.all()) {
            for (InterfaceAddress x : other.addresses) {
                if (x.address().equals(a.address())) {
                    return other.name;
                }
            }
        }
        return null;
    }

    void removeLink(Link link) {
        synchronized (lock) {
            NetInterface nif = links.get(link);
            if (nif != null) {
                if (nif.instance != null) {
                    Bridge b = nif.memberOf;
                    Impairer imp = nif.impairer;
                    memory.remember(nif.instance, nif.key, new InterfaceMemory.Settings(nif.name, nif.mac,
                            nif.addresses, b == null ? null : b.name(), nif.up, imp == null ? null : imp.settings));
                }
                detach(link, nif);
                lock.notifyAll();
            }
        }
    }

    // ---- DriverLinks: the driver manager's typed view --------------------------------

    @Override
    public boolean awaitInterfaces(String instance, java.util.function.Predicate<List<String>> condition, long nanos)
            throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while (!condition.test(interfacesOf(instance))) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || failures.containsKey(instance)) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public List<String> interfacesOf(String instance) {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            for (NetInterface nif : table.all()) {
                if (instance.equals(nif.instance)) {
                    out.add(nif.name);
                }
            }
            return out;
        }
    }

    @Override
    public DriverLinks.Owner ownerOf(String ifName) {
        synchronized (lock) {
            NetInterface nif = table.get(ifName);
            return nif == null || nif.kind != NetInterface.Kind.LINK || nif.instance == null ? null
                    : new DriverLinks.Owner(nif.instance, nif.key);
        }
    }

    @Override
    public void forget(String instance, String key) {
        synchronized (lock) {
            memory.forget(instance, key);
            if (key == null) {
                failures.remove(instance);
            }
        }
    }

    @Override
    public Throwable failure(String instance) {
        synchronized (lock) {
            return failures.get(instance);
        }
    }

    // ---- DriverFailures: drivers that cannot start say why (SCR logs what they throw) ----

    @Override
    public void failed(Object instance, Throwable cause) {
        refused(instance == null ? null : instance.toString(), cause);
    }

    /** Records why {@code instance} did not come up and wakes the driver manager waiting for it. */
    private void refused(String instance, Throwable cause) {
        if (instance == null) {
            return;
        }
        synchronized (lock) {
            failures.put(instance, cause);
            lock.notifyAll();
        }
    }

    private void detach(Link link, NetInterface nif) {
        nif.up = false;
        nif.carrier = false;
        Impairer imp = nif.impairer;
        if (imp != null) {
            nif.impairer = null;
            imp.close();
        }
        Bridge b = nif.memberOf;
        if (b != null) {
            b.remove(nif, clock.getAsLong());
        }
        link.detach();
        links.remove(link);
        table.remove(nif);
        ip.interfaceGone(nif);
        LOG.log(Level.INFO, "{0}: detached", nif.name);
    }

    /** The stack's side of one attached link. */
    private final class Port implements LinkPort {
        private final NetInterface nif;

        Port(NetInterface nif) {
            this.nif = nif;
        }

        @Override
        public FramePool pool() {
            return pool;
        }

        @Override
        public FramePool largePool() {
            return ip.big;
        }

        @Override
        public long busyPollMicros() {
            return busyPollMicros;
        }

        @Override
        public int pollCpu() {
            return pollCpu;
        }

        @Override
        public void receive(FrameBatch batch) {
            forwarder.receive(nif, batch, contexts.get());
        }

        @Override
        public void carrierChanged(boolean up) {
            if (up) {
                Bridge b = nif.memberOf;
                MacAddress peer = nif.link.peerMac();
                String clash = b == null || peer == null ? null : segmentClash(b, peer, nif);
                if (clash != null) {
                    // The station behind this link would make a MAC ambiguous in the segment: keep it out.
                    nif.refusal = clash + "; link refused";
                    LOG.log(Level.ERROR, "{0}: {1}", nif.name, nif.refusal);
                    return;
                }
                nif.refusal = null;
            }
            nif.carrier = up;
            LOG.log(Level.INFO, "{0}: link {1}", nif.name, up ? "up" : "down");
            if (up) {
                ip.announce(nif, contexts.get());
            }
        }

        @Override
        public void event(String message) {
            LOG.log(Level.WARNING, "{0}: {1}", nif.name, message);
        }
    }

    // ---- NetworkStack ------------------------------------------------------

    private List<NetInterface> interfacesSnapshot() {
        synchronized (lock) {
            return table.all();
        }
    }

    /** The frame pool, for leak checks in tests. */
    FramePool pool() {
        return pool;
    }

    /** Layer 3, for tests. */
    IpLayer ipLayer() {
        return ip;
    }

    /** The large frames (reassembled datagrams), for leak checks in tests. */
    FramePool largeFrames() {
        return ip.big;
    }

    /** An interface by name, for tests that drive the data path directly. */
    NetInterface netInterface(String name) {
        synchronized (lock) {
            return table.require(name);
        }
    }

    /** Layer 2, for tests that drive the data path directly. */
    Forwarder forwarder() {
        return forwarder;
    }

    /** The stack timer: tests move their clock and run what came due. */
    StackTimer timer() {
        return timer;
    }

    @Override
    public List<InterfaceInfo> interfaces() {
        List<InterfaceInfo> out = new ArrayList<>();
        for (NetInterface nif : interfacesSnapshot()) {
            out.add(nif.info());
        }
        return out;
    }

    @Override
    public InterfaceInfo interfaceInfo(String name) {
        synchronized (lock) {
            return table.require(name).info();
        }
    }

    @Override
    public void setUp(String ifName, boolean up) {
        synchronized (lock) {
            table.require(ifName).up = up;
            ip.routing.changed();
        }
    }

    @Override
    public void addAddress(String ifName, InterfaceAddress address) {
        synchronized (lock) {
            NetInterface nif = table.require(ifName);
            String why = InterfaceAddressRules.whyNot(address, nif.kind == NetInterface.Kind.LOOPBACK);
            if (why != null) {
                throw new IllegalArgumentException("address " + address + " refused for " + ifName + ": " + why);
            }
            for (NetInterface other : table.all()) {
                for (InterfaceAddress a : other.addresses) {
                    if (a.address().equals(address.address())) {
                        throw new IllegalArgumentException("address " + address.address().getHostAddress()
                                + " is already assigned to " + other.name);
                    }
                }
            }
            nif.addAddress(address);
            ip.routing.changed();
        }
        NetInterface nif;
        synchronized (lock) {
            nif = table.require(ifName);
        }
        if (nif.running() || nif.kind == NetInterface.Kind.BRIDGE) {
            ip.announce(nif, contexts.get());
        }
    }

    @Override
    public void removeAddress(String ifName, InterfaceAddress address) {
        synchronized (lock) {
            NetInterface nif = table.require(ifName);
            if (!nif.removeAddress(address)) {
                throw new IllegalArgumentException(ifName + " has no address " + address);
            }
            ip.routing.changed();
        }
    }

    @Override
    public void createBridge(String name) {
        synchronized (lock) {
            if (!name.matches("bridge\\d+")) {
                throw new IllegalArgumentException("bridge name '" + name + "' must be bridgeN (e.g. bridge0)");
            }
            if (table.get(name) != null) {
                throw new IllegalArgumentException("interface " + name + " already exists");
            }
            String reserved = table.reserveName("bridge", Integer.parseInt(name.substring(6)));
            Bridge b = new Bridge(reserved);
            b.table.setMaxAddresses(bridgeMaxAddresses);
            b.table.setTimeoutNanos(TimeUnit.SECONDS.toNanos(bridgeTimeoutSeconds));
            MacAddress mac = MacAddress.generateLocal();
            NetInterface nif = new NetInterface(table.nextIndex(), reserved, NetInterface.Kind.BRIDGE, "bridge",
                    null, mac, 1514, null, b);
            nif.segmentation = segmentation;
            b.setSelf(nif);
            nif.addAddress(IpLayer.linkLocal(mac));
            table.add(nif);
        }
    }

    @Override
    public void destroyInterface(String name) {
        synchronized (lock) {
            NetInterface nif = table.require(name);
            if (nif.kind != NetInterface.Kind.BRIDGE) {
                throw new IllegalArgumentException(name + " is not a cloned interface (stop its driver to remove it)");
            }
            for (NetInterface m : nif.bridgeState.members()) {
                nif.bridgeState.remove(m, clock.getAsLong());
            }
            nif.up = false;
            table.remove(nif);
            ip.interfaceGone(nif);
        }
    }

    private Bridge requireBridge(String name) {
        NetInterface nif = table.require(name);
        if (nif.bridgeState == null) {
            throw new IllegalArgumentException(name + " is not a bridge");
        }
        return nif.bridgeState;
    }

    @Override
    public void bridgeAdd(String bridge, String member) {
        synchronized (lock) {
            Bridge b = requireBridge(bridge);
            NetInterface m = table.require(member);
            if (m.kind != NetInterface.Kind.LINK) {
                throw new IllegalArgumentException(member + " cannot be a bridge member (not an Ethernet link)");
            }
            if (m.memberOf != null) {
                throw new IllegalArgumentException(member + " is already a member of " + m.memberOf.name());
            }
            // A MAC must be unique inside its segment: the bridge, its members and the stations behind them.
            String clash = segmentClash(b, m.mac, m);
            if (clash == null && m.link.peerMac() != null) {
                clash = segmentClash(b, m.link.peerMac(), m);
            }
            if (clash != null) {
                throw new IllegalArgumentException(clash);
            }
            b.add(m);
            ip.routing.changed();
        }
    }

    /**
     * Describes who in {@code b}'s segment already uses {@code mac}, naming both
     * interfaces, or returns null. {@code joining} is the member being added or
     * coming up; its own MAC and its own peer's do not count against it.
     */
    private static String segmentClash(Bridge b, MacAddress mac, NetInterface joining) {
        String who = joining.name + (mac.equals(joining.mac) ? "" : "'s peer");
        if (b.self.mac.equals(mac)) {
            return "MAC " + mac + " of " + who + " collides with " + b.self.name;
        }
        for (NetInterface other : b.members()) {
            if (other == joining) {
                continue;
            }
            if (other.mac.equals(mac)) {
                return "MAC " + mac + " of " + who + " collides with " + other.name + " in " + b.name();
            }
            MacAddress peer = other.link == null ? null : other.link.peerMac();
            if (mac.equals(peer)) {
                return "MAC " + mac + " of " + who + " collides with " + other.name + "'s peer in " + b.name();
            }
        }
        return null;
    }

    @Override
    public void bridgeDelete(String bridge, String member) {
        synchronized (lock) {
            Bridge b = requireBridge(bridge);
            NetInterface m = table.require(member);
            if (m.memberOf != b) {
                throw new IllegalArgumentException(member + " is not a member of " + bridge);
            }
            b.remove(m, clock.getAsLong());
            ip.routing.changed();
        }
    }

    @Override
    public List<String> bridgeMembers(String bridge) {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            for (NetInterface m : requireBridge(bridge).members()) {
                out.add(m.name);
            }
            return out;
        }
    }

    @Override
    public List<BridgeEntry> bridgeTable(String bridge) {
        Bridge b;
        synchronized (lock) {
            b = requireBridge(bridge);
        }
        List<BridgeEntry> out = new ArrayList<>();
        long now = clock.getAsLong();
        b.lock.lock();
        try {
            b.table.forEach(now, (mac, port, age) -> {
                NetInterface m = b.member(port);
                out.add(new BridgeEntry(new MacAddress(mac), m == null ? "?" : m.name, TimeUnit.NANOSECONDS.toSeconds(age)));
            });
        } finally {
            b.lock.unlock();
        }
        return out;
    }

    @Override
    public PingResult ping(InetAddress destination, int sequence, int payloadBytes, Duration timeout) {
        return ip.ping(destination, sequence, payloadBytes, timeout, contexts.get());
    }

    @Override
    public List<NeighborEntry> neighbors(boolean ipv6) {
        return ip.neighbors(ipv6);
    }

    @Override
    public BufferStatistics buffers() {
        int onRings = 0;
        for (NetInterface nif : interfacesSnapshot()) {
            if (nif.link != null) {
                onRings += nif.link.framesOnRings();
            }
        }
        return new BufferStatistics(pool.capacity(), pool.available(), pool.slotSize(), onRings,
                trimmer.bytesGivenBack());
    }

    @Override
    public UdpSocket openUdp(int port) {
        return ip.openUdp(port, contexts);
    }

    @Override
    public List<RouteEntry> routes() {
        return ip.routing.routes();
    }

    @Override
    public void addRoute(InterfaceAddress destination, InetAddress gateway) {
        synchronized (lock) {
            ip.routing.addRoute(destination, gateway);
        }
    }

    @Override
    public void deleteRoute(InterfaceAddress destination) {
        synchronized (lock) {
            ip.routing.deleteRoute(destination);
        }
    }

    @Override
    public List<ProtocolStatistics> statistics() {
        List<ProtocolStatistics> all = new ArrayList<>(ip.stats.snapshot());
        all.add(new ProtocolStatistics("tcp", ip.tcp.stats().snapshot()));
        return all;
    }

    @Override
    public void setImpairment(String ifName, Impairment settings) {
        Impairer old;
        synchronized (lock) {
            NetInterface nif = table.require(ifName);
            if (nif.kind != NetInterface.Kind.LINK) {
                throw new IllegalArgumentException(ifName + " is not a link: impair a driver's interface");
            }
            old = nif.impairer;
            nif.impairer = settings.isNone() ? null
                    : new Impairer(settings, timer, b -> forwarder.deliver(nif, b, contexts.get()),
                            nif::transmitNow);
        }
        if (old != null) {
            old.close();
        }
    }

    @Override
    public Impairment impairment(String ifName) {
        synchronized (lock) {
            Impairer imp = table.require(ifName).impairer;
            return imp == null ? null : imp.report();
        }
    }

    // ---- TcpStack ------------------------------------------------------------

    @Override
    public TcpSocket open() {
        return ip.tcp.open();
    }

    @Override
    public TcpSocket connect(InetSocketAddress remote, InetSocketAddress local, Duration timeout) throws IOException {
        return ip.tcp.connect(remote, local, timeout);
    }

    @Override
    public TcpListener listen(InetSocketAddress local, int backlog) throws IOException {
        return ip.tcp.listen(local, backlog);
    }

    @Override
    public List<TcpConnectionInfo> connections() {
        return ip.tcp.connections();
    }

    /** TCP, for tests. */
    Tcp tcp() {
        return ip.tcp;
    }

    @Override
    public List<Tunable> tunables() {
        return tunables.all();
    }

    @Override
    public List<Tunable> setTunables(Map<String, Long> values) {
        return tunables.set(values);
    }

    @Override
    public Result transmit(String ifName, MacAddress destination, int frameBytes, long frames, int batch) {
        NetInterface nif;
        synchronized (lock) {
            nif = table.require(ifName);
        }
        if (nif.kind != NetInterface.Kind.LINK) {
            throw new IllegalArgumentException(ifName + " is not a link: the generator sends on a driver's interface");
        }
        return Pktgen.run(pool, nif, destination, frameBytes, frames, batch);
    }

    @Override
    public Result transmit(String ifName, byte[] frame, long frames, int batch) {
        NetInterface nif;
        synchronized (lock) {
            nif = table.require(ifName);
        }
        if (nif.kind != NetInterface.Kind.LINK) {
            throw new IllegalArgumentException(ifName + " is not a link: the generator sends on a driver's interface");
        }
        return Pktgen.run(pool, nif, frame, frames, batch);
    }

    /** Frames a capture queues before it drops copies (the reader is a shell thread). */
    static final int CAPTURE_QUEUE = 8192;

    @Override
    public Session start(String ifName, long maxFrames) {
        NetInterface nif;
        Capture c = new Capture(CAPTURE_QUEUE, maxFrames);
        synchronized (lock) {
            nif = table.require(ifName);
            if (nif.capture != null) {
                throw new IllegalArgumentException(ifName + " is already being captured");
            }
            nif.capture = c;
        }
        return new Session() {
            @Override
            public PacketCapture.Frame next(Duration timeout) throws InterruptedException {
                return c.next(timeout.toNanos());
            }

            @Override
            public long dropped() {
                return c.dropped.get();
            }

            @Override
            public void close() {
                synchronized (lock) {
                    if (nif.capture == c) {
                        nif.capture = null;
                    }
                }
            }
        };
    }

    // ---- Router ------------------------------------------------------------

    @Override
    public DhcpServer dhcpServer() {
        return dhcpServer;
    }

    @Override
    public DhcpClient dhcpClient() {
        return dhcpClient;
    }

    @Override
    public PacketFilter packetFilter() {
        return ip.pf;
    }

    @Override
    public RouterAdvertisements routerAdvertisements() {
        return ip.advertiser;
    }

    @Override
    public Autoconfiguration autoconfiguration() {
        return autoconfig;
    }
}
