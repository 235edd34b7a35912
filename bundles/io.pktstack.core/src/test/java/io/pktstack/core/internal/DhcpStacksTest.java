package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.router.DhcpBinding;
import io.pktstack.api.router.DhcpLease;
import io.pktstack.api.router.DhcpPool;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.RouteEntry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's {@code dhcpd} and guests' {@code dhcpcd}, each a whole stack, on
 * one cable (two fake links whose frames the test carries across), on one
 * fake clock: leases bound with address, prefix and default route, renewed,
 * released, and kept across a client's and the host's restarts.
 */
class DhcpStacksTest {

    static final String HOST_MAC = "02:00:00:00:00:01";
    static final String GUEST_MAC = "52:54:00:aa:00:01";

    @TempDir
    Path state;
    final AtomicLong clock = new AtomicLong(StackTestBase.T0);
    final List<StackComponent> stacks = new ArrayList<>();
    final List<FramePool> pools = new ArrayList<>();

    StackComponent stack(String name, Path stateDir) {
        FramePool pool = new FramePool(256, FramePool.DEFAULT_SLOT_SIZE);
        StackComponent s = new StackComponent(pool, clock::get, new StackComponent.Instance(stateDir, name));
        stacks.add(s);
        pools.add(pool);
        return s;
    }

    static FakeLink link(StackComponent s, String mac, String prefix) {
        FakeLink l = new FakeLink(mac);
        s.addLink(l, Map.of(Link.DRIVER, "fake", Link.INSTANCE, "fake-1", Link.PREFIX, prefix));
        l.takeSent();
        return l;
    }

    StackComponent host;
    FakeLink hostLink;

    void host() throws Exception {
        host = stack("host", state.resolve("db/host"));
        hostLink = link(host, HOST_MAC, "vp");
        host.addAddress("vp0", InterfaceAddress.parse("10.9.0.1/24"));
        hostLink.takeSent();
        host.dhcpServer().serve(new DhcpPool("vp0", ip("10.9.0.100"), ip("10.9.0.120"), null, List.of(ip("10.9.0.53")),
                600, Map.of()));
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Carries frames across the cable both ways until it is quiet. */
    static void pump(FakeLink a, FakeLink b) {
        for (int round = 0; round < 50; round++) {
            List<String> ab = a.takeSent();
            List<String> ba = b.takeSent();
            if (ab.isEmpty() && ba.isEmpty()) {
                return;
            }
            if (!ab.isEmpty()) {
                b.inject(ab.toArray(new String[0]));
            }
            if (!ba.isEmpty()) {
                a.inject(ba.toArray(new String[0]));
            }
        }
        throw new AssertionError("the cable never went quiet");
    }

    void advance(long seconds) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
        for (StackComponent s : stacks) {
            s.timer().runDue();
        }
    }

    /** Stops a stack (as a process killed: its clients release nothing); every frame must be back. */
    void stop(StackComponent s) {
        int i = stacks.indexOf(s);
        s.deactivate();
        assertEquals(pools.get(i).capacity(), pools.get(i).available(), "frames of stack " + i);
        stacks.remove(i);
        pools.remove(i);
    }

    @AfterEach
    void noLeaks() {
        while (!stacks.isEmpty()) {
            stop(stacks.get(0));
        }
    }

