package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.PingResult;
import io.pktstack.api.stack.ProtocolStatistics;
import io.pktstack.api.stack.RouteEntry;
import io.pktstack.api.stack.Tunable;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code route}, {@code netstat -r/-s} and {@code sysctl} at the stack: static
 * routes steer the stack's own traffic to a gateway's MAC, counters count
 * what crossed, and tunables change what goes out. Same fake link and
 * fixtures as {@link StackProtocolsTest}.
 */
class RoutesStatisticsTunablesTest extends StackTestBase {

    FakeLink vp0;

    @BeforeEach
    void gateway() {
        vp0 = add(new FakeLink("52:55:0a:00:02:02"), "vp");
        address("vp0", "10.0.2.2/24");
        address("vp0", "2001:db8::2/64");
        vp0.takeSent();
    }

    static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    private RouteEntry route(String destination) {
        return stack.routes().stream().filter(r -> r.destination().equals(InterfaceAddress.parse(destination))).findFirst()
                .orElseThrow(() -> new AssertionError("no route " + destination + " in " + stack.routes()));
    }

    @Test
    void everyInterfaceAddressIsAConnectedRoute() {
        RouteEntry r = route("10.0.2.0/24");
        assertEquals("vp0", r.ifName());
        assertEquals(null, r.gateway());
        assertTrue(r.flags().contains(RouteEntry.Flag.CONNECTED));
        assertTrue(r.flags().contains(RouteEntry.Flag.UP));
        assertEquals(1500, r.mtu());
        assertEquals("vp0", route("2001:db8::/64").ifName());
    }

    @Test
    @Timeout(30)
    void aStaticRouteSendsToTheGatewaysMac() throws Exception {
        stack.addRoute(InterfaceAddress.parse("192.168.5.77/24"), ip("10.0.2.15"));
        RouteEntry r = route("192.168.5.0/24");
        assertEquals(ip("10.0.2.15"), r.gateway());
        assertTrue(r.flags().containsAll(List.of(RouteEntry.Flag.GATEWAY, RouteEntry.Flag.STATIC, RouteEntry.Flag.UP)));

        CompletableFuture<PingResult> ping = CompletableFuture.supplyAsync(
                () -> stack.ping(ip("192.168.5.9"), 1, 8, Duration.ofSeconds(3)));
        // ARP resolves the gateway, not the destination.
        assertEquals(List.of(Hex.norm(StackProtocolsTest.ARP_WHO_HAS_PEER)), vp0.awaitSent(1, 10_000));
        vp0.inject(StackProtocolsTest.ARP_PEER_REPLY);
        byte[] req = Hex.bytes(vp0.awaitSent(1, 10_000).getFirst());
        assertEquals(Hex.norm("5254 0012 3456 5255 0a00 0202 0800"), Hex.of(req).substring(0, 28), "to the gateway's MAC");
        assertEquals(Hex.norm("c0a8 0509"), Hex.of(req).substring(60, 68), "IPv4 destination stays 192.168.5.9");
        advanceSeconds(3); // no reply: the ping's deadline passes on the stack's clock
        assertFalse(ping.get(10, TimeUnit.SECONDS).replied());
        assertEquals(1, route("192.168.5.0/24").use());
    }

