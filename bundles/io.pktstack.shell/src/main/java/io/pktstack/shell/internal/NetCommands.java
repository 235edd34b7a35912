package io.pktstack.shell.internal;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.options.IoPktCommandLine;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.api.stack.PacketCapture;
import io.pktstack.api.stack.PacketGenerator;
import io.pktstack.api.stack.ProtocolStatistics;
import io.pktstack.api.stack.Tunable;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The operator's commands, with the BSD tools' syntax that io-pkt users type.
 * Every command either returns a {@link Report} or throws with a message
 * naming the bad token; nothing is changed when a command fails.
 */
@Component(service = NetCommands.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=ifconfig",
        "osgi.command.function=brconfig",
        "osgi.command.function=ping",
        "osgi.command.function=arp",
        "osgi.command.function=ndp",
        "osgi.command.function=nicinfo",
        "osgi.command.function=netstat",
        "osgi.command.function=pktgen",
        "osgi.command.function=tcpdump",
        "osgi.command.function=drivers",
        "osgi.command.function=mount",
        "osgi.command.function=umount",
        "osgi.command.function=route",
        "osgi.command.function=sysctl",
        "osgi.command.function=impair"})
public final class NetCommands {

    private final NetworkStack stack;
    private final DriverManager drivers;
    private final PacketGenerator generator;
    private final PacketCapture capture;
    private final TcpStack tcp;

    @Activate
    public NetCommands(@Reference NetworkStack stack, @Reference DriverManager drivers,
            @Reference PacketGenerator generator, @Reference PacketCapture capture, @Reference TcpStack tcp) {
        this.stack = stack;
        this.drivers = drivers;
        this.generator = generator;
        this.capture = capture;
        this.tcp = tcp;
    }

    @Descriptor("configure network interfaces: ifconfig [-a] | IF | IF create|destroy | IF [inet|inet6] ADDR[/LEN] [netmask M] [prefixlen N] [alias|-alias|delete] [up|down]")
    public Report ifconfig(@Descriptor("interface and settings, BSD syntax") String... args) {
        if (args.length == 0 || (args.length == 1 && args[0].equals("-a"))) {
            return new InterfaceList(stack.interfaces());
        }
        String name = args[0];
        if (args.length == 1) {
            return new InterfaceList(List.of(stack.interfaceInfo(name)));
        }
        if (args.length == 2 && args[1].equals("create")) {
            stack.createBridge(name);
            return new InterfaceList(List.of(stack.interfaceInfo(name)));
        }
        if (args.length == 2 && args[1].equals("destroy")) {
            if (!"bridge".equals(stack.interfaceInfo(name).driver())) {
                return remove("ifconfig", name); // a driver's interface: as io-pkt, its driver lets it go
            }
            stack.destroyInterface(name);
            return new InterfaceList(List.of());
        }
        stack.interfaceInfo(name); // fails early for an unknown interface
        IfconfigRequest req = IfconfigRequest.parse(Arrays.copyOfRange(args, 1, args.length));
        for (InterfaceAddress a : req.remove()) {
            stack.removeAddress(name, a);
        }
        for (InterfaceAddress a : req.add()) {
            stack.addAddress(name, a);
        }
        if (req.up() != null) {
            stack.setUp(name, req.up());
        }
        return new InterfaceList(List.of(stack.interfaceInfo(name)));
    }

