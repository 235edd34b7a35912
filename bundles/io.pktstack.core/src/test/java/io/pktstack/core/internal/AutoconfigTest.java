package io.pktstack.core.internal;

import static io.pktstack.core.internal.Packets.cat;
import static io.pktstack.core.internal.Packets.eth;
import static io.pktstack.core.internal.Packets.ip;
import static io.pktstack.core.internal.Packets.ipv6;
import static io.pktstack.core.internal.Packets.slice;
import static io.pktstack.core.internal.Packets.u16;
import static io.pktstack.core.internal.Packets.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.RouteEntry;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** rtsol: solicitations (RFC 4861 §6.3.7) and addresses and a default router from advertisements (RFC 4862 §5.5). */
class AutoconfigTest extends StackTestBase {

    static final String MAC = "02:00:00:00:aa:01";
    /** fe80:: and the modified EUI-64 of 02:00:00:00:aa:01. */
    static final String LL = "fe80::ff:fe00:aa01";
    static final String ROUTER = "fe80::1";
    static final String ROUTER_MAC = "02:00:00:00:01:01";

    FakeLink vt0;

    @BeforeEach
    void guest() {
        vt0 = add(new FakeLink(MAC), "vt");
        vt0.takeSent();
    }

    /** An advertisement from fe80::1 with one prefix option (RFC 4861 §4.2, §4.6.2). */
    static byte[] advertisement(String src, int routerLifetime, String prefix, int length, int flags, long valid,
            long preferred) {
        byte[] body = cat(new byte[] {64, 0}, Packets.u16(routerLifetime), Packets.u32(0), Packets.u32(0),
                new byte[] {1, 1}, Packets.mac(ROUTER_MAC),
                new byte[] {3, 4, (byte) length, (byte) flags}, Packets.u32(valid), Packets.u32(preferred),
                Packets.u32(0), ip(prefix));
        // the ICMPv6 header's 4 bytes after the checksum are the first 4 of the body: cur hop limit .. router lifetime
        byte[] icmp = Packets.icmp6(src, "ff02::1", 134, 0,
                ((body[0] & 0xFFL) << 24) | ((body[1] & 0xFFL) << 16) | ((body[2] & 0xFFL) << 8) | (body[3] & 0xFFL),
                slice(body, 4, body.length));
        return eth("33:33:00:00:00:01", ROUTER_MAC, 0x86dd, ipv6(src, "ff02::1", 58, 255, icmp));
    }

    boolean hasAddress(String a) {
        return stack.interfaceInfo("vt0").addresses().contains(InterfaceAddress.parse(a));
    }

    RouteEntry defaultRoute() {
        return stack.routes().stream().filter(r -> !r.destination().isIpv4() && r.destination().prefixLength() == 0)
                .findFirst().orElse(null);
    }

    @Test
    void rtsolSolicitsThreeTimesFromTheLinkLocalAddressUntilAnAdvertisementComes() {
        stack.autoconfiguration().solicit("vt0");
        advanceSeconds(0);
        byte[] rs = single(vt0.takeSent());
        assertArrayEquals(Packets.mac("33:33:00:00:00:02"), slice(rs, 0, 6));
        assertEquals(255, u8(rs, 21));
        assertArrayEquals(ip(LL), slice(rs, 22, 38));
        assertArrayEquals(ip("ff02::2"), slice(rs, 38, 54));
        assertEquals(133, u8(rs, 54));
        int len = u16(rs, 18);
        assertEquals(16, len, "the header and a source link-layer address option");
        assertEquals(0, Hex.internetChecksum(rs, 54, 54 + len, Packets.pseudo6(LL, "ff02::2", 58, len)));
        assertArrayEquals(cat(new byte[] {1, 1}, Packets.mac(MAC)), slice(rs, 62, 70));
        advanceSeconds(4);
        assertEquals(1, vt0.takeSent().size());
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        vt0.takeSent();
        advanceSeconds(4);
        assertEquals(List.of(), vt0.takeSent(), "the advertisement ended the solicitations");
    }

    @Test
    void anAdvertisementGivesAnAddressPerPrefixAndADefaultRouteEachUntilItsLifetimeEnds() throws Exception {
        stack.autoconfiguration().solicit("vt0");
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        assertTrue(hasAddress("2001:db8:5::ff:fe00:aa01/64"));
        assertEquals(InetAddress.getByName(ROUTER), defaultRoute().gateway());
        advanceSeconds(599);
        assertTrue(hasAddress("2001:db8:5::ff:fe00:aa01/64"));
        advanceSeconds(1);
        assertFalse(hasAddress("2001:db8:5::ff:fe00:aa01/64"), "its valid lifetime ended");
        assertTrue(defaultRoute() != null);
        advanceSeconds(1200);
        assertEquals(null, defaultRoute(), "the router lifetime ended");
    }

    @Test
    void datagramsThroughTheLearnedRouterLeaveFromTheGlobalAddress() throws Exception {
        stack.autoconfiguration().solicit("vt0");
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        vt0.inject(Packets.na(ROUTER, ROUTER_MAC, LL, MAC, ROUTER)); // the router's MAC, solicited
        vt0.takeSent();
        try (var s = stack.openUdp(5000)) {
            s.send(InetAddress.getByName("2001:db8:9::1"), 7, java.nio.ByteBuffer.wrap(new byte[] {1}));
        }
        byte[] f = single(vt0.takeSent());
        assertArrayEquals(Packets.mac(ROUTER_MAC), slice(f, 0, 6), "to the router");
        assertArrayEquals(ip("2001:db8:5::ff:fe00:aa01"), slice(f, 22, 38),
                "from the global address, not the link-local one the router's prefix gave (RFC 6724 §5 rule 2)");
    }