    @Test
    void aGuestGetsALeaseWithPrefixAndDefaultRouteRenewsAndReleasesIt() throws Exception {
        host();
        StackComponent guest = stack("guest-1", null);
        FakeLink guestLink = link(guest, GUEST_MAC, "vt");
        guest.dhcpClient().start("vt0");
        pump(guestLink, hostLink);

        DhcpBinding b = guest.dhcpClient().bindings().get(0);
        assertEquals("BOUND", b.state());
        assertEquals(ip("10.9.0.100"), b.address());
        assertEquals(ip("10.9.0.53"), b.dns().get(0));
        assertTrue(guest.interfaceInfo("vt0").addresses().contains(InterfaceAddress.parse("10.9.0.100/24")));
        RouteEntry def = guest.routes().stream().filter(r -> r.destination().prefixLength() == 0).findFirst().orElseThrow();
        assertEquals(ip("10.9.0.1"), def.gateway());
        DhcpLease l = host.dhcpServer().leases().get(0);
        assertEquals(MacAddress.parse(GUEST_MAC), l.mac());
        assertEquals(DhcpLease.State.ACTIVE, l.state());

        advance(300); // T1: a unicast renewal, which resolves the server's MAC first
        pump(guestLink, hostLink);
        b = guest.dhcpClient().bindings().get(0);
        assertEquals("BOUND", b.state());
        assertEquals(600, b.secondsLeft());

        guest.dhcpClient().release("vt0");
        pump(guestLink, hostLink);
        assertEquals(DhcpLease.State.RELEASED, host.dhcpServer().leases().get(0).state());
        assertFalse(guest.interfaceInfo("vt0").addresses().contains(InterfaceAddress.parse("10.9.0.100/24")));
        assertTrue(guest.routes().stream().noneMatch(r -> r.destination().prefixLength() == 0));
        assertEquals(List.of(), guest.dhcpClient().bindings());
    }

    @Test
    void aRestartedGuestWithItsMacGetsItsAddressAndAnotherGuestDoesNot() throws Exception {
        host();
        StackComponent g1 = stack("g1", null);
        FakeLink l1 = link(g1, GUEST_MAC, "vt");
        g1.dhcpClient().start("vt0");
        pump(l1, hostLink);
        stop(g1); // killed: no release

        StackComponent g2 = stack("g2", null);
        FakeLink l2 = link(g2, "52:54:00:aa:00:02", "vt");
        g2.dhcpClient().start("vt0");
        pump(l2, hostLink);
        assertEquals(ip("10.9.0.101"), g2.dhcpClient().bindings().get(0).address());

        StackComponent again = stack("g1", null);
        FakeLink l3 = link(again, GUEST_MAC, "vt");
        again.dhcpClient().start("vt0");
        pump(l3, hostLink);
        assertEquals(ip("10.9.0.100"), again.dhcpClient().bindings().get(0).address());
    }

    @Test
    void aRestartedHostHonoursTheLeasesItGave() throws Exception {
        host();
        StackComponent g1 = stack("g1", null);
        FakeLink l1 = link(g1, GUEST_MAC, "vt");
        g1.dhcpClient().start("vt0");
        pump(l1, hostLink);
        stop(host);

        host(); // the same state directory
        StackComponent g2 = stack("g2", null);
        FakeLink l2 = link(g2, "52:54:00:aa:00:02", "vt");
        g2.dhcpClient().start("vt0");
        pump(l2, hostLink);
        assertEquals(ip("10.9.0.101"), g2.dhcpClient().bindings().get(0).address(), "10.9.0.100 is still g1's");
    }

    @Test
    void badServerConfigurationsAreRefusedNamingTheValue() throws Exception {
        host();
        String[][] cases = {
            {"10.9.1.5", "10.9.1.9", "is not inside a prefix of vp0 (10.9.0.1/24)"},
            {"10.9.0.9", "10.9.0.5", "is after its end"},
            {"10.9.0.0", "10.9.0.5", "is the network or broadcast address"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> host.dhcpServer().serve(
                    new DhcpPool("vp0", ip(c[0]), ip(c[1]), null, List.of(), 600, Map.of())));
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> host.dhcpServer().serve(new DhcpPool("vp9",
                ip("10.9.0.5"), ip("10.9.0.9"), null, List.of(), 600, Map.of()))).getMessage().contains("no interface 'vp9'"));
        assertEquals(ip("10.9.0.100"), host.dhcpServer().pools().get(0).first(), "unchanged");
    }

    @Test
    void aClientOnAnInterfaceThatDoesNotExistIsRefused() {
        StackComponent g = stack("g", null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.dhcpClient().start("vt7")).getMessage()
                .contains("no interface 'vt7'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> g.dhcpClient().release("vt0")).getMessage()
                .contains("not running on vt0"));
    }
}
