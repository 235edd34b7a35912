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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.router.RouterAdvertisements;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** rtadvd: router advertisements (RFC 4861 §4.2, §6.2) on vp0, byte by byte, on the fake clock. */
class RouterAdvertisementsTest extends RouterTestBase {

    /** vp0's link-local address: fe80:: and the modified EUI-64 of 02:00:00:00:01:01 (RFC 4291 appendix A). */
    static final String LL = "fe80::ff:fe00:101";

    RouterAdvertisements rtadvd;

    @BeforeEach
    void rtadvd() {
        rtadvd = stack.routerAdvertisements();
    }

    /** The RA in {@code f}, checked field by field; returns its router lifetime. */
    static int assertAdvertisement(byte[] f) {
        assertArrayEquals(Packets.mac("33:33:00:00:00:01"), slice(f, 0, 6));
        assertArrayEquals(Packets.mac(R0), slice(f, 6, 12));
        assertEquals(58, u8(f, 20));
        assertEquals(255, u8(f, 21), "hop limit 255 (RFC 4861 §6.1.2)");
        assertArrayEquals(ip(LL), slice(f, 22, 38), "from the link-local address");
        assertArrayEquals(ip("ff02::1"), slice(f, 38, 54));
        int len = u16(f, 18);
        assertEquals(0, Hex.internetChecksum(f, 54, 54 + len, Packets.pseudo6(LL, "ff02::1", 58, len)));
        assertEquals(134, u8(f, 54));
        assertEquals(64, u8(f, 58), "cur hop limit");
        assertEquals(0, u8(f, 59), "M and O clear: SLAAC");
        byte[] options = slice(f, 70, 54 + len);
        assertArrayEquals(cat(new byte[] {1, 1}, Packets.mac(R0)), slice(options, 0, 8), "source link-layer address");
        assertArrayEquals(cat(new byte[] {5, 1, 0, 0}, Packets.u32(1500)), slice(options, 8, 16), "MTU");
        assertArrayEquals(cat(new byte[] {3, 4, 64, (byte) 0xc0}, Packets.u32(2_592_000), Packets.u32(604_800),
                Packets.u32(0), ip("2001:db8:1::")), slice(options, 16, 48), "the /64, on-link and autonomous");
        assertEquals(48, options.length);
        return u16(f, 60);
    }

    @Test
    void advertisesThePrefixesAtOnceThenThreeTimesInTheFirstSeconds() {
        forwarding(true);
        rtadvd.start("vp0");
        advanceSeconds(0);
        assertEquals(1800, assertAdvertisement(single(vp0.takeSent())));
        advanceSeconds(4);
        assertEquals(1800, assertAdvertisement(single(vp0.takeSent())));
        advanceSeconds(4);
        assertEquals(1, vp0.takeSent().size(), "the third of MAX_INITIAL_RTR_ADVERTISEMENTS (RFC 4861 §10)");
        advanceSeconds(197);
        assertEquals(List.of(), vp0.takeSent(), "then every 198 to 600 s");
        advanceSeconds(403);
        assertEquals(1, vp0.takeSent().size());
        assertEquals(List.of(), vp1.takeSent(), "only where switched on");
        assertEquals(List.of("vp0"), rtadvd.interfaces());
    }

    @Test
    void notForwardingItAdvertisesPrefixesButNoDefaultRouter() {
        rtadvd.start("vp0");
        advanceSeconds(0);
        assertEquals(0, assertAdvertisement(single(vp0.takeSent())), "router lifetime 0 (RFC 4861 §6.2.3)");
    }

    byte[] solicitation() {
        byte[] rs = Packets.icmp6("fe80::a", "ff02::2", 133, 0, 0, cat(new byte[] {1, 1}, Packets.mac(A)));
        return eth("33:33:00:00:00:02", A, 0x86dd, ipv6("fe80::a", "ff02::2", 58, 255, rs));
    }

    @Test
    void aSolicitationIsAnsweredAtMostOnceEveryThreeSeconds() {
        forwarding(true);
        rtadvd.start("vp0");
        advanceSeconds(0);
        vp0.takeSent();
        advanceSeconds(2);
        vp0.inject(solicitation());
        assertEquals(List.of(), vp0.takeSent(), "the last was 2 s ago");
        advanceSeconds(1);
        assertAdvertisement(single(vp0.takeSent()));
        for (int i = 0; i < 10; i++) {
            advanceSeconds(1); // the next initial advertisement goes at 7 s
        }
        vp0.takeSent();
        vp0.inject(solicitation());
        assertAdvertisement(single(vp0.takeSent()));
        assertEquals(2, stat("icmp6", "router solicitations received"));
    }

    @Test
    void aSolicitationOnAnInterfaceNotAdvertisingIsNotOurs() {
        vp0.inject(solicitation());
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(1, drops("vp0", DropReason.NOT_FOR_US));
    }

    @Test
    void stoppingSendsALastAdvertisementWithLifetimeZero() {
        forwarding(true);
        rtadvd.start("vp0");
        advanceSeconds(0);
        vp0.takeSent();
        rtadvd.stop("vp0");
        assertEquals(0, assertAdvertisement(single(vp0.takeSent())), "RFC 4861 §6.2.5");
        advanceSeconds(700);
        assertEquals(List.of(), vp0.takeSent());
        assertEquals(List.of(), rtadvd.interfaces());
    }

    @Test
    void badInterfacesAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rtadvd.start("vp9")).getMessage()
                .contains("no interface 'vp9'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rtadvd.stop("vp0")).getMessage()
                .contains("not advertising on vp0"));
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> rtadvd.start("vp1")).getMessage()
                .contains("a member of bridge0"));
    }
}
