package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pktstack.api.stack.InterfaceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The settings after {@code ifconfig IF}; the interface name is not part of them. */
class IfconfigRequestTest {

    private static IfconfigRequest parse(String line) {
        return IfconfigRequest.parse(line.isEmpty() ? new String[0] : line.split(" "));
    }

    private static List<InterfaceAddress> addrs(String... texts) {
        return java.util.Arrays.stream(texts).map(InterfaceAddress::parse).toList();
    }

    private static void assertRefused(String line, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(line));
        assertEquals(message, e.getMessage());
    }

    @Test
    void ipv4AddressWithPrefixAndUp() {
        assertEquals(new IfconfigRequest(addrs("10.0.0.2/24"), List.of(), true), parse("10.0.0.2/24 up"));
    }

    @Test
    void explicitInetKeyword() {
        assertEquals(new IfconfigRequest(addrs("10.20.0.1/24"), List.of(), null), parse("inet 10.20.0.1/24"));
    }

    @Test
    void ipv6AddressAfterInet6() {
        IfconfigRequest r = parse("inet6 fd00::2/64");
        assertEquals(addrs("fd00::2/64"), r.add());
        assertEquals(List.of(), r.remove());
        assertNull(r.up());
    }

    @Test
    void ipv6LiteralWithoutInet6() {
        assertEquals(addrs("fd00:20::1/48"), parse("fd00:20::1/48").add());
    }

    @Test
    void defaultPrefixes() {
        assertEquals(24, parse("10.0.0.2").add().get(0).prefixLength());
        assertEquals(64, parse("inet6 fd00::2").add().get(0).prefixLength());
    }

    @Test
    void upAndDownAlone() {
        assertEquals(new IfconfigRequest(List.of(), List.of(), true), parse("up"));
        assertEquals(new IfconfigRequest(List.of(), List.of(), false), parse("down"));
        assertEquals(false, parse("up down").up(), "the last one wins, as in BSD");
        assertEquals(new IfconfigRequest(List.of(), List.of(), null), parse(""));
    }

    @Test
    void netmaskDottedAndHex() {
        assertEquals(addrs("10.0.0.2/24"), parse("10.0.0.2 netmask 255.255.255.0").add());
        assertEquals(addrs("10.0.0.2/24"), parse("inet 10.0.0.2 netmask 0xffffff00 up").add());
        assertEquals(addrs("10.0.0.2/0"), parse("10.0.0.2 netmask 0.0.0.0").add());
        assertEquals(addrs("10.0.0.2/32"), parse("10.0.0.2 netmask 255.255.255.255").add());
        assertEquals(addrs("172.16.0.1/12"), parse("172.16.0.1 netmask 255.240.0.0").add());
    }

    @Test
    void prefixlen() {
        assertEquals(addrs("fd00::2/48"), parse("inet6 fd00::2 prefixlen 48").add());
        assertEquals(addrs("10.0.0.2/16"), parse("10.0.0.2 prefixlen 16").add());
    }

    @Test
    void aliasAddsAndMinusAliasOrDeleteRemoves() {
        assertEquals(new IfconfigRequest(addrs("10.0.0.3/24"), List.of(), null), parse("10.0.0.3/24 alias"));
        assertEquals(new IfconfigRequest(addrs("10.0.0.3/24"), List.of(), null), parse("inet 10.0.0.3/24 add"));
        assertEquals(new IfconfigRequest(List.of(), addrs("10.0.0.3/24"), null), parse("10.0.0.3/24 -alias"));
        assertEquals(new IfconfigRequest(List.of(), addrs("fd00::2/64"), null), parse("inet6 fd00::2/64 delete"));
        assertEquals(new IfconfigRequest(List.of(), addrs("10.0.0.3/24"), null), parse("delete 10.0.0.3"));
    }

    @Test
    void bridgeCreateIsNotASetting() {
        // NetCommands handles "IF create" / "IF destroy" before parsing settings.
        assertRefused("create", "ifconfig: unknown argument 'create'");
    }

    @Test
    void unknownWordsAreRefusedNamingThem() {
        assertRefused("upp 10.0.0.2/24", "ifconfig: unknown argument 'upp'");
        assertRefused("10.0.0.2/24 upp", "ifconfig: unexpected argument 'upp'");
        assertRefused("vt1 up", "ifconfig: unknown argument 'vt1'");
        assertRefused("mtu 1500", "ifconfig: unknown argument 'mtu'");
        assertRefused("inet6 10.0.0.2/24", "ifconfig: unknown argument '10.0.0.2/24'");
    }

    @Test
    void secondAddressIsRefusedNamingIt() {
        assertRefused("10.0.0.2/24 10.0.0.3/24", "ifconfig: unexpected argument '10.0.0.3/24'");
    }

    @Test
    void malformedAddressIsRefusedNamingIt() {
        assertRefused("10.0.0.256/24", "ifconfig: malformed address '10.0.0.256/24'");
        assertRefused("10.0.0.2/33", "ifconfig: prefix length /33 out of range for 10.0.0.2");
        assertRefused("inet6 fd00::1::2/64", "ifconfig: malformed address 'fd00::1::2/64'");
        assertRefused("10.0.0.2 prefixlen 40", "ifconfig: prefix length /40 out of range for 10.0.0.2");
    }

    @Test
    void badNetmaskIsRefusedNamingIt() {
        assertRefused("10.0.0.2 netmask 255.255.255", "ifconfig: bad netmask '255.255.255'");
        assertRefused("10.0.0.2 netmask 255.255.256.0", "ifconfig: bad netmask '255.255.256.0'");
        assertRefused("10.0.0.2 netmask 0xzz", "ifconfig: bad netmask '0xzz'");
        assertRefused("10.0.0.2 netmask 255.0.255.0", "ifconfig: netmask '255.0.255.0' is not contiguous");
        assertRefused("10.0.0.2 netmask 0x00ffffff", "ifconfig: netmask '0x00ffffff' is not contiguous");
    }

    @Test
    void missingValuesAreRefused() {
        assertRefused("10.0.0.2 netmask", "ifconfig: 'netmask' needs a value");
        assertRefused("inet6 fd00::2 prefixlen", "ifconfig: 'prefixlen' needs a value");
        assertRefused("inet6 fd00::2 prefixlen sixty", "ifconfig: bad prefixlen 'sixty'");
    }

    @Test
    void prefixTwiceOrWithoutAddressIsRefused() {
        assertRefused("10.0.0.2/24 netmask 255.255.0.0", "ifconfig: '10.0.0.2/24' has a prefix and a netmask");
        assertRefused("netmask 255.255.255.0 up", "ifconfig: netmask/prefixlen without an address");
        assertRefused("prefixlen 64", "ifconfig: netmask/prefixlen without an address");
    }
}
