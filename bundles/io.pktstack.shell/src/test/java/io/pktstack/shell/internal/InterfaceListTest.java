package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.Counters;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.InterfaceInfo.Flag;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class InterfaceListTest {

    static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0, 0);

    static InterfaceInfo vt0(List<InterfaceAddress> addresses, Flag... flags) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        set.addAll(List.of(flags));
        return new InterfaceInfo("vt0", 1, "virtio-net", set, 1514, MacAddress.parse("02:00:00:00:00:01"),
                addresses, ZERO, null, Map.of());
    }

    @ParameterizedTest
    @CsvSource({
        "fd00:0:0:0:0:0:0:2, fd00::2",
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "fe80:0:0:0:5054:ff:fe12:3456, fe80::5054:ff:fe12:3456",
        "1:0:0:0:0:0:0:0, 1::",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // RFC 5952 §4.2.3: the first of equal runs
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1", // the longest run, not the first
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // §4.2.2: a single 0 field stays
        "FD00:00AB:0:0:0:0:0:2, fd00:ab::2", // §4.3: lower case, no leading zeros
        "not-an-address, not-an-address",
    })
    void compressFollowsRfc5952(String full, String expected) {
        assertEquals(expected, InterfaceList.compress(full));
    }

    @Test
    void formatDropsTheScope() throws Exception {
        assertEquals("fe80::1", InterfaceList.format(InetAddress.getByName("fe80::1%1")));
        assertEquals("10.0.0.2", InterfaceList.format(InetAddress.ofLiteral("10.0.0.2")));
    }

    @Test
    void flagBitsAreBsdIfFlags() {
        assertEquals(0x8043, InterfaceList.flagBits(vt0(List.of(), Flag.UP, Flag.BROADCAST, Flag.RUNNING,
                Flag.MULTICAST)));
        assertEquals(0x108, InterfaceList.flagBits(vt0(List.of(), Flag.LOOPBACK, Flag.PROMISC)));
        assertEquals(0, InterfaceList.flagBits(vt0(List.of())));
    }

    @Test
    void rendersAsBsdIfconfig() {
        InterfaceInfo i = vt0(List.of(InterfaceAddress.parse("10.0.0.2/24"), InterfaceAddress.parse("10.1.0.2/32"),
                InterfaceAddress.parse("0.0.0.0/0"), InterfaceAddress.parse("fe80::1/64"),
                InterfaceAddress.parse("fd00:0:0:0:0:0:0:2/48")), Flag.UP, Flag.BROADCAST, Flag.RUNNING, Flag.MULTICAST);
        assertEquals("""
                vt0: flags=8043<UP,BROADCAST,RUNNING,MULTICAST> mtu 1500
                \taddress: 02:00:00:00:00:01
                \tmedia: Ethernet (virtio-net)
                \tstatus: active
                \tinet 10.0.0.2 netmask 0xffffff00
                \tinet 10.1.0.2 netmask 0xffffffff
                \tinet 0.0.0.0 netmask 0x00000000
                \tinet6 fe80::1%vt0 prefixlen 64
                \tinet6 fd00::2 prefixlen 48
                """, new InterfaceList(List.of(i)).render());
    }

    @Test
    void downInterfaceWithoutCarrier() {
        assertEquals("""
                vt0: flags=0<> mtu 1500
                \taddress: 02:00:00:00:00:01
                \tmedia: Ethernet (virtio-net)
                \tstatus: no carrier
                """, new InterfaceList(List.of(vt0(List.of()))).render());
    }

    @Test
    void interfaceWithoutMacShowsTheWholeMtuAndBridgeMembership() {
        InterfaceInfo lo = new InterfaceInfo("lo0", 0, "loopback", EnumSet.of(Flag.UP, Flag.LOOPBACK, Flag.RUNNING),
                33192, null, List.of(InterfaceAddress.parse("127.0.0.1/8")), ZERO, null, Map.of());
        InterfaceInfo vp0 = new InterfaceInfo("vp0", 2, "vdevpeer-net", EnumSet.of(Flag.UP), 1514,
                MacAddress.parse("02:00:00:00:00:02"), List.of(), ZERO, "bridge0", Map.of());
        assertEquals("""
                lo0: flags=49<UP,LOOPBACK,RUNNING> mtu 33192
                \tinet 127.0.0.1 netmask 0xff000000
                vp0: flags=1<UP> mtu 1500
                \taddress: 02:00:00:00:00:02
                \tmedia: Ethernet (vdevpeer-net)
                \tstatus: no carrier
                \tmember of bridge0
                """, new InterfaceList(List.of(lo, vp0)).render());
    }
}
