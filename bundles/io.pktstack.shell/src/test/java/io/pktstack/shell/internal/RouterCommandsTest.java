package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.router.Autoconfiguration;
import io.pktstack.api.router.DhcpBinding;
import io.pktstack.api.router.DhcpClient;
import io.pktstack.api.router.DhcpLease;
import io.pktstack.api.router.DhcpPool;
import io.pktstack.api.router.DhcpServer;
import io.pktstack.api.router.PacketFilter;
import io.pktstack.api.router.PfState;
import io.pktstack.api.router.PfStatus;
import io.pktstack.api.router.Router;
import io.pktstack.api.router.RouterAdvertisements;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pfctl}, {@code dhcpd}, {@code dhcpcd} and {@code rtadvd}: the lines
 * they accept, the calls they make in which order, the layouts they print,
 * and the refusals that name the bad token with nothing called.
 */
class RouterCommandsTest {

    final List<String> calls = new ArrayList<>();
    final List<String> rtadvdOn = new ArrayList<>();

    @SuppressWarnings("unchecked")
    <T> T recorder(Class<T> type, java.util.function.Function<String, Object> answers) {
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            Object[] a = args == null ? new Object[0] : args;
            StringBuilder call = new StringBuilder(m.getName());
            Arrays.stream(a).forEach(x -> call.append(' ').append(x instanceof InetAddress i ? i.getHostAddress()
                    : x instanceof String s && s.length() > 40 ? "<text>" : x));
            calls.add(call.toString());
            return answers.apply(m.getName());
        });
    }

    final PacketFilter pf = recorder(PacketFilter.class, m -> switch (m) {
        case "rules", "load", "check" -> List.of("nat on wm0 inet from 10.10.0.0/24 to any -> (wm0)");
        case "states" -> List.of(new PfState("nat", "wm0", "udp", ip("10.10.0.11"), 5000, ip("192.0.2.1"), 50001,
                ip("192.0.2.9"), 53, "MULTIPLE:SINGLE", 65, 55, 4, 300));
        case "status" -> new PfStatus(true, 1, 10000, Map.of("current entries", 1L), Map.of("udp.first", 60L));
        case "flushStates" -> 3;
        default -> null;
    });
    final DhcpServer dhcpd = recorder(DhcpServer.class, m -> switch (m) {
        case "pools" -> List.of(new DhcpPool("bridge0", ip("10.10.0.100"), ip("10.10.0.150"), null, List.of(ip("10.10.0.1")),
                600, Map.of(MacAddress.parse("52:54:00:00:00:01"), ip("10.10.0.10"))));
        case "leases" -> List.of(new DhcpLease("bridge0", MacAddress.parse("52:54:00:00:00:02"), ip("10.10.0.100"),
                Instant.ofEpochSecond(1_800_000_000L), DhcpLease.State.ACTIVE));
        default -> null;
    });
    final DhcpClient dhcpcd = recorder(DhcpClient.class, m -> m.equals("bindings") ? List.of(new DhcpBinding("vt0",
            "BOUND", ip("10.10.0.100"), 24, ip("10.10.0.1"), ip("10.10.0.1"), List.of(), 600, 590, 290)) : null);
    final RouterAdvertisements rtadvd = (RouterAdvertisements) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {RouterAdvertisements.class}, (p, m, args) -> {
                calls.add(m.getName() + (args == null ? "" : " " + args[0]));
                switch (m.getName()) {
                    case "start" -> {
                        if (args[0].equals("vp9")) {
                            throw new IllegalArgumentException("rtadvd: no interface 'vp9'");
                        }
                        rtadvdOn.add((String) args[0]);
                    }
                    case "stop" -> rtadvdOn.remove(args[0]);
                    default -> {
                        return List.copyOf(rtadvdOn);
                    }
                }
                return null;
            });
    final Autoconfiguration rtsol = recorder(Autoconfiguration.class, m -> List.of());
    final RouterCommands commands = new RouterCommands((Router) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Router.class}, (p, m, a) -> switch (m.getName()) {
                case "dhcpServer" -> dhcpd;
                case "dhcpClient" -> dhcpcd;
                case "packetFilter" -> pf;
                case "autoconfiguration" -> rtsol;
                default -> rtadvd;
            }));

    static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Test
    void pfctlLoadsThenEnablesAndShowsWhatItWasAsked(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("pf.conf");
        Files.writeString(conf, "nat on wm0 from 10.10.0.0/24 to any -> (wm0)\n");
        String out = commands.pfctl("-ef", conf.toString(), "-s", "nat").render();
        assertEquals(List.of("load <text> " + conf, "enable true", "rules"), calls);
        assertEquals("pf enabled\nnat on wm0 inet from 10.10.0.0/24 to any -> (wm0)\n", out);
    }

    @Test
    void pfctlShowsStatesInfoAndFlushes() throws Exception {
        assertEquals("""
                wm0 udp 192.0.2.1:50001 (10.10.0.11:5000) -> 192.0.2.9:53       MULTIPLE:SINGLE
                   age 00:01:05, expires in 00:00:55, 4:300 pkts:bytes, rule nat
                """, commands.pfctl("-ss").render());
        String info = commands.pfctl("-s", "info").render();
        assertTrue(info.startsWith("Status: Enabled\n"), info);
        assertTrue(info.contains("current entries"), info);
        assertEquals("udp.first               60s\n", commands.pfctl("-s", "timeouts").render());
        assertEquals("3 states cleared\n", commands.pfctl("-F", "states").render());
    }

    @Test
    void pfctlChecksWithoutLoading(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("pf.conf");
        Files.writeString(conf, "nat on wm0 from 10.10.0.0/24 to any -> (wm0)\n");
        String out = commands.pfctl("-nf", conf.toString()).render();
        assertEquals(List.of("check <text> " + conf), calls);
        assertTrue(out.endsWith("pf.conf: 1 rules, syntax ok (not loaded)\n"), out);
    }

    @Test
    void pfctlRefusesBadLinesBeforeCallingAnything() {
        String[][] cases = {
            {"unknown flag '-x'", "-x"},
            {"'-f' needs an argument", "-f"},
            {"cannot show 'everything'", "-s", "everything"},
            {"cannot flush 'tables'", "-F", "tables"},
            {"'-e' and '-d' together", "-e", "-d"},
            {"unexpected argument 'pf.conf'", "pf.conf"},
            {"/no/such/pf.conf: No such file", "-f", "/no/such/pf.conf"},
            {"'-n' checks a file", "-n"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> commands.pfctl(Arrays.copyOfRange(c, 1, c.length)));
            assertTrue(e.getMessage().contains(c[0]), e.getMessage());
        }
        assertEquals(List.of(), calls);
    }

    @Test
    void dhcpdRangeWithRouterDnsAndLease() {
        commands.dhcpd("bridge0", "range", "10.10.0.100", "10.10.0.150", "router", "10.10.0.254", "dns", "10.10.0.1",
                "192.0.2.53", "lease", "600");
        assertEquals("serve DhcpPool[ifName=bridge0, first=/10.10.0.100, last=/10.10.0.150, router=/10.10.0.254, "
                + "dns=[/10.10.0.1, /192.0.2.53], leaseSeconds=600, statics={}]", calls.get(0));
    }

    @Test
    void dhcpdDefaultsToAnHourAndPrintsWhatItServes() {
        String out = commands.dhcpd("bridge0", "range", "10.10.0.100", "10.10.0.150").render();
        assertTrue(calls.get(0).contains("leaseSeconds=3600"), calls.get(0));
        assertEquals("""
                dhcpd bridge0 range 10.10.0.100 10.10.0.150 dns 10.10.0.1 lease 600
                dhcpd bridge0 static 52:54:00:00:00:01 10.10.0.10
                """, out);
    }

    @Test
    void dhcpdStaticOffAndLeases() {
        commands.dhcpd("bridge0", "static", "52:54:00:00:00:01", "10.10.0.10");
        commands.dhcpd("bridge0", "off");
        assertEquals(List.of("bind bridge0 52:54:00:00:00:01 10.10.0.10", "pools", "stop bridge0"), calls);
        assertEquals("""
                Interface  MAC               IP              State     Ends (UTC)
                bridge0    52:54:00:00:00:02 10.10.0.100     active    2027-01-15 08:00:00
                """, commands.dhcpd("-l").render());
    }

    @Test
    void dhcpdRefusesNamingTheToken() {
        String[][] cases = {
            {"unknown keyword 'rang'", "bridge0", "rang", "10.10.0.1", "10.10.0.9"},
            {"unknown keyword 'gateway'", "bridge0", "range", "10.10.0.1", "10.10.0.9", "gateway", "10.10.0.254"},
            {"'router' needs an address", "bridge0", "range", "10.10.0.1", "10.10.0.9", "router"},
            {"'dns' needs at least one address", "bridge0", "range", "10.10.0.1", "10.10.0.9", "dns", "lease", "60"},
            {"malformed address '10.10.0.300'", "bridge0", "range", "10.10.0.300", "10.10.0.9"},
            {"'fd00::1' is not an IPv4 address", "bridge0", "range", "fd00::1", "10.10.0.9"},
            {"value '5' of lease out of range", "bridge0", "range", "10.10.0.1", "10.10.0.9", "lease", "5"},
            {"'52:54' is not a MAC address", "bridge0", "static", "52:54", "10.10.0.10"},
            {"missing range, static or off", "bridge0"},
            {"unknown flag '-x'", "-x"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> commands.dhcpd(Arrays.copyOfRange(c, 1, c.length)));
            assertTrue(e.getMessage().contains(c[0]), e.getMessage() + " / " + c[0]);
        }
        assertEquals(List.of(), calls);
    }

    @Test
    void dhcpcdWaitsForTheLeaseAndReleasesIt() throws Exception {
        assertEquals("""
                vt0: leased 10.10.0.100/24 for 600 seconds from 10.10.0.1
                vt0: adding default route via 10.10.0.1
                """, commands.dhcpcd("vt0").render());
        assertEquals("vt0: releasing lease of 10.10.0.100\n", commands.dhcpcd("-k", "vt0").render());
        assertEquals(List.of("start vt0", "bindings", "bindings", "release vt0"), calls);
        assertTrue(commands.dhcpcd("-U", "vt0").render().contains("ip_address=10.10.0.100\nsubnet_cidr=24\n"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.dhcpcd("-q", "vt0")).getMessage()
                .contains("unexpected argument '-q'"));
    }

    @Test
    void rtsolSolicitsOnEachInterfaceNamed() {
        assertEquals("rtsol: vt0: soliciting router advertisements\n", commands.rtsol("vt0").render());
        assertEquals(List.of("solicit vt0"), calls);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.rtsol("-a")).getMessage()
                .contains("unknown flag '-a'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> commands.rtsol()).getMessage()
                .contains("name an interface"));
    }

    @Test
    void rtadvdStartsAllOrNone() {
        commands.rtadvd("bridge0");
        assertEquals("rtadvd: advertising on bridge0\n", commands.rtadvd().render());
        assertThrows(IllegalArgumentException.class, () -> commands.rtadvd("vp0", "vp9"));
        assertEquals(List.of("bridge0"), rtadvdOn, "vp0 was started, then stopped again");
        commands.rtadvd("bridge0", "off");
        assertEquals(List.of(), rtadvdOn);
    }
}