    @Test
    void aGatewayOffTheConnectedNetworksIsRefused() {
        List<RouteEntry> before = stack.routes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.addRoute(InterfaceAddress.parse("192.168.5.0/24"), ip("172.16.0.1")));
        assertTrue(e.getMessage().contains("172.16.0.1"), e.getMessage());
        assertEquals(before, stack.routes(), "nothing added");
    }

    @Test
    void aDuplicateRouteIsRefusedAndDeleteRemovesIt() {
        stack.addRoute(InterfaceAddress.parse("0.0.0.0/0"), ip("10.0.2.15"));
        assertThrows(IllegalArgumentException.class,
                () -> stack.addRoute(InterfaceAddress.parse("0.0.0.0/0"), ip("10.0.2.16")));
        assertTrue(route("0.0.0.0/0").isDefault());
        stack.deleteRoute(InterfaceAddress.parse("0.0.0.0/0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.deleteRoute(InterfaceAddress.parse("0.0.0.0/0")));
        assertTrue(e.getMessage().contains("0.0.0.0/0"), e.getMessage());
        IllegalArgumentException noRoute = assertThrows(IllegalArgumentException.class,
                () -> stack.ping(ip("192.168.5.9"), 1, 8, Duration.ofMillis(100)));
        assertTrue(noRoute.getMessage().contains("no route to 192.168.5.9"), noRoute.getMessage());
    }

    @Test
    void echoTrafficIsCountedPerProtocol() {
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST, StackProtocolsTest.ARP_REQUEST);
        vp0.takeSent();
        assertEquals(1, stat("icmp", "echo requests received"));
        assertEquals(1, stat("icmp", "echo replies sent"));
        assertEquals(1, stat("ip", "total packets received"));
        assertEquals(1, stat("ip", "packets for this host"));
        assertEquals(1, stat("arp", "request packets received"));
        assertEquals(1, stat("arp", "reply packets sent"));
        assertEquals(List.of("ip", "icmp", "ip6", "icmp6", "udp", "arp", "dhcp", "tcp"),
                stack.statistics().stream().map(ProtocolStatistics::protocol).toList());
    }

    @Test
    void aFullArpTableRefusesNewNeighboursAndCountsThem() {
        stack.setTunables(Map.of("net.inet.arp.maxentries", 1L));
        byte[] fromOther = Hex.bytes(StackProtocolsTest.ARP_REQUEST);
        fromOther[31]++; // the sender's IPv4 address: another neighbour
        vp0.inject(Hex.bytes(StackProtocolsTest.ARP_REQUEST), fromOther);
        assertEquals(2, vp0.takeSent().size(), "both answered");
        assertEquals(1, stat("arp", "neighbours not entered: table full (net.inet.arp.maxentries)"));
        assertEquals(1, stack.tunables().stream().filter(t -> t.name().equals("net.inet.arp.maxentries")).findFirst()
                .orElseThrow().value());
    }

    private long stat(String protocol, String counter) {
        return stack.statistics().stream().filter(p -> p.protocol().equals(protocol)).findFirst().orElseThrow()
                .get(counter);
    }

    @Test
    void theTtlTunableChangesTheEchoReply() {
        Tunable t = stack.setTunables(Map.of("net.inet.ip.ttl", 32L)).getFirst();
        assertEquals(32, t.value());
        vp0.inject(StackProtocolsTest.ICMP_ECHO_REQUEST);
        byte[] reply = Hex.bytes(vp0.takeSent().getFirst());
        assertEquals(32, reply[22], "TTL");
        assertEquals(0, Hex.internetChecksum(reply, 14, 34, 0), "IPv4 header checksum still right");
    }

    @Test
    void badTunablesAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.setTunables(Map.of("net.inet.ip.ttl", 256L)))
                .getMessage().contains("out of range 1..255"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.setTunables(Map.of("net.pktstack.pool.frames", 9L)))
                .getMessage().contains("read-only"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.setTunables(Map.of("net.inet.ip.nope", 9L)))
                .getMessage().contains("'net.inet.ip.nope'"));
        // All or none: a good value beside a bad one is not set either.
        LinkedHashMap<String, Long> mixed = new LinkedHashMap<>();
        mixed.put("net.inet.ip.ttl", 32L);
        mixed.put("net.inet6.ip6.hlim", 300L);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.setTunables(mixed))
                .getMessage().contains("out of range 1..255"));
        Tunable ttl = stack.tunables().stream().filter(t -> t.name().equals("net.inet.ip.ttl")).findFirst().orElseThrow();
        assertEquals(64, ttl.value(), "unchanged");
        assertEquals(512, stack.tunables().stream().filter(t -> t.name().equals("net.pktstack.pool.frames"))
                .findFirst().orElseThrow().value());
    }
}
