package io.pktstack.api.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InterfaceAddressTest {

    @Test
    void ipv4WithPrefix() {
        InterfaceAddress a = InterfaceAddress.parse("10.0.0.2/24");
        assertTrue(a.isIpv4());
        assertTrue(a.address() instanceof Inet4Address);
        assertEquals("10.0.0.2", a.address().getHostAddress());
        assertEquals(24, a.prefixLength());
        assertEquals("10.0.0.2/24", a.toString());
    }

    @Test
    void ipv6WithPrefix() {
        InterfaceAddress a = InterfaceAddress.parse("fd00::2/64");
        assertFalse(a.isIpv4());
        assertTrue(a.address() instanceof Inet6Address);
        assertEquals(InetAddress.ofLiteral("fd00::2"), a.address());
        assertEquals(64, a.prefixLength());
    }

    @Test
    void defaultPrefixIs24ForIpv4And64ForIpv6() {
        assertEquals(24, InterfaceAddress.parse("10.20.0.1").prefixLength());
        assertEquals(64, InterfaceAddress.parse("fd00:20::1").prefixLength());
    }

    @Test
    void prefixBoundsDependOnTheFamily() {
        assertEquals(0, InterfaceAddress.parse("0.0.0.0/0").prefixLength());
        assertEquals(32, InterfaceAddress.parse("10.0.0.1/32").prefixLength());
        assertEquals(128, InterfaceAddress.parse("fd00::1/128").prefixLength());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InterfaceAddress.parse("10.0.0.1/33"));
        assertEquals("prefix length /33 out of range for 10.0.0.1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse("fd00::1/129"));
        assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse("10.0.0.1/-1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/24", "vt0", "localhost", "example.com/24", "10.0.0.256", "10.0.0.1.", "1.2.3.4.5/24",
        "999.1.1.1", "zz::1", "fd00::1::2/64", "10.0.0.1/", "10.0.0.1/x", "fd00::1/64/64"})
    void malformedTextIsRefusedNamingIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    /**
     * Texts used nowhere else in this class: InetAddress caches failed lookups
     * for 10 s, so a text another test already sent to the resolver would not
     * reach it again and the test could not fail.
     */
    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.257", "1.2.3.4.6", "998.1.1.1", "zy::1", "g:2/64", "localhost/8", "10.0.0.2."})
    void nothingIsLookedUpInDns(String text) {
        RecordingResolverProvider.LOOKUPS.clear();
        assertThrows(IllegalArgumentException.class, () -> InterfaceAddress.parse(text));
        assertEquals(java.util.List.of(), RecordingResolverProvider.LOOKUPS, "host resolver asked about " + text);
    }

    @Test
    void theRecordingResolverIsInstalled() {
        // Without this the test above could not fail.
        RecordingResolverProvider.LOOKUPS.clear();
        assertThrows(java.net.UnknownHostException.class, () -> InetAddress.getByName("resolver-probe.invalid"));
        assertEquals(java.util.List.of("resolver-probe.invalid"), RecordingResolverProvider.LOOKUPS);
        RecordingResolverProvider.LOOKUPS.clear();
    }

    @Test
    void constructorChecksTheRangeToo() {
        InetAddress v4 = InetAddress.ofLiteral("192.0.2.1");
        assertEquals(32, new InterfaceAddress(v4, 32).prefixLength());
        assertThrows(IllegalArgumentException.class, () -> new InterfaceAddress(v4, 33));
        assertThrows(IllegalArgumentException.class, () -> new InterfaceAddress(v4, -1));
    }
}