    @Test
    void prefixesBeyondMaxifprefixesAreIgnoredAndCounted() {
        stack.setTunables(Map.of("net.inet6.ip6.maxifprefixes", 2L));
        stack.autoconfiguration().solicit("vt0");
        for (int i = 1; i <= 4; i++) {
            vt0.inject(advertisement(ROUTER, 1800, "2001:db8:" + i + "::", 64, 0xc0, 600, 300));
        }
        assertTrue(hasAddress("2001:db8:1::ff:fe00:aa01/64"));
        assertTrue(hasAddress("2001:db8:2::ff:fe00:aa01/64"));
        assertFalse(hasAddress("2001:db8:3::ff:fe00:aa01/64"));
        assertFalse(hasAddress("2001:db8:4::ff:fe00:aa01/64"));
        assertEquals(2, stack.statistics().stream().filter(p -> p.protocol().equals("icmp6")).findFirst().orElseThrow()
                .get("advertised prefixes ignored: interface at net.inet6.ip6.maxifprefixes"));
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:1::", 64, 0xc0, 900, 300));
        assertTrue(hasAddress("2001:db8:1::ff:fe00:aa01/64"), "a known prefix is still refreshed");
        advanceSeconds(600);
        assertFalse(hasAddress("2001:db8:2::ff:fe00:aa01/64"), "expired: room for another");
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:3::", 64, 0xc0, 600, 300));
        assertTrue(hasAddress("2001:db8:3::ff:fe00:aa01/64"));
    }

    @Test
    void aRouterLifetimeOfZeroRemovesTheDefaultRoute() {
        stack.autoconfiguration().solicit("vt0");
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        vt0.inject(advertisement(ROUTER, 0, "2001:db8:5::", 64, 0xc0, 600, 300));
        assertEquals(null, defaultRoute());
        assertTrue(hasAddress("2001:db8:5::ff:fe00:aa01/64"), "the prefix still holds");
    }

    @Test
    void theTwoHourRuleLimitsHowFarAnAdvertisementShortensALease() {
        stack.autoconfiguration().solicit("vt0");
        vt0.inject(advertisement(ROUTER, 0, "2001:db8:5::", 64, 0xc0, 10_000, 10_000));
        vt0.inject(advertisement(ROUTER, 0, "2001:db8:5::", 64, 0xc0, 60, 60));
        advanceSeconds(7199);
        assertTrue(hasAddress("2001:db8:5::ff:fe00:aa01/64"), "shortened to two hours, not to 60 s (RFC 4862 §5.5.3 e)");
        advanceSeconds(1);
        assertFalse(hasAddress("2001:db8:5::ff:fe00:aa01/64"));
    }

    @Test
    void prefixesThatCannotMakeAnAddressAreIgnored() {
        stack.autoconfiguration().solicit("vt0");
        vt0.inject(advertisement(ROUTER, 0, "2001:db8:6::", 64, 0x80, 600, 300)); // on-link only, no A flag
        vt0.inject(advertisement(ROUTER, 0, "2001:db8:7::", 48, 0xc0, 600, 300)); // not a /64
        vt0.inject(advertisement(ROUTER, 0, "fe80::", 64, 0xc0, 600, 300)); // link-local
        vt0.inject(advertisement(ROUTER, 0, "2001:db8:8::", 64, 0xc0, 300, 600)); // preferred beyond valid
        assertEquals(List.of(InterfaceAddress.parse(LL + "/64")), stack.interfaceInfo("vt0").addresses());
    }

    @Test
    void anAdvertisementFromAGlobalAddressIsInvalid() {
        stack.autoconfiguration().solicit("vt0");
        vt0.inject(advertisement("2001:db8::1", 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        assertFalse(hasAddress("2001:db8:5::ff:fe00:aa01/64"));
        assertEquals(1, drops("vt0", DropReason.MALFORMED), "RFC 4861 §6.1.2: the source must be link-local");
    }

    @Test
    void withoutRtsolOrAcceptRtadvAdvertisementsConfigureNothing() {
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        assertFalse(hasAddress("2001:db8:5::ff:fe00:aa01/64"));
        stack.setTunables(Map.of("net.inet6.ip6.accept_rtadv", 1L));
        vt0.inject(advertisement(ROUTER, 1800, "2001:db8:5::", 64, 0xc0, 600, 300));
        assertTrue(hasAddress("2001:db8:5::ff:fe00:aa01/64"));
        assertEquals(List.of("vt0"), stack.autoconfiguration().interfaces());
    }

    @Test
    void aRouterDoesNotConfigureItselfFromAdvertisements() {
        stack.setTunables(Map.of("net.inet6.ip6.forwarding", 1L));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.autoconfiguration().solicit("vt0"))
                .getMessage().contains("forwards IPv6"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> stack.autoconfiguration().solicit("vt9"))
                .getMessage().contains("no interface 'vt9'"));
    }

    static byte[] single(List<String> sent) {
        assertEquals(1, sent.size(), "frames sent: " + sent);
        return Hex.bytes(sent.get(0));
    }
}
