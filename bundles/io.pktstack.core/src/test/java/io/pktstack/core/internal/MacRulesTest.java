package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The MAC rules of the design: generated addresses are locally administered
 * unicast and differ every time; a multicast MAC is refused; a MAC is unique
 * inside its segment (a bridge, its members and the stations behind them),
 * and a refusal names both interfaces.
 */
class MacRulesTest extends StackTestBase {

    private List<String> names() {
        return stack.interfaces().stream().map(InterfaceInfo::name).toList();
    }

    @Test
    void generatedMacsAreLocallyAdministeredUnicastAndFresh() {
        Set<MacAddress> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            MacAddress m = MacAddress.generateLocal();
            assertTrue(m.isLocallyAdministered(), m.toString());
            assertFalse(m.isMulticast(), m.toString());
            seen.add(m);
        }
        assertTrue(seen.size() > 9_990, "generated MACs repeat: " + seen.size() + " distinct of 10000");
    }

    @Test
    void aBridgeGetsAGeneratedMacAndAMatchingLinkLocalAddress() {
        stack.createBridge("bridge0");
        stack.createBridge("bridge1");
        MacAddress m0 = stack.interfaceInfo("bridge0").mac();
        MacAddress m1 = stack.interfaceInfo("bridge1").mac();
        assertTrue(m0.isLocallyAdministered() && m0.isUnicast());
        assertNotEquals(m0, m1);
        assertEquals(IpLayer.linkLocal(m0), stack.interfaceInfo("bridge0").addresses().getFirst());
    }

    @Test
    void aLinkWithTheAllZeroMacIsRefused() {
        FakeLink bad = add(new FakeLink("00:00:00:00:00:00"), "vp");
        assertFalse(bad.attached(), "no station has the all-zero address");
        assertFalse(names().contains("vp0"));
    }

    @Test
    void aLinkWithAMulticastMacIsRefusedAndItsNameFreed() {
        FakeLink bad = add(new FakeLink("01:00:5e:00:00:01"), "vp");

        assertFalse(bad.attached(), "a refused link is never attached");
        assertFalse(names().contains("vp0"));
        FakeLink good = add(new FakeLink("02:00:00:00:00:01"), "vp");
        assertTrue(good.attached());
        assertEquals("vp0", stack.interfaces().getLast().name(), "the refused link's unit was given back");
    }

    @Test
    void anAssignedUniversalMacIsAcceptedWithAWarning() {
        FakeLink link = add(new FakeLink("00:11:22:33:44:55"), "vp");
        assertTrue(link.attached());
        assertTrue(stack.interfaceInfo("vp0").isRunning());
    }

    @Test
    void aForcedUnitAlreadyInUseIsRefused() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        FakeLink second = new FakeLink("02:00:00:00:00:02");
        stack.addLink(second, Map.of(Link.DRIVER, "fake", Link.PREFIX, "vp", Link.UNIT, 0));
        assertFalse(second.attached());
        FakeLink third = new FakeLink("02:00:00:00:00:03");
        stack.addLink(third, Map.of(Link.DRIVER, "fake", Link.PREFIX, "vp", Link.UNIT, 5));
        assertEquals(List.of("lo0", "vp0", "vp5"), names());
    }

    @Test
    void twoMembersWithOneMacAreRefusedNamingBoth() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        add(new FakeLink("02:00:00:00:00:01"), "vp"); // allowed: separate segments so far
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.bridgeAdd("bridge0", "vp1"));

        assertTrue(e.getMessage().contains("vp1") && e.getMessage().contains("vp0")
                && e.getMessage().contains("02:00:00:00:00:01"), e.getMessage());
        assertEquals(List.of("vp0"), stack.bridgeMembers("bridge0"));
        assertNull(stack.interfaceInfo("vp1").bridge());
    }

    @Test
    void aMemberWithTheBridgesOwnMacIsRefused() {
        stack.createBridge("bridge0");
        MacAddress bridgeMac = stack.interfaceInfo("bridge0").mac();
        add(new FakeLink(bridgeMac, true), "vp");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.bridgeAdd("bridge0", "vp0"));
        assertTrue(e.getMessage().contains("vp0") && e.getMessage().contains("bridge0"), e.getMessage());
    }

    @Test
    void aMemberWhosePeerUsesAnotherMembersMacIsRefused() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        add(new FakeLink("02:00:00:00:00:02").peerMac("02:00:00:00:00:01"), "vp");
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.bridgeAdd("bridge0", "vp1"));
        assertTrue(e.getMessage().contains("vp1's peer") && e.getMessage().contains("vp0"), e.getMessage());
    }

    @Test
    void twoPeersWithOneMacAreRefusedNamingBoth() {
        add(new FakeLink("02:00:00:00:00:01").peerMac("aa:aa:aa:aa:aa:aa"), "vp");
        add(new FakeLink("02:00:00:00:00:02").peerMac("aa:aa:aa:aa:aa:aa"), "vp");
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.bridgeAdd("bridge0", "vp1"));
        assertTrue(e.getMessage().contains("vp1's peer") && e.getMessage().contains("vp0's peer"), e.getMessage());
    }

    @Test
    void aPeerThatAppearsWithACollidingMacKeepsItsLinkDown() {
        FakeLink vp0 = add(new FakeLink("02:00:00:00:00:01"), "vp");
        FakeLink vp1 = new FakeLink("02:00:00:00:00:02");
        vp1.carrierOnAttach = false; // its guest is not there yet
        add(vp1, "vp");
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");
        stack.bridgeAdd("bridge0", "vp1");
        vp0.takeSent();

        vp1.peerMac("02:00:00:00:00:01"); // the guest comes up with vp0's MAC
        vp1.setCarrier(true);

        InterfaceInfo info = stack.interfaceInfo("vp1");
        assertFalse(info.isRunning());
        String refused = String.valueOf(info.details().get("refused"));
        assertTrue(refused.contains("vp1's peer") && refused.contains("vp0"), refused);
        vp1.inject(BridgeTest.frame(BridgeTest.BCAST, "020000000001"));
        assertEquals(List.of(), vp0.takeSent(), "nothing from a refused link enters the segment");
        assertEquals(1, drops("vp1", DropReason.INTERFACE_DOWN));

        vp1.setCarrier(false);
        vp1.peerMac("02:00:00:00:00:99"); // the guest restarts with a free MAC
        vp1.setCarrier(true);
        assertTrue(stack.interfaceInfo("vp1").isRunning());
        assertNull(stack.interfaceInfo("vp1").details().get("refused"));
    }

    @Test
    void theSameMacInDifferentBridgesIsFine() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        stack.createBridge("bridge0");
        stack.createBridge("bridge1");
        stack.bridgeAdd("bridge0", "vp0");
        stack.bridgeAdd("bridge1", "vp1");
        assertEquals(List.of("vp1"), stack.bridgeMembers("bridge1"));
    }

    @Test
    void aMemberCannotJoinTwoBridges() {
        add(new FakeLink("02:00:00:00:00:01"), "vp");
        stack.createBridge("bridge0");
        stack.createBridge("bridge1");
        stack.bridgeAdd("bridge0", "vp0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stack.bridgeAdd("bridge1", "vp0"));
        assertTrue(e.getMessage().contains("bridge0"), e.getMessage());
    }
}
