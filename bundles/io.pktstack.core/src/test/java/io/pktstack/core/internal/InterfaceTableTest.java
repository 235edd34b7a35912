package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** BSD-style names: prefix plus the lowest free unit, or a forced unit that must be free. */
class InterfaceTableTest {

    @Test
    void unitsAreTheLowestFreeNumberPerPrefix() {
        InterfaceTable t = new InterfaceTable();
        assertEquals("vp0", t.reserveName("vp", -1));
        assertEquals("vp1", t.reserveName("vp", -1));
        assertEquals("wm0", t.reserveName("wm", -1));
        t.releaseName("vp0");
        assertEquals("vp0", t.reserveName("vp", -1));
        assertEquals("vp2", t.reserveName("vp", -1));
    }

    @Test
    void aForcedUnitIsHonouredAndSkippedByAutomaticNames() {
        InterfaceTable t = new InterfaceTable();
        assertEquals("vp1", t.reserveName("vp", 1));
        assertEquals("vp0", t.reserveName("vp", -1));
        assertEquals("vp2", t.reserveName("vp", -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reserveName("vp", 2));
        assertTrue(e.getMessage().contains("vp2"), e.getMessage());
    }

    @Test
    void interfaceNumbersAreTheLowestFreeAndReusedOnceRemoved() {
        InterfaceTable t = new InterfaceTable();
        NetInterface[] nifs = new NetInterface[3];
        for (int i = 0; i < 3; i++) {
            nifs[i] = new NetInterface(t.nextIndex(), t.reserveName("vp", -1), NetInterface.Kind.LINK, "fake", null,
                    io.pktstack.api.net.MacAddress.parse("02:00:00:00:00:0" + (i + 1)), 1514, null, null);
            t.add(nifs[i]);
            assertEquals(i + 1, nifs[i].index, "0 is never an interface's number");
        }
        t.remove(nifs[1]);
        assertEquals(2, t.nextIndex(), "the removed interface's number");
        assertEquals(4, t.nextIndex());
    }

    @Test
    void requireNamesTheMissingInterface() {
        InterfaceTable t = new InterfaceTable();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.require("vp7"));
        assertTrue(e.getMessage().contains("vp7"));
    }
}
