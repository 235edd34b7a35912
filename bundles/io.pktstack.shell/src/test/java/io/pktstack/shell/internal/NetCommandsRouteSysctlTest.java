package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.ProtocolStatistics;
import io.pktstack.api.stack.RouteEntry;
import io.pktstack.api.stack.Tunable;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code route}, {@code netstat -r/-s} and {@code sysctl}: the BSD lines they
 * accept, the stack calls they make, the layouts they print, and the errors
 * that name the bad token with nothing changed.
 */
class NetCommandsRouteSysctlTest {

    private final List<String> calls = new ArrayList<>();
    private final Map<String, Long> tunables = new LinkedHashMap<>(Map.of("net.inet.ip.ttl", 64L,
            "net.inet6.ip6.hlim", 64L, "net.pktstack.pool.frames", 32768L));

    private final NetworkStack stack = (NetworkStack) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {NetworkStack.class}, (proxy, method, args) -> {
                Object[] a = args == null ? new Object[0] : args;
                switch (method.getName()) {
                    case "routes":
                        return List.of(
                                new RouteEntry(InterfaceAddress.parse("10.0.0.0/24"), null, "bridge0",
                                        EnumSet.of(RouteEntry.Flag.UP, RouteEntry.Flag.CONNECTED), 3, 1500),
                                new RouteEntry(InterfaceAddress.parse("0.0.0.0/0"), InetAddress.ofLiteral("10.0.0.254"),
                                        "bridge0", EnumSet.of(RouteEntry.Flag.UP, RouteEntry.Flag.GATEWAY,
                                                RouteEntry.Flag.STATIC), 7, 1500),
                                new RouteEntry(InterfaceAddress.parse("fd00::/64"), null, "bridge0",
                                        EnumSet.of(RouteEntry.Flag.UP, RouteEntry.Flag.CONNECTED), 0, 1500));
                    case "statistics":
                        return List.of(new ProtocolStatistics("ip", Map.of("total packets received", 5L)),
                                new ProtocolStatistics("udp", Map.of("datagrams received", 2L)));
                    case "tunables":
                        return tunables.entrySet().stream().sorted(Map.Entry.comparingByKey())
                                .map(e -> new Tunable(e.getKey(), e.getValue(), 1, 255,
                                        !e.getKey().startsWith("net.pktstack"), "what " + e.getKey() + " does"))
                                .toList();
                    case "setTunables":
                        List<Tunable> set = new ArrayList<>();
                        for (Map.Entry<?, ?> e : ((Map<?, ?>) a[0]).entrySet()) {
                            String name = (String) e.getKey();
                            long v = (Long) e.getValue();
                            if (!tunables.containsKey(name)) {
                                throw new IllegalArgumentException("unknown tunable '" + name + "'");
                            }
                            if (name.startsWith("net.pktstack")) {
                                throw new IllegalArgumentException("'" + name + "' is read-only");
                            }
                            if (v < 1 || v > 255) {
                                throw new IllegalArgumentException("value " + v + " of '" + name + "' out of range 1..255");
                            }
                        }
                        for (Map.Entry<?, ?> e : ((Map<?, ?>) a[0]).entrySet()) {
                            calls.add("setTunable " + e.getKey() + " " + e.getValue());
                            tunables.put((String) e.getKey(), (Long) e.getValue());
                            set.add(new Tunable((String) e.getKey(), (Long) e.getValue(), 1, 255, true, ""));
                        }
                        return set;
                    default:
                        StringBuilder call = new StringBuilder(method.getName());
                        Arrays.stream(a).forEach(x -> call.append(' ').append(x instanceof InetAddress i
                                ? i.getHostAddress() : x));
                        calls.add(call.toString());
                        return null;
                }
            });

    private final NetCommands commands = new NetCommands(stack, null, null, null, null);

    // ---- route ----

    @Test
    void routeAddNetworkWithPrefix() {
        commands.route("add", "-net", "192.168.5.0/24", "10.0.0.254");
        assertEquals(List.of("addRoute 192.168.5.0/24 10.0.0.254"), calls);
    }

    @Test
    void routeAddWithNetmask() {
        commands.route("add", "-net", "192.168.5.0", "10.0.0.254", "-netmask", "255.255.255.0");
        assertEquals(List.of("addRoute 192.168.5.0/24 10.0.0.254"), calls);
    }

    @Test
    void routeAddDefaultInBothFamilies() {
        commands.route("add", "default", "10.0.0.254");
        commands.route("add", "-inet6", "default", "fd00::fe");
        assertEquals(List.of("addRoute 0.0.0.0/0 10.0.0.254", "addRoute 0:0:0:0:0:0:0:0/0 fd00:0:0:0:0:0:0:fe"), calls);
    }

    @Test
    void routeAddHost() {
        commands.route("add", "-host", "192.168.5.9", "10.0.0.254");
        assertEquals(List.of("addRoute 192.168.5.9/32 10.0.0.254"), calls);
    }

    @Test
    void routeDelete() {
        commands.route("delete", "192.168.5.0/24");
        assertEquals(List.of("deleteRoute 192.168.5.0/24"), calls);
    }

    @Test
    void badRouteLinesNameTheTokenAndChangeNothing() {
        assertMessage("route: unknown command 'flush'", () -> commands.route("flush"));
        assertMessage("'-gateway'", () -> commands.route("add", "-gateway", "10.0.0.1"));
        assertMessage("needs a gateway after '192.168.5.0/24'", () -> commands.route("add", "192.168.5.0/24"));
        assertMessage("malformed address '10.0.0.300'", () -> commands.route("add", "default", "10.0.0.300"));
        assertMessage("network '192.168.5.0' needs /LEN", () -> commands.route("add", "-net", "192.168.5.0", "10.0.0.1"));
        assertMessage("gateway 'fd00::1' is not an IPv4", () -> commands.route("add", "192.168.5.0/24", "fd00::1"));
        assertMessage("prefix length 33", () -> commands.route("add", "192.168.5.0/33", "10.0.0.1"));
        assertMessage("netmask '255.0.255.0' is not contiguous",
                () -> commands.route("add", "192.168.5.0", "10.0.0.1", "-netmask", "255.0.255.0"));
        assertEquals(List.of(), calls);
    }

    @Test
    void routeShowAndNetstatRPrintTheBsdTable() {
        String text = commands.route("show").render();
        assertEquals(text, commands.netstat("-rn").render());
        assertEquals(text, commands.netstat("-r").render());
        assertTrue(text.startsWith("Routing tables\n\nInternet:\nDestination"), text);
        assertTrue(text.contains(String.format("%-18s %-18s %-6s %8s %5s  %s%n", "10.0.0.0/24", "link#bridge0", "UC", 3,
                1500, "bridge0")), text);
        assertTrue(text.contains(String.format("%-18s %-18s %-6s %8s %5s  %s%n", "default", "10.0.0.254", "UGS", 7,
                1500, "bridge0")), text);
        assertTrue(text.contains("\nInternet6:\n"), text);
        assertTrue(text.substring(text.indexOf("Internet6")).contains("fd00::/64"), text);
    }

    // ---- netstat -s ----

    @Test
    void netstatSPrintsEachProtocolThenItsCounters() {
        assertEquals("ip:\n\t5 total packets received\nudp:\n\t2 datagrams received\n", commands.netstat("-s").render());
        assertEquals("udp:\n\t2 datagrams received\n", commands.netstat("-s", "-p", "udp").render());
        assertMessage("unknown protocol 'tcp' (known: ip, udp)", () -> commands.netstat("-s", "-p", "tcp"));
        assertMessage("'-p udp' goes with -s", () -> commands.netstat("-i", "-p", "udp"));
        assertMessage("got '-x'", () -> commands.netstat("-x"));
    }

    // ---- sysctl ----

    @Test
    void sysctlListsEverythingOrASubtree() {
        assertEquals("net.inet.ip.ttl = 64\nnet.inet6.ip6.hlim = 64\nnet.pktstack.pool.frames = 32768\n",
                commands.sysctl("-a").render());
        assertEquals("net.inet.ip.ttl = 64\n", commands.sysctl("net.inet").render());
        assertEquals("net.inet.ip.ttl = 64\n", commands.sysctl("net.inet.").render());
        assertEquals("net.pktstack.pool.frames: what net.pktstack.pool.frames does (read-only)\n",
                commands.sysctl("-d", "net.pktstack.pool.frames").render());
    }

    @Test
    void sysctlSetsAndShowsOldAndNew() {
        assertEquals("net.inet.ip.ttl: 64 -> 32\n", commands.sysctl("-w", "net.inet.ip.ttl=32").render());
        assertEquals(List.of("setTunable net.inet.ip.ttl 32"), calls);
    }

    @Test
    void aBadSysctlAssignmentChangesNothingEvenIfOthersWereGood() {
        assertMessage("unknown tunable 'net.inet.ip.tt'", () -> commands.sysctl("net.inet.ip.tt"));
        assertMessage("bad value 'x' for 'net.inet.ip.ttl'", () -> commands.sysctl("net.inet.ip.ttl=x"));
        assertMessage("'net.pktstack.pool.frames' is read-only",
                () -> commands.sysctl("net.inet.ip.ttl=32", "net.pktstack.pool.frames=9"));
        assertMessage("value 300 of 'net.inet6.ip6.hlim' out of range 1..255",
                () -> commands.sysctl("net.inet.ip.ttl=32", "net.inet6.ip6.hlim=300"));
        assertMessage("unknown option '-q'", () -> commands.sysctl("-q"));
        assertMessage("unknown tunable 'net.inet.ip.tt' (sysctl -a lists them)",
                () -> commands.sysctl("net.inet.ip.ttl=32", "net.inet.ip.tt=32"));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> commands.sysctl("net.inet6.ip6.hlim=300"));
        assertFalse(range.getMessage().contains("sysctl -a"), range.getMessage());
        assertEquals(List.of(), calls);
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
    }
}
