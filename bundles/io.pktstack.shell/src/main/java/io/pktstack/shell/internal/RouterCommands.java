package io.pktstack.shell.internal;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.router.DhcpBinding;
import io.pktstack.api.router.DhcpPool;
import io.pktstack.api.router.PacketFilter;
import io.pktstack.api.router.Router;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The router's commands, with the names and syntax of the BSD tools an
 * io-pkt user knows: {@code pfctl}, {@code dhcpd}, {@code dhcpcd},
 * {@code rtadvd}, {@code rtsol}. Each checks its whole line before changing anything and
 * names the bad token when it refuses.
 */
@Component(service = RouterCommands.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=pfctl",
        "osgi.command.function=dhcpd",
        "osgi.command.function=dhcpcd",
        "osgi.command.function=rtadvd",
        "osgi.command.function=rtsol"})
public final class RouterCommands {

    static final String PFCTL = "pfctl [-e] [-d] [-n] [-f FILE] [-F states|rules|all] [-s rules|nat|state|info|timeouts|memory|all]";
    static final String DHCPD = "dhcpd IF range START END [router ADDR] [dns ADDR...] [lease SECONDS] | dhcpd IF static MAC ADDR"
            + " | dhcpd IF off | dhcpd -l | dhcpd";
    static final String DHCPCD = "dhcpcd [-b] [-t SECONDS] IF | dhcpcd -k IF | dhcpcd -U [IF]";
    static final String RTADVD = "rtadvd IF... | rtadvd IF off | rtadvd [-l]";
    static final String RTSOL = "rtsol IF...";
    /** Lease time when {@code dhcpd ... range} names none (libvirt's default network: one hour). */
    static final long DEFAULT_LEASE = 3600;

    private final Router router;

    @Activate
    public RouterCommands(@Reference Router router) {
        this.router = router;
    }

    // ---- pfctl ------------------------------------------------------------------------