    @Descriptor("configure a bridge: brconfig -a | BRIDGE | BRIDGE {add IF | delete IF | up | down}...")
    public Report brconfig(@Descriptor("bridge and settings, NetBSD syntax") String... args) {
        if (args.length == 0 || args[0].equals("-a")) {
            List<Report> all = new ArrayList<>();
            for (InterfaceInfo i : stack.interfaces()) {
                if ("bridge".equals(i.driver())) {
                    all.add(status(i.name()));
                }
            }
            return new ReportList(all, "");
        }
        String bridge = args[0];
        stack.bridgeMembers(bridge); // fails early if not a bridge
        // Check the whole line before changing anything.
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "add", "delete" -> {
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("brconfig: '" + args[i - 1] + "' needs an interface name");
                    }
                    stack.interfaceInfo(args[i]);
                }
                case "up", "down" -> { }
                default -> throw new IllegalArgumentException("brconfig: unknown command '" + args[i] + "'");
            }
        }
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "add" -> stack.bridgeAdd(bridge, args[++i]);
                case "delete" -> stack.bridgeDelete(bridge, args[++i]);
                case "up" -> stack.setUp(bridge, true);
                case "down" -> stack.setUp(bridge, false);
                default -> throw new AssertionError(args[i]);
            }
        }
        return status(bridge);
    }

    private BridgeStatus status(String bridge) {
        return new BridgeStatus(stack.interfaceInfo(bridge), stack.bridgeMembers(bridge), stack.bridgeTable(bridge),
                tunable("net.link.bridge.maxaddr", 100), tunable("net.link.bridge.timeout", 1200));
    }

    private long tunable(String name, long otherwise) {
        for (Tunable t : stack.tunables()) {
            if (t.name().equals(name)) {
                return t.value();
            }
        }
        return otherwise;
    }

    @Descriptor("send ICMP/ICMPv6 echo requests: ping [-q] [-c COUNT] [-i SECONDS] [-W MS] [-s BYTES] HOST; -q prints"
            + " only the summary; fails when no reply came")
    public Report ping(@Descriptor("options and destination") String... args) throws InterruptedException {
        int count = 3;
        double interval = 1.0;
        long waitMs = 1000;
        int size = 56;
        boolean quiet = false;
        String host = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-q" -> quiet = true;
                case "-c" -> count = intArg(args, ++i, a, 1, 1_000_000);
                case "-i" -> interval = doubleArg(args, ++i, a);
                case "-W" -> waitMs = intArg(args, ++i, a, 1, 3_600_000);
                case "-s" -> size = intArg(args, ++i, a, 0, 65507); // larger than the MTU: sent in fragments
                default -> {
                    if (a.startsWith("-") || host != null) {
                        throw new IllegalArgumentException("ping: unknown argument '" + a + "'");
                    }
                    host = a;
                }
            }
        }
        if (host == null) {
            throw new IllegalArgumentException("ping: missing destination (usage: ping [-q] [-c N] [-i S] [-W MS] [-s BYTES] HOST)");
        }
        InetAddress dst = numeric("ping", host);
        PingReport report = new PingReport(dst, size, quiet);
        Duration wait = Duration.ofMillis(waitMs);
        for (int seq = 0; seq < count; seq++) {
            long start = System.nanoTime();
            report.add(stack.ping(dst, seq, size, wait));
            long left = (long) (interval * 1e9) - (System.nanoTime() - start);
            if (seq + 1 < count && left > 0) {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
        if (report.received() == 0) {
            throw new PingFailedException(report.render());
        }
        return report;
    }

    @Descriptor("show the ARP table: arp -a")
    public Report arp(@Descriptor("-a") String... args) {
        requireOnlyA("arp", args);
        return new NeighborTable(false, stack.neighbors(false));
    }

    @Descriptor("show the IPv6 neighbour cache: ndp -a")
    public Report ndp(@Descriptor("-a") String... args) {
        requireOnlyA("ndp", args);
        return new NeighborTable(true, stack.neighbors(true));
    }

    @Descriptor("show an interface's driver, MAC, link state and counters")
    public Report nicinfo(@Descriptor("interface") String... args) {
        if (args.length == 0) {
            List<NicInfo> all = new ArrayList<>();
            for (InterfaceInfo i : stack.interfaces()) {
                if (i.mac() != null && !"bridge".equals(i.driver())) {
                    all.add(new NicInfo(i));
                }
            }
            return new ReportList(all, "\n");
        }
        if (args.length > 1) {
            throw new IllegalArgumentException("nicinfo: unexpected argument '" + args[1] + "'");
        }
        return new NicInfo(stack.interfaceInfo(args[0]));
    }

    @Descriptor("show network status: netstat -a [-p tcp] (connections and listeners) | -i (interface counters) | -r (routes) | -s [-p PROTO] (per-protocol statistics) | -m (frame buffers); -n is accepted and changes nothing (addresses are always numeric)")
    public Report netstat(@Descriptor("-a [-p tcp], -i, -r, -s [-p PROTO] or -m") String... given) {
        List<String> rest = new ArrayList<>();
        String proto = null;
        String[] args = splitFlags(given);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-n")) {
                continue;
            }
            if (args[i].equals("-p")) {
                if (++i >= args.length) {
                    throw new IllegalArgumentException("netstat: '-p' needs a protocol");
                }
                proto = args[i];
                continue;
            }
            rest.add(args[i]);
        }
        String mode = rest.size() == 1 ? rest.get(0) : null;
        if (proto != null && !"-s".equals(mode) && !"-a".equals(mode)) {
            throw new IllegalArgumentException("netstat: '-p " + proto + "' goes with -s or -a");
        }
        if ("-a".equals(mode)) {
            if (proto != null && !proto.equals("tcp")) {
                throw new IllegalArgumentException("netstat -a: unknown protocol '" + proto + "' (known: tcp)");
            }
            return new ConnectionTable(tcp.connections());
        }
        if ("-i".equals(mode)) {
            return new InterfaceStatistics(stack.interfaces());
        }
        if ("-r".equals(mode)) {
            return new RoutingTable(stack.routes());
        }
        if ("-s".equals(mode)) {
            List<ProtocolStatistics> all = stack.statistics();
            if (proto == null) {
                return new ProtocolReport(all);
            }
            for (ProtocolStatistics p : all) {
                if (p.protocol().equals(proto)) {
                    return new ProtocolReport(List.of(p));
                }
            }
            throw new IllegalArgumentException("netstat: unknown protocol '" + proto + "' (known: "
                    + String.join(", ", all.stream().map(ProtocolStatistics::protocol).toList()) + ")");
        }
        if ("-m".equals(mode)) {
            return new BufferReport(stack.buffers(), heapAllocatedBytes());
        }
        throw new IllegalArgumentException("netstat: use one of -a, -i, -r, -s, -m"
                + (rest.isEmpty() ? "" : " (got '" + String.join(" ", rest) + "')"));
    }

    /** BSD flags may be run together ({@code netstat -rn}): "-rn" becomes "-r", "-n". */
    private static String[] splitFlags(String[] args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (a.matches("-[a-z]{2,}")) {
                for (char c : a.substring(1).toCharArray()) {
                    out.add("-" + c);
                }
            } else {
                out.add(a);
            }
        }
        return out.toArray(new String[0]);
    }

    @Descriptor("show or change routes: route [-n] show | route add [-net|-host] [-inet|-inet6] DEST[/LEN]|default GATEWAY [-netmask MASK|-prefixlen N] | route delete DEST[/LEN]|default")
    public Report route(@Descriptor("command and arguments, NetBSD syntax") String... args) {
        int i = 0;
        while (i < args.length && args[i].equals("-n")) {
            i++;
        }
        if (i == args.length || args[i].equals("show")) {
            if (i < args.length - 1) {
                throw new IllegalArgumentException("route show: unexpected argument '" + args[i + 1] + "'");
            }
            return new RoutingTable(stack.routes());
        }
        RouteRequest r = RouteRequest.parse(args[i], Arrays.copyOfRange(args, i + 1, args.length));
        if (r.delete()) {
            stack.deleteRoute(r.destination());
        } else {
            stack.addRoute(r.destination(), r.gateway());
        }
        return new RouteChange(r);
    }

    @Descriptor("show or set the stack's tunables: sysctl [-a] | sysctl [-d] NAME... | sysctl [-w] NAME=VALUE...; a name that ends in '.' shows the whole subtree")
    public Report sysctl(@Descriptor("names, or NAME=VALUE to set") String... args) {
        boolean describe = false;
        List<String> names = new ArrayList<>();
        for (String a : args) {
            switch (a) {
                case "-a", "-w", "-n" -> { }
                case "-d" -> describe = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("sysctl: unknown option '" + a + "'");
                    }
                    names.add(a);
                }
            }
        }
        List<Tunable> all = stack.tunables();
        if (names.isEmpty()) {
            return new SysctlReport(all, null, describe);
        }
        List<String> sets = names.stream().filter(n -> n.contains("=")).toList();
        if (!sets.isEmpty()) {
            if (sets.size() != names.size() || describe) {
                throw new IllegalArgumentException("sysctl: either show names or set NAME=VALUE, not both");
            }
            return setTunables(all, sets);
        }
        List<Tunable> shown = new ArrayList<>();
        for (String n : names) {
            List<Tunable> match = all.stream()
                    .filter(t -> t.name().equals(n) || (n.endsWith(".") ? t.name().startsWith(n)
                            : t.name().startsWith(n + ".")))
                    .toList();
            if (match.isEmpty()) {
                throw new IllegalArgumentException("sysctl: unknown tunable '" + n + "' (sysctl -a lists them)");
            }
            shown.addAll(match);
        }
        return new SysctlReport(shown, null, describe);
    }

    static final String IMPAIR_USAGE = "impair IF [loss PCT] [duplicate PCT] [reorder PCT] [delay MS] [corrupt PCT]"
            + " | impair IF off | impair IF";

    @Descriptor("fault injection on an interface's receive and transmit: " + IMPAIR_USAGE
            + " (percentages per frame; a reordered frame is held 1 ms past the delay; 'off' removes it; alone, shows"
            + " what it did)")
    public Report impair(@Descriptor("interface, then settings") String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("impair: missing interface (usage: " + IMPAIR_USAGE + ")");
        }
        String ifName = args[0];
        stack.interfaceInfo(ifName); // names an unknown interface first
        if (args.length == 1) {
            return new ImpairReport(ifName, stack.impairment(ifName));
        }
        if (args.length == 2 && args[1].equals("off")) {
            stack.setImpairment(ifName, new Impairment(0, 0, 0, 0, 0));
            return new ImpairReport(ifName, null);
        }
        double loss = 0;
        double duplicate = 0;
        double reorder = 0;
        long delay = 0;
        double corrupt = 0;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "loss" -> loss = percentArg(args, ++i, "loss");
                case "duplicate" -> duplicate = percentArg(args, ++i, "duplicate");
                case "reorder" -> reorder = percentArg(args, ++i, "reorder");
                case "corrupt" -> corrupt = percentArg(args, ++i, "corrupt");
                case "delay" -> delay = intArg(args, ++i, "delay", 0, 10_000);
                default -> throw new IllegalArgumentException("impair: unknown setting '" + args[i] + "' (usage: "
                        + IMPAIR_USAGE + ")");
            }
        }
        stack.setImpairment(ifName, new Impairment(loss, duplicate, reorder, delay, corrupt));
        return new ImpairReport(ifName, stack.impairment(ifName));
    }

    private static double percentArg(String[] args, int i, String flag) {
        String v = stringArg(args, i, flag);
        try {
            double d = Double.parseDouble(v);
            if (!(d >= 0 && d <= 100)) {
                throw new IllegalArgumentException("value '" + v + "' of " + flag + " out of range 0..100");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value '" + v + "' of " + flag + " is not a number");
        }
    }

    /** Parses every NAME=VALUE, then has the stack set them all or none. */
    private Report setTunables(List<Tunable> all, List<String> sets) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String s : sets) {
            String name = s.substring(0, s.indexOf('='));
            String text = s.substring(s.indexOf('=') + 1);
            Tunable t = all.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (t != null && !t.symbols().isEmpty()) {
                int i = t.symbols().indexOf(text);
                if (i < 0) {
                    throw new IllegalArgumentException("sysctl: bad value '" + text + "' for '" + name + "' (one of "
                            + String.join(", ", t.symbols()) + ")");
                }
                values.put(name, (long) i);
                continue;
            }
            try {
                values.put(name, Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sysctl: bad value '" + text + "' for '" + name + "' (a whole number)");
            }
        }
        List<Tunable> after;
        try {
            after = stack.setTunables(values);
        } catch (IllegalArgumentException e) {
            // The hint is for a name the stack does not have: known from the list, not from the message's wording.
            boolean unknownName = values.keySet().stream().anyMatch(n -> all.stream().noneMatch(t -> t.name().equals(n)));
            throw new IllegalArgumentException("sysctl: " + e.getMessage() + (unknownName ? " (sysctl -a lists them)" : ""),
                    e);
        }
        List<Tunable> before = after.stream()
                .map(t -> all.stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow()).toList();
        return new SysctlReport(after, before, false);
    }

    /**
     * Bytes the JVM has allocated on the heap so far, all threads together
     * (HotSpot's TotalThreadAllocatedBytes), or -1 where the JVM does not say:
     * the benchmark divides its growth by the frames forwarded. Read through
     * JMX by name, so the bundle needs no com.sun.management import.
     */
    static long heapAllocatedBytes() {
        try {
            Object v = java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new javax.management.ObjectName("java.lang:type=Threading"), "TotalThreadAllocatedBytes");
            return v instanceof Long l ? l : -1;
        } catch (javax.management.JMException | RuntimeException e) {
            return -1;
        }
    }

    @Descriptor("send synthetic frames: pktgen [-s BYTES] [-n FRAMES] [-b BATCH] [-r MPPS] [-4 SRC DST] IF DSTMAC (60 bytes = a 64-byte frame with FCS; -r: offer at most MPPS million frames a second; -4: IPv4/UDP from SRC to DST, for a router to forward)")
    public Report pktgen(@Descriptor("options, interface and destination MAC") String... args) {
        int size = 60;
        long count = 1_000_000;
        int batch = 32;
        double mpps = 0;
        InetAddress src = null;
        InetAddress dstIp = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-s" -> size = intArg(args, ++i, "-s", 14, 9000);
                case "-n" -> count = intArg(args, ++i, "-n", 1, Integer.MAX_VALUE);
                case "-b" -> batch = intArg(args, ++i, "-b", 1, 256);
                case "-r" -> {
                    mpps = doubleArg(args, ++i, "-r");
                    if (!(mpps > 0 && mpps <= 1000)) {
                        throw new IllegalArgumentException("pktgen: -r " + args[i] + " out of range (0, 1000] Mpps");
                    }
                }
                case "-4" -> {
                    src = UdpFrame.v4("pktgen", stringArg(args, ++i, "-4"));
                    dstIp = UdpFrame.v4("pktgen", stringArg(args, ++i, "-4"));
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        throw new IllegalArgumentException("pktgen: unknown option '" + args[i] + "'");
                    }
                    rest.add(args[i]);
                }
            }
        }
        if (rest.size() != 2) {
            throw new IllegalArgumentException("pktgen: usage: pktgen [-s BYTES] [-n FRAMES] [-b BATCH] [-r MPPS] [-4 SRC DST] IF DSTMAC");
        }
        MacAddress dst;
        try {
            dst = MacAddress.parse(rest.get(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pktgen: " + e.getMessage());
        }
        String ifName = rest.get(0);
        byte[] frame = src == null ? null : UdpFrame.ipv4(dst, stack.interfaceInfo(ifName).mac(), src, dstIp, size);
        int frameBytes = size;
        int b = batch;
        java.util.function.LongFunction<PacketGenerator.Result> send = n -> frame != null
                ? generator.transmit(ifName, frame, n, b) : generator.transmit(ifName, dst, frameBytes, n, b);
        return new PktgenReport(ifName, size, mpps > 0 ? paced(send, count, batch, mpps) : send.apply(count));
    }

    /**
     * Offers {@code count} frames at {@code mpps} at most: chunks of a few
     * batches, each sent when the schedule says (RFC 2544's offered load), the
     * generator's back-pressure still applying within a chunk.
     */
    static PacketGenerator.Result paced(java.util.function.LongFunction<PacketGenerator.Result> send, long count,
            int batch, double mpps) {
        long chunk = Math.max(batch, (long) (mpps * 100)); // 100 µs of frames
        double nanosPerFrame = 1000 / mpps;
        long start = System.nanoTime();
        long offered = 0;
        long noBuffer = 0;
        for (long done = 0; done < count; ) {
            long due = start + (long) (done * nanosPerFrame);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 200_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait - 100_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            PacketGenerator.Result r = send.apply(Math.min(chunk, count - done));
            offered += r.offered();
            noBuffer += r.noBuffer();
            done += r.offered() + r.noBuffer();
        }
        return new PacketGenerator.Result(offered, noBuffer, System.nanoTime() - start);
    }

    @Descriptor("capture frames: tcpdump -i IF [-c COUNT] [-w FILE] [-t SECONDS]; stops after COUNT frames or SECONDS (default 10)")
    public Report tcpdump(@Descriptor("options") String... args) throws InterruptedException, IOException {
        String ifName = null;
        long count = Long.MAX_VALUE;
        String file = null;
        double seconds = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-i" -> ifName = stringArg(args, ++i, "-i");
                case "-c" -> count = intArg(args, ++i, "-c", 1, Integer.MAX_VALUE);
                case "-w" -> file = stringArg(args, ++i, "-w");
                case "-t" -> seconds = doubleArg(args, ++i, "-t");
                default -> throw new IllegalArgumentException("tcpdump: unknown argument '" + args[i] + "'");
            }
        }
        if (ifName == null) {
            throw new IllegalArgumentException("tcpdump: -i IF is required");
        }
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<String> lines = new ArrayList<>();
        long captured = 0;
        stack.interfaceInfo(ifName); // an unknown interface is named before any file is made
        java.io.OutputStream sink = null;
        if (file != null) {
            try {
                sink = Files.newOutputStream(Path.of(file));
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("tcpdump: cannot write '" + file + "': " + switch (e) {
                    case java.nio.file.NoSuchFileException x -> "its folder does not exist";
                    case java.nio.file.AccessDeniedException x -> "permission denied";
                    case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
                    default -> e.getMessage();
                }, e);
            }
        }
        try (java.io.OutputStream opened = sink;
             PacketCapture.Session s = capture.start(ifName, count);
             PcapWriter pcap = opened == null ? null : new PcapWriter(new BufferedOutputStream(opened))) {
            while (captured < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                PacketCapture.Frame f = s.next(Duration.ofNanos(left));
                if (f == null) {
                    break;
                }
                captured++;
                if (pcap != null) {
                    pcap.write(f.epochMicros(), f.bytes(), f.bytes().length);
                } else {
                    lines.add(FrameSummary.line(f.epochMicros(), f.outbound(), f.bytes()));
                }
            }
            return new CaptureReport(lines, captured, file, s.dropped());
        }
    }

    static String stringArg(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option '" + flag + "' needs a value");
        }
        return args[i];
    }

    @Descriptor("list known drivers and running driver instances")
    public Report drivers() {
        return new DriverListing(drivers.known(), drivers.available(), drivers.instances());
    }

    @Descriptor("start a driver on the running stack: mount [-T io-pkt] [-o OPTIONS] DRIVER [OPTIONS]")
    public Report mount(@Descriptor("driver and options") String... args) {
        List<String> rest = new ArrayList<>();
        String options = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-T" -> {
                    if (++i >= args.length || !args[i].startsWith("io-pkt")) {
                        throw new IllegalArgumentException("mount: -T must be io-pkt");
                    }
                }
                case "-o" -> {
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("mount: -o needs options");
                    }
                    options = args[i];
                }
                default -> rest.add(args[i]);
            }
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("mount: missing driver name");
        }
        List<String> line = new ArrayList<>(List.of("-d", rest.get(0)));
        if (options != null) {
            line.add(options);
        }
        line.addAll(rest.subList(1, rest.size()));
        List<DriverSpec> specs = IoPktCommandLine.parse(line).drivers();
        List<String> ifs = drivers.start(specs, Duration.ofSeconds(10));
        List<InterfaceInfo> infos = new ArrayList<>();
        for (String i : ifs) {
            infos.add(stack.interfaceInfo(i));
        }
        return new InterfaceList(infos);
    }

    @Descriptor("remove a driver's interface, or stop a driver instance: umount IF | umount INSTANCE (an instance's"
            + " last interface stops it; one of several goes alone if its driver can, else it is refused)")
    public Report umount(@Descriptor("interface or instance id") String target) {
        return remove("umount", target);
    }

    /** Removes an interface or stops an instance, and says what went. */
    private Report remove(String command, String target) {
        List<DriverManager.InstanceInfo> before = drivers.instances();
        try {
            drivers.stop(target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(command + ": " + e.getMessage(), e);
        }
        return new UmountReport(command, target, before, drivers.instances());
    }

    private static void requireOnlyA(String cmd, String[] args) {
        for (String a : args) {
            if (!a.equals("-a")) {
                throw new IllegalArgumentException(cmd + ": unknown argument '" + a + "'");
            }
        }
    }

    static int intArg(String[] args, int i, String flag, int min, int max) {
        try {
            int v = Integer.parseInt(stringArg(args, i, flag));
            if (v < min || v > max) {
                throw new IllegalArgumentException("value '" + args[i] + "' of " + flag + " out of range " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value '" + args[i] + "' of " + flag + " is not a number");
        }
    }

    private static double doubleArg(String[] args, int i, String flag) {
        try {
            double v = Double.parseDouble(stringArg(args, i, flag));
            if (!(v >= 0.0 && v <= 3600)) {
                throw new IllegalArgumentException("value '" + args[i] + "' of " + flag + " out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value '" + args[i] + "' of " + flag + " is not a number");
        }
    }

    /** Numeric addresses only: the stack has no resolver, and a name must not trigger a host DNS lookup. */
    /** A numeric address; errors start with {@code command} (ping, udp, route). */
    static InetAddress numeric(String command, String host) {
        if (!(host.indexOf(':') >= 0 || host.matches("[0-9.]+"))) {
            throw new IllegalArgumentException(command + ": '" + host + "' is not a numeric IPv4 or IPv6 address");
        }
        try {
            return InetAddress.ofLiteral(host); // never a DNS lookup, even for a typo such as 10.0.0.256
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(command + ": malformed address '" + host + "'");
        }
    }
}
