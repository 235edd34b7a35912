package io.pktstack.core.internal.dhcp;

import static io.pktstack.core.internal.wire.Addresses.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.core.internal.dhcp.DhcpServerLogic.Destination;
import io.pktstack.core.internal.dhcp.DhcpServerLogic.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's decisions (RFC 2131 §4.3) on a fake wall clock, and its lease file across restarts. */
class DhcpServerLogicTest {

    static final int SERVER = parse("10.7.0.1");
    static final long MAC_A = 0x5254_0000_000aL;
    static final long MAC_B = 0x5254_0000_000bL;

    final AtomicLong clock = new AtomicLong(1_800_000_000L);
    final List<String> warnings = new ArrayList<>();

    DhcpServerLogic server(Path leases) {
        DhcpServerLogic s = new DhcpServerLogic(new LeaseTable(leases, warnings::add), clock::get);
        s.configure("bridge0", new DhcpServerLogic.Config(parse("10.7.0.100"), parse("10.7.0.102"), 0,
                List.of(parse("10.7.0.53")), 600, Map.of()));
        return s;
    }

    static DhcpMessage request(int type, int xid, long mac, int flags, int ciaddr, DhcpOptions.Builder o) {
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, xid, 0, flags, ciaddr, 0, 0, 0, mac, o.type(type).build());
    }

    static DhcpMessage discover(long mac) {
        return request(DhcpMessage.DISCOVER, 1, mac, DhcpMessage.FLAG_BROADCAST, 0, new DhcpOptions.Builder());
    }

    static DhcpMessage select(long mac, int address, int server) {
        return request(DhcpMessage.REQUEST, 2, mac, 0, 0, new DhcpOptions.Builder().serverId(server).requestedIp(address));
    }

    /** Discover and request: the address it ends up with. */
    static int lease(DhcpServerLogic s, long mac) {
        Reply offer = s.handle("bridge0", SERVER, 24, discover(mac));
        Reply ack = s.handle("bridge0", SERVER, 24, select(mac, offer.message().yiaddr(), SERVER));
        assertEquals(DhcpMessage.ACK, ack.message().type());
        return ack.message().yiaddr();
    }

    @Test
    void anOfferCarriesTheLeaseTimesMaskRouterAndDns() {
        Reply r = server(null).handle("bridge0", SERVER, 24, discover(MAC_A));
        DhcpMessage m = r.message();
        assertEquals(DhcpMessage.OFFER, m.type());
        assertEquals(parse("10.7.0.100"), m.yiaddr());
        assertEquals(Destination.BROADCAST, r.to(), "the client asked for broadcast replies");
        assertEquals(SERVER, m.options().serverId());
        assertEquals(600, m.options().leaseSeconds());
        assertEquals(300, m.options().renewalSeconds());
        assertEquals(525, m.options().rebindingSeconds());
        assertEquals(parse("255.255.255.0"), m.options().subnetMask());
        assertEquals(SERVER, m.options().routers()[0], "the server's own address unless a router is set");
        assertEquals(parse("10.7.0.53"), m.options().dns()[0]);
    }

    @Test
    void withoutTheBroadcastFlagTheOfferGoesToTheHardwareAddress() {
        Reply r = server(null).handle("bridge0", SERVER, 24,
                request(DhcpMessage.DISCOVER, 1, MAC_A, 0, 0, new DhcpOptions.Builder()));
        assertEquals(Destination.HARDWARE, r.to());
    }

    @Test
    void eachClientGetsItsOwnAddressAndKeepsIt() {
        DhcpServerLogic s = server(null);
        int a = lease(s, MAC_A);
        int b = lease(s, MAC_B);
        assertEquals(parse("10.7.0.100"), a);
        assertEquals(parse("10.7.0.101"), b);
        assertEquals(a, lease(s, MAC_A), "the same client, the same address");
    }

    @Test
    void anOfferIsHeldForItsClientThenFreed() {
        DhcpServerLogic s = server(null);
        int offeredToA = s.handle("bridge0", SERVER, 24, discover(MAC_A)).message().yiaddr();
        assertTrue(offeredToA != s.handle("bridge0", SERVER, 24, discover(MAC_B)).message().yiaddr());
    }

    @Test
    void aRequestForAnotherServerDropsTheOfferSilently() {
        DhcpServerLogic s = server(null);
        s.handle("bridge0", SERVER, 24, discover(MAC_A));
        assertNull(s.handle("bridge0", SERVER, 24, select(MAC_A, parse("10.7.0.100"), parse("10.7.0.2"))));
        assertEquals(List.of(), s.leases().all());
    }

    @Test
    void aRequestForAnAddressNotOfferedIsNaked() {
        DhcpServerLogic s = server(null);
        s.handle("bridge0", SERVER, 24, discover(MAC_A));
        Reply r = s.handle("bridge0", SERVER, 24, select(MAC_A, parse("10.7.0.101"), SERVER));
        assertEquals(DhcpMessage.NAK, r.message().type());
        assertEquals(Destination.BROADCAST, r.to(), "RFC 2131 §4.1: NAKs are broadcast");
    }

    @Test
    void initRebootOnAnotherNetworkIsNakedAndAnUnknownClientIsNotAnswered() {
        DhcpServerLogic s = server(null);
        DhcpOptions.Builder wrongNet = new DhcpOptions.Builder().requestedIp(parse("192.168.1.5"));
        assertEquals(DhcpMessage.NAK, s.handle("bridge0", SERVER, 24,
                request(DhcpMessage.REQUEST, 5, MAC_A, 0, 0, wrongNet)).message().type());
        DhcpOptions.Builder ours = new DhcpOptions.Builder().requestedIp(parse("10.7.0.100"));
        assertNull(s.handle("bridge0", SERVER, 24, request(DhcpMessage.REQUEST, 6, MAC_A, 0, 0, ours)),
                "RFC 2131 §4.3.2: no record of the client, remain silent");
    }

    @Test
    void renewingExtendsTheLeaseAndAnswersToTheClientsAddress() {
        DhcpServerLogic s = server(null);
        int a = lease(s, MAC_A);
        clock.addAndGet(400);
        Reply r = s.handle("bridge0", SERVER, 24, request(DhcpMessage.REQUEST, 9, MAC_A, 0, a, new DhcpOptions.Builder()));
        assertEquals(DhcpMessage.ACK, r.message().type());
        assertEquals(Destination.CLIENT_ADDRESS, r.to());
        assertEquals(clock.get() + 600, s.leases().of("bridge0", MAC_A).expires());
    }

    @Test
    void whenTheRangeIsFullThereIsNoOffer() {
        DhcpServerLogic s = server(null);
        lease(s, 1);
        lease(s, 2);
        lease(s, 3);
        assertNull(s.handle("bridge0", SERVER, 24, discover(4)));
        clock.addAndGet(601); // they expire: the one free longest goes to the newcomer
        assertEquals(parse("10.7.0.100"), s.handle("bridge0", SERVER, 24, discover(4)).message().yiaddr());
    }

    @Test
    void aStaticBindingAlwaysWins() {
        DhcpServerLogic s = server(null);
        s.configure("bridge0", s.config("bridge0").withStatic(MAC_B, parse("10.7.0.200")));
        assertEquals(parse("10.7.0.200"), lease(s, MAC_B));
        assertEquals(parse("10.7.0.100"), lease(s, MAC_A));
    }

    @Test
    void aDeclinedAddressIsNotOfferedAgainUntilItsTime() {
        DhcpServerLogic s = server(null);
        int a = lease(s, MAC_A);
        s.handle("bridge0", SERVER, 24, request(DhcpMessage.DECLINE, 3, MAC_A, 0, 0,
                new DhcpOptions.Builder().serverId(SERVER).requestedIp(a)));
        assertEquals(parse("10.7.0.101"), s.handle("bridge0", SERVER, 24, discover(MAC_A)).message().yiaddr());
    }

    @Test
    void aReleasedAddressIsFreeForOthersButStillTheClientsFirstChoice() {
        DhcpServerLogic s = server(null);
        int a = lease(s, MAC_A);
        s.handle("bridge0", SERVER, 24, request(DhcpMessage.RELEASE, 4, MAC_A, 0, a, new DhcpOptions.Builder().serverId(SERVER)));
        assertEquals(LeaseTable.State.RELEASED, s.leases().of("bridge0", MAC_A).state());
        assertEquals(a, lease(s, MAC_A));
    }

    @Test
    void leasesSurviveARestartOfTheServer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("db/host/dhcpd.leases");
        DhcpServerLogic first = server(file);
        int a = lease(first, MAC_A);
        assertTrue(Files.readString(file).contains("lease 10.7.0.100 { interface bridge0; hardware ethernet "
                + "52:54:00:00:00:0a; ends " + (clock.get() + 600) + "; state active; }"), Files.readString(file));

        DhcpServerLogic second = server(file); // the host restarted
        assertEquals(parse("10.7.0.101"), lease(second, MAC_B), "not the address still leased to A");
        assertEquals(a, lease(second, MAC_A), "A comes back to its address");
        assertEquals(List.of(), warnings);
    }

    @Test
    void aBadLineInTheLeaseFileIsSkippedAndReported(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dhcpd.leases");
        Files.writeString(file, "# comment\nlease 10.7.0.100 { interface bridge0; hardware ethernet 52:54:00:00:00:0a; "
                + "ends 9999999999; state active; }\nlease nonsense\n");
        DhcpServerLogic s = server(file);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains(":3: not a lease line"), warnings.get(0));
        assertEquals(parse("10.7.0.101"), lease(s, MAC_B));
    }
}
