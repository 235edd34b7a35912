package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.InterfaceAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Addresses that cannot be an interface's are refused, naming the address and why, and change nothing. */
class InterfaceAddressRulesTest extends StackTestBase {

    @Test
    void whatNoInterfaceMayHaveIsRefusedNamingItAndNothingChanges() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        List<InterfaceAddress> before = stack.interfaceInfo("vp0").addresses();
        String[][] refused = {
            {"0.0.0.0/24", "unspecified"}, {"255.255.255.255/24", "limited broadcast"}, {"224.0.0.1/24", "multicast"},
            {"239.255.255.250/16", "multicast"}, {"240.0.0.1/8", "reserved"}, {"127.0.0.2/8", "loopback"},
            {"10.0.0.255/24", "broadcast address of its prefix /24"}, {"10.0.0.0/24", "network address"},
            {"192.168.1.255/23", "broadcast address of its prefix /23"}, {"10.1.2.3/0", "prefix length 0"},
            {"::/64", "unspecified"}, {"ff02::1/64", "multicast"}, {"::1/128", "loopback"}, {"fd00::1/0", "prefix length 0"}};
        for (String[] r : refused) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> stack.addAddress("vp0", InterfaceAddress.parse(r[0])), r[0]);
            assertTrue(e.getMessage().contains(InterfaceAddress.parse(r[0]).address().getHostAddress())
                    && e.getMessage().contains(r[1]) && e.getMessage().contains("vp0"), e.getMessage());
        }
        assertEquals(before, stack.interfaceInfo("vp0").addresses());
    }

    @Test
    void ordinaryAddressesAndTheEdgesThatAreAllowedAreTaken() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        for (String ok : List.of("10.0.0.1/24", "10.1.0.0/31", "10.1.0.3/31", "10.2.0.0/32", "192.168.1.254/23",
                "fe80::2/64", "fd00::1/64", "2001:db8::/64")) {
            stack.addAddress("vp0", InterfaceAddress.parse(ok));
            assertTrue(stack.interfaceInfo("vp0").addresses().contains(InterfaceAddress.parse(ok)), ok);
        }
        stack.addAddress("lo0", InterfaceAddress.parse("127.0.0.2/8")); // the loopback takes its range
    }
}
