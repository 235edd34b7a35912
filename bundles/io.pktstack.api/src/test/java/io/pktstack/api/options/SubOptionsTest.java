package io.pktstack.api.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.options.SubOptions.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubOptionsTest {

    @Test
    void keepsOrderAndRepeatedKeys() {
        SubOptions o = SubOptions.parse("peer=/dev/a,bind=/dev/x,peer=/dev/b,bind=/dev/y");
        assertEquals(List.of(new Entry("peer", "/dev/a"), new Entry("bind", "/dev/x"),
                new Entry("peer", "/dev/b"), new Entry("bind", "/dev/y")), o.entries());
        assertEquals("/dev/b", o.get("peer"), "get gives the last value");
        assertTrue(o.has("bind"));
        assertFalse(o.has("mac"));
        assertNull(o.get("mac"));
    }

    @Test
    void flagsHaveNoValueAndReadAsEmpty() {
        SubOptions o = SubOptions.parse("verbose,mtu=1500");
        Entry flag = o.entries().get(0);
        assertTrue(flag.isFlag());
        assertNull(flag.value());
        assertFalse(o.entries().get(1).isFlag());
        assertEquals("", o.get("verbose"));
        assertEquals("verbose,mtu=1500", o.toString());
    }

    @Test
    void valueKeepsEverythingAfterTheFirstEquals() {
        SubOptions o = SubOptions.parse("name=a=b,empty=");
        assertEquals(new Entry("name", "a=b"), o.entries().get(0));
        assertEquals(new Entry("empty", ""), o.entries().get(1));
        assertFalse(o.entries().get(1).isFlag(), "'empty=' is a key with an empty value, not a flag");
        assertEquals("name=a=b,empty=", o.toString());
    }

    @Test
    void emptyItemsAndBlanksAreSkipped() {
        // A trailing comma is what a backslash-newline continuation leaves behind.
        SubOptions o = SubOptions.parse(" a=1, ,,b ,");
        assertEquals(List.of(new Entry("a", "1"), new Entry("b", null)), o.entries());
    }

    @Test
    void nothingParsesToEmpty() {
        assertSame(SubOptions.EMPTY, SubOptions.parse(null));
        assertTrue(SubOptions.parse("").isEmpty());
        assertTrue(SubOptions.parse(",").isEmpty());
        assertEquals("", SubOptions.EMPTY.toString());
    }

    @Test
    void keyMissingBeforeEqualsIsRefusedNamingTheItem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SubOptions.parse("peer=/dev/a,=/dev/x"));
        assertTrue(e.getMessage().contains("'=/dev/x'"), e.getMessage());
    }

    @Test
    void entriesAreACopy() {
        List<Entry> list = new ArrayList<>(List.of(new Entry("a", "1")));
        SubOptions o = new SubOptions(list);
        list.add(new Entry("b", "2"));
        assertEquals(1, o.entries().size());
        assertThrows(UnsupportedOperationException.class, () -> o.entries().add(new Entry("c", null)));
    }

    @Test
    void requireKnownNamesTheUnknownOptionAndListsTheAcceptedOnesSorted() {
        SubOptions o = SubOptions.parse("peer=/dev/a,bnid=/dev/x");
        o.requireKnown("vdevpeer-net", Set.of("peer", "bind", "bnid"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> o.requireKnown("vdevpeer-net", Set.of("peer", "bind", "mac")));
        assertEquals("unknown option 'bnid=/dev/x' for driver vdevpeer-net (accepted: bind, mac, peer)", e.getMessage());
    }

    @Test
    void intValueWithinBounds() {
        assertEquals(1500, new Entry("mtu", "1500").intValue(68, 9000));
        assertEquals(68, new Entry("mtu", "68").intValue(68, 9000));
        assertEquals(9000, new Entry("mtu", "9000").intValue(68, 9000));
    }

    @Test
    void intValueRefusesNamingTheOption() {
        for (Entry e : List.of(new Entry("mtu", "67"), new Entry("mtu", "9001"), new Entry("mtu", "15oo"),
                new Entry("mtu", ""), new Entry("mtu", null), new Entry("mtu", "99999999999"))) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> e.intValue(68, 9000));
            assertEquals("option '" + e + "': expected a number 68..9000", x.getMessage());
        }
    }
}
