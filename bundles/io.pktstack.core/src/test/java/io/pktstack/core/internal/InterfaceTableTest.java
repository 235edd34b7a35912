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
    void requireNamesTheMissingInterface() {
        InterfaceTable t = new InterfaceTable();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.require("vp7"));
        assertTrue(e.getMessage().contains("vp7"));
    }
}