    @Descriptor("control pf (address translation and port forwarding): " + PFCTL)
    public Report pfctl(@Descriptor("flags, pfctl(8) syntax") String... args) throws IOException {
        boolean enable = false;
        boolean disable = false;
        boolean check = false;
        String file = null;
        List<String> flush = new ArrayList<>();
        List<String> show = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.length() < 2) {
                throw new IllegalArgumentException("pfctl: unexpected argument '" + a + "' (usage: " + PFCTL + ")");
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                switch (c) {
                    case 'e' -> enable = true;
                    case 'd' -> disable = true;
                    case 'n' -> check = true;
                    case 'f', 'F', 's' -> {
                        String v = k + 1 < a.length() ? a.substring(k + 1) : ++i < args.length ? args[i] : null;
                        if (v == null) {
                            throw new IllegalArgumentException("pfctl: '-" + c + "' needs an argument (usage: " + PFCTL + ")");
                        }
                        k = a.length();
                        if (c == 'f') {
                            file = v;
                        } else if (c == 'F') {
                            flush.add(flushWhat(v));
                        } else {
                            show.add(showWhat(v));
                        }
                    }
                    default -> throw new IllegalArgumentException("pfctl: unknown flag '-" + c + "' (usage: " + PFCTL + ")");
                }
            }
        }
        if (enable && disable) {
            throw new IllegalArgumentException("pfctl: '-e' and '-d' together");
        }
        if (check && file == null) {
            throw new IllegalArgumentException("pfctl: '-n' checks a file: give it with '-f FILE'");
        }
        String text = file == null ? null : read(file);
        PacketFilter pf = router.packetFilter();
        List<String> out = new ArrayList<>();
        // pfctl's order: disable, flush, load, enable, show.
        if (disable) {
            pf.enable(false);
            out.add("pf disabled");
        }
        for (String f : flush) {
            if (f.equals("rules") || f.equals("all")) {
                pf.load("", "(flush)");
                out.add("rules cleared");
            }
            if (f.equals("states") || f.equals("all")) {
                out.add(pf.flushStates() + " states cleared");
            }
        }
        if (text != null) {
            if (check) {
                List<String> rules = pf.check(text, file);
                out.addAll(rules);
                out.add(file + ": " + rules.size() + " rules, syntax ok (not loaded)");
            } else {
                pf.load(text, file);
            }
        }
        if (enable) {
            pf.enable(true);
            out.add("pf enabled");
        }
        for (String s : show) {
            Report r = switch (s) {
                case "rules" -> new TextReport(pf.rules());
                case "nat" -> new TextReport(pf.rules().stream().filter(l -> l.startsWith("nat ") || l.startsWith("rdr ")).toList());
                case "state" -> new PfStatesReport(pf.states());
                case "all" -> new ReportList(List.of(new TextReport(pf.rules()), new PfStatesReport(pf.states()),
                        new PfInfoReport(pf.status(), "info"), new PfInfoReport(pf.status(), "timeouts"),
                        new PfInfoReport(pf.status(), "memory")), "\n");
                default -> new PfInfoReport(pf.status(), s);
            };
            out.addAll(r.render().lines().toList());
        }
        return new TextReport(out);
    }

    private static String flushWhat(String v) {
        return switch (v) {
            case "states", "state", "s" -> "states";
            case "rules", "nat", "r", "n" -> "rules";
            case "all", "a" -> "all";
            default -> throw new IllegalArgumentException("pfctl: cannot flush '" + v + "' (states, rules, all)");
        };
    }

    private static String showWhat(String v) {
        return switch (v) {
            case "rules", "r" -> "rules";
            case "nat", "n" -> "nat";
            case "state", "states", "s" -> "state";
            case "info", "i" -> "info";
            case "timeouts", "t" -> "timeouts";
            case "memory", "m" -> "memory";
            case "all", "a" -> "all";
            default -> throw new IllegalArgumentException(
                    "pfctl: cannot show '" + v + "' (rules, nat, state, info, timeouts, memory, all)");
        };
    }

    private static String read(String file) throws IOException {
        try {
            return Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("pfctl: " + file + ": No such file or directory");
        }
    }

    // ---- dhcpd --------------------------------------------------------------------------

    @Descriptor("the DHCP server: " + DHCPD)
    public Report dhcpd(@Descriptor("interface and settings") String... args) {
        if (args.length == 0) {
            return new DhcpPoolList(router.dhcpServer().pools());
        }
        if (args.length == 1 && args[0].equals("-l")) {
            return new DhcpLeaseList(router.dhcpServer().leases());
        }
        String ifName = args[0];
        if (ifName.startsWith("-")) {
            throw new IllegalArgumentException("dhcpd: unknown flag '" + ifName + "' (usage: " + DHCPD + ")");
        }
        if (args.length < 2) {
            throw new IllegalArgumentException("dhcpd: " + ifName + ": missing range, static or off (usage: " + DHCPD + ")");
        }
        switch (args[1]) {
            case "off" -> {
                if (args.length > 2) {
                    throw new IllegalArgumentException("dhcpd: unexpected argument '" + args[2] + "'");
                }
                router.dhcpServer().stop(ifName);
                return TextReport.of("dhcpd: " + ifName + ": off");
            }
            case "static" -> {
                if (args.length != 4) {
                    throw new IllegalArgumentException("dhcpd: static needs MAC ADDR (usage: " + DHCPD + ")");
                }
                MacAddress mac;
                try {
                    mac = MacAddress.parse(args[2]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("dhcpd: '" + args[2] + "' is not a MAC address");
                }
                router.dhcpServer().bind(ifName, mac, v4(args[3]));
            }
            case "range" -> router.dhcpServer().serve(range(ifName, args));
            default -> throw new IllegalArgumentException("dhcpd: unknown keyword '" + args[1] + "' (range, static, off)");
        }
        return new DhcpPoolList(router.dhcpServer().pools().stream().filter(p -> p.ifName().equals(ifName)).toList());
    }

    private static DhcpPool range(String ifName, String[] args) {
        if (args.length < 4) {
            throw new IllegalArgumentException("dhcpd: range needs START END (usage: " + DHCPD + ")");
        }
        InetAddress first = v4(args[2]);
        InetAddress last = v4(args[3]);
        InetAddress routerAddress = null;
        List<InetAddress> dns = new ArrayList<>();
        long lease = DEFAULT_LEASE;
        for (int i = 4; i < args.length; i++) {
            switch (args[i]) {
                case "router" -> {
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("dhcpd: 'router' needs an address");
                    }
                    routerAddress = v4(args[i]);
                }
                case "dns" -> {
                    while (i + 1 < args.length && !List.of("router", "dns", "lease").contains(args[i + 1])) {
                        dns.add(v4(args[++i]));
                    }
                    if (dns.isEmpty()) {
                        throw new IllegalArgumentException("dhcpd: 'dns' needs at least one address");
                    }
                }
                case "lease" -> lease = NetCommands.intArg(args, ++i, "lease", 10, Integer.MAX_VALUE);
                default -> throw new IllegalArgumentException("dhcpd: unknown keyword '" + args[i] + "' (router, dns, lease)");
            }
        }
        return new DhcpPool(ifName, first, last, routerAddress, dns, lease, Map.of());
    }

    private static InetAddress v4(String s) {
        InetAddress a = NetCommands.numeric("dhcpd", s);
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("dhcpd: '" + s + "' is not an IPv4 address");
        }
        return a;
    }

    // ---- dhcpcd -------------------------------------------------------------------------

    @Descriptor("the DHCP client: " + DHCPCD + "; waits for a lease unless -b (default timeout 30 s)")
    public Report dhcpcd(@Descriptor("flags and interface") String... args) throws InterruptedException {
        boolean background = false;
        boolean release = false;
        boolean dump = false;
        int timeout = 30;
        String ifName = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-b" -> background = true;
                case "-k" -> release = true;
                case "-U" -> dump = true;
                case "-t" -> timeout = NetCommands.intArg(args, ++i, "-t", 1, 3600);
                default -> {
                    if (args[i].startsWith("-") || ifName != null) {
                        throw new IllegalArgumentException("dhcpcd: unexpected argument '" + args[i] + "' (usage: " + DHCPCD + ")");
                    }
                    ifName = args[i];
                }
            }
        }
        if (dump) {
            String only = ifName;
            return new DhcpcdReport(router.dhcpClient().bindings().stream()
                    .filter(b -> only == null || b.ifName().equals(only)).toList());
        }
        if (ifName == null) {
            throw new IllegalArgumentException("dhcpcd: name an interface (usage: " + DHCPCD + ")");
        }
        if (release) {
            DhcpBinding b = binding(ifName);
            router.dhcpClient().release(ifName);
            return TextReport.of(ifName + ": " + (b != null && b.address() != null
                    ? "releasing lease of " + b.address().getHostAddress() : "stopped (no lease)"));
        }
        router.dhcpClient().start(ifName);
        if (background) {
            return TextReport.of(ifName + ": soliciting a DHCP lease (in the background)");
        }
        long deadline = System.nanoTime() + timeout * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            DhcpBinding b = binding(ifName);
            if (b != null && b.state().equals("BOUND")) {
                List<String> out = new ArrayList<>();
                out.add(ifName + ": leased " + b.address().getHostAddress() + "/" + b.prefixLength() + " for "
                        + b.leaseSeconds() + " seconds from " + b.server().getHostAddress());
                if (b.router() != null) {
                    out.add(ifName + ": adding default route via " + b.router().getHostAddress());
                }
                return new TextReport(out);
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("dhcpcd: " + ifName + ": timed out after " + timeout
                + " s without a lease (still trying in the background)");
    }

    private DhcpBinding binding(String ifName) {
        for (DhcpBinding b : router.dhcpClient().bindings()) {
            if (b.ifName().equals(ifName)) {
                return b;
            }
        }
        return null;
    }

    // ---- rtsol --------------------------------------------------------------------------

    @Descriptor("solicit router advertisements and take an address per advertised /64 and a default router from them (SLAAC): "
            + RTSOL)
    public Report rtsol(@Descriptor("interfaces") String... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("rtsol: name an interface (usage: " + RTSOL + ")");
        }
        for (String a : args) {
            if (a.startsWith("-")) {
                throw new IllegalArgumentException("rtsol: unknown flag '" + a + "' (usage: " + RTSOL + ")");
            }
        }
        List<String> out = new ArrayList<>();
        for (String a : args) {
            router.autoconfiguration().solicit(a);
            out.add("rtsol: " + a + ": soliciting router advertisements");
        }
        return new TextReport(out);
    }

    // ---- rtadvd -------------------------------------------------------------------------

    @Descriptor("router advertisements for SLAAC: " + RTADVD)
    public Report rtadvd(@Descriptor("interfaces, or IF off") String... args) {
        if (args.length == 0 || (args.length == 1 && args[0].equals("-l"))) {
            List<String> on = router.routerAdvertisements().interfaces();
            return TextReport.of(on.isEmpty() ? "rtadvd: advertising on no interface" : "rtadvd: advertising on "
                    + String.join(" ", on));
        }
        if (args.length == 2 && args[1].equals("off")) {
            router.routerAdvertisements().stop(args[0]);
            return TextReport.of("rtadvd: " + args[0] + ": off (router lifetime 0 advertised)");
        }
        Map<String, Boolean> started = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("-") || a.equals("off")) {
                throw new IllegalArgumentException("rtadvd: unexpected argument '" + a + "' (usage: " + RTADVD + ")");
            }
        }
        try {
            for (String a : args) {
                router.routerAdvertisements().start(a);
                started.put(a, true);
            }
        } catch (IllegalArgumentException e) {
            for (String s : started.keySet()) { // all or none
                router.routerAdvertisements().stop(s);
            }
            throw e;
        }
        return TextReport.of("rtadvd: advertising on " + String.join(" ", router.routerAdvertisements().interfaces()));
    }
}
