package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.Link;
import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A driver instance that restarts (its bundle updated: the links go, the
 * configuration stays, the links come back) gets its interfaces back as the
 * operator had set them; one that was stopped does not.
 */
class InterfaceMemoryTest extends StackTestBase {

    private static Map<String, Object> props(String instance, String key) {
        return Map.of(Link.DRIVER, "fake", Link.INSTANCE, instance, Link.PREFIX, "vp", Link.KEY, key,
                Link.DESCRIPTION, "peer " + key);
    }

    private FakeLink link(String instance, String key, String mac) {
        FakeLink l = new FakeLink(mac);
        stack.addLink(l, props(instance, key));
        return l;
    }

    @Test
    void aRestartedInstanceGetsItsNamesAddressesBridgeAndImpairmentBack() {
        FakeLink a = link("vdevpeer-net.0", "/dev/vdevpeers/vp0", "02:00:00:00:00:01");
        FakeLink b = link("vdevpeer-net.0", "/dev/vdevpeers/vp1", "02:00:00:00:00:02");
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp1");
        address("vp1", "fd00:1::1/64");
        address("vp1", "10.1.0.1/24");
        stack.setImpairment("vp1", new Impairment(5, 0, 0, 0, 0));
        stack.setUp("vp0", false);

        // The bundle stops: both links go, in the order the driver withdraws them.
        stack.removeLink(a);
        stack.removeLink(b);
        assertFalse(stack.interfaces().stream().anyMatch(i -> i.name().startsWith("vp")));
        assertTrue(stack.bridgeMembers("bridge0").isEmpty());

        // It starts again and registers them in the other order: each gets its own back.
        FakeLink b2 = link("vdevpeer-net.0", "/dev/vdevpeers/vp1", "02:00:00:00:00:02");
        FakeLink a2 = link("vdevpeer-net.0", "/dev/vdevpeers/vp0", "02:00:00:00:00:01");
        InterfaceInfo vp1 = stack.interfaceInfo("vp1");
        assertTrue(vp1.addresses().contains(InterfaceAddress.parse("fd00:1::1/64")), vp1.addresses().toString());
        assertTrue(vp1.addresses().contains(InterfaceAddress.parse("10.1.0.1/24")));
        assertEquals(1, vp1.addresses().stream().filter(x -> x.address().isLinkLocalAddress()).count());
        assertEquals("bridge0", vp1.bridge());
        assertEquals(java.util.List.of("vp1"), stack.bridgeMembers("bridge0"));
        assertTrue(vp1.isUp());
        assertEquals(5.0, stack.impairment("vp1").lossPercent());
        assertFalse(stack.interfaceInfo("vp0").isUp(), "vp0 was down and comes back down");
        assertTrue(a2.attached() && b2.attached());
        assertEquals(b2.mac(), vp1.mac());
    }

    @Test
    void aStoppedInstanceIsForgotten() {
        FakeLink a = link("vdevpeer-net.3", "/dev/vdevpeers/vp0", "02:00:00:00:00:01");
        address("vp0", "10.9.0.1/24");
        stack.removeLink(a);
        stack.forget("vdevpeer-net.3", null);
        link("vdevpeer-net.3", "/dev/vdevpeers/vp0", "02:00:00:00:00:01");
        assertFalse(stack.interfaceInfo("vp0").addresses().contains(InterfaceAddress.parse("10.9.0.1/24")));
    }

    @Test
    void whatCannotComeBackIsLeftOutNotForced() {
        FakeLink a = link("i.1", "k0", "02:00:00:00:00:01");
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");
        address("vp0", "10.2.0.1/24");
        stack.removeLink(a);
        // Meanwhile the bridge went and the address was given to another interface.
        stack.destroyInterface("bridge0");
        link("other.1", "k9", "02:00:00:00:00:09");
        address("vp0", "10.2.0.1/24"); // vp0 is now the other instance's interface
        link("i.1", "k0", "02:00:00:00:00:01");
        InterfaceInfo back = stack.interfaceInfo("vp1");
        assertNull(back.bridge());
        assertFalse(back.addresses().contains(InterfaceAddress.parse("10.2.0.1/24")));
        assertEquals(new DriverLinks.Owner("other.1", "k9"), stack.ownerOf("vp0"));
        assertNull(stack.ownerOf("lo0"), "the loopback is no driver's");
        assertEquals(new DriverLinks.Owner("i.1", "k0"), stack.ownerOf("vp1"));
        assertEquals(java.util.List.of("vp1"), stack.interfacesOf("i.1"));
    }

    @Test
    void theMemoryIsBounded() {
        InterfaceMemory m = new InterfaceMemory();
        for (int i = 0; i < InterfaceMemory.MAX_ENTRIES * 3; i++) {
            m.remember("i." + i, "k", new InterfaceMemory.Settings("vp" + i, io.pktstack.api.net.MacAddress
                    .generateLocal(), java.util.List.of(), null, true, null));
        }
        assertEquals(InterfaceMemory.MAX_ENTRIES, m.size());
        assertNull(m.recall("i.0", "k"), "the oldest went first");
        assertTrue(m.recall("i." + (InterfaceMemory.MAX_ENTRIES * 3 - 1), "k") != null);
    }
}
