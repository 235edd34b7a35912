package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bridge's address table on its own, with time passed in. */
class MacTableTest {

    static final long TIMEOUT = 1_000;
    static final long MAC_A = 0x02aa_0000_0001L;
    static final long MAC_B = 0x02bb_0000_0002L;
    static final long MAC_C = 0x02cc_0000_0003L;

    private static Map<Long, Integer> live(MacTable t, long now) {
        Map<Long, Integer> m = new HashMap<>();
        t.forEach(now, (mac, port, age) -> m.put(mac, port));
        return m;
    }

    @Test
    void learnsAndLooksUp() {
        MacTable t = new MacTable(10, TIMEOUT);
        assertEquals(MacTable.NONE, t.lookup(MAC_A, 0));
        assertTrue(t.learn(MAC_A, 3, 0));
        assertTrue(t.learn(MAC_B, 4, 0));
        assertEquals(3, t.lookup(MAC_A, 10));
        assertEquals(4, t.lookup(MAC_B, 10));
        assertEquals(MacTable.NONE, t.lookup(MAC_C, 10));
        assertEquals(2, t.size());
    }

    @Test
    void relearningMovesTheEntryAndRefreshesIt() {
        MacTable t = new MacTable(10, TIMEOUT);
        t.learn(MAC_A, 3, 0);
        t.learn(MAC_A, 5, 900);
        assertEquals(1, t.size());
        assertEquals(5, t.lookup(MAC_A, 1_800), "seen again at 900: valid until 1900");
    }

    @Test
    void entriesExpireAfterTheTimeoutNotAtIt() {
        MacTable t = new MacTable(10, TIMEOUT);
        t.learn(MAC_A, 3, 100);
        assertEquals(3, t.lookup(MAC_A, 100 + TIMEOUT));
        assertEquals(MacTable.NONE, t.lookup(MAC_A, 100 + TIMEOUT + 1));
        assertEquals(Map.of(), live(t, 100 + TIMEOUT + 1));
    }

    @Test
    void ageIsReportedFromTheLastSighting() {
        MacTable t = new MacTable(10, TIMEOUT);
        t.learn(MAC_A, 3, 100);
        long[] age = new long[1];
        t.forEach(450, (mac, port, a) -> age[0] = a);
        assertEquals(350, age[0]);
    }

    @Test
    void timeMayWrapAroundLikeNanoTime() {
        MacTable t = new MacTable(10, TIMEOUT);
        long before = Long.MAX_VALUE - 10;
        t.learn(MAC_A, 3, before);
        assertEquals(3, t.lookup(MAC_A, before + 500)); // overflows to a negative long
        assertEquals(MacTable.NONE, t.lookup(MAC_A, before + TIMEOUT + 1));
    }

    @Test
    void expireDropsOnlyStaleEntriesAndFreesTheirRoom() {
        MacTable t = new MacTable(2, TIMEOUT);
        t.learn(MAC_A, 1, 0);
        t.learn(MAC_B, 2, 600);
        assertFalse(t.learn(MAC_C, 3, 700), "full at maxaddr");
        t.expire(1_200);
        assertEquals(1, t.size());
        assertEquals(MacTable.NONE, t.lookup(MAC_A, 1_200));
        assertEquals(2, t.lookup(MAC_B, 1_200));
        assertTrue(t.learn(MAC_C, 3, 1_200));
        assertEquals(3, t.lookup(MAC_C, 1_200));
    }

    @Test
    void fullTableStillRefreshesKnownAddresses() {
        MacTable t = new MacTable(1, TIMEOUT);
        assertTrue(t.learn(MAC_A, 1, 0));
        assertFalse(t.learn(MAC_B, 2, 0));
        assertTrue(t.learn(MAC_A, 7, 500));
        assertEquals(7, t.lookup(MAC_A, 1_400));
        assertEquals(MacTable.NONE, t.lookup(MAC_B, 0));
    }

    @Test
    void removePortForgetsEverythingBehindIt() {
        MacTable t = new MacTable(10, TIMEOUT);
        t.learn(MAC_A, 1, 0);
        t.learn(MAC_B, 2, 0);
        t.learn(MAC_C, 1, 0);
        t.removePort(1, 10);
        assertEquals(Map.of(MAC_B, 2), live(t, 10));
        assertEquals(1, t.size());
    }

    @Test
    void manyAddressesSurviveRebuilds() {
        // Enough keys to make probe chains; each rebuild must keep every live one reachable.
        MacTable t = new MacTable(Bridge.MAX_ADDRESSES_LIMIT, TIMEOUT);
        for (int i = 0; i < Bridge.MAX_ADDRESSES_LIMIT; i++) {
            assertTrue(t.learn(0x0200_0000_0000L | i, i % 7, 0));
        }
        t.removePort(3, 1);
        for (int i = 0; i < Bridge.MAX_ADDRESSES_LIMIT; i++) {
            int expect = i % 7 == 3 ? MacTable.NONE : i % 7;
            assertEquals(expect, t.lookup(0x0200_0000_0000L | i, 1), "address " + i);
        }
    }

    @Test
    void aFullTableOfStaleAddressesMakesRoomForNewOnesAndLiveOnesAreCounted() {
        MacTable t = new MacTable(4, TIMEOUT);
        for (int i = 0; i < 4; i++) {
            assertTrue(t.learn(0x0200_0000_0100L + i, 1, 0));
        }
        // Full of live entries: a fifth is refused and counted (its frames flood), no sweep helps.
        assertTrue(!t.learn(0x0200_0000_0200L, 2, 10));
        assertEquals(1, t.overflows());
        // The four go stale; the next new station finds them swept out (the sweep waits a second between tries).
        long later = TIMEOUT + MacTable.SWEEP_INTERVAL_NANOS + 1;
        assertTrue(t.learn(0x0200_0000_0300L, 3, later));
        assertEquals(1, t.size());
        assertEquals(3, t.lookup(0x0200_0000_0300L, later));
        assertEquals(1, t.overflows());
    }

    @Test
    void aPeerSendingFromEverNewMacsCannotMakeItSweepPerFrame() {
        MacTable t = new MacTable(4, TIMEOUT);
        for (int i = 0; i < 4; i++) {
            t.learn(0x0200_0000_0100L + i, 1, 0);
        }
        long now = 5;
        for (int i = 0; i < 10_000; i++) {
            t.learn(0x0200_0001_0000L + i, 2, now + i); // within one sweep interval
        }
        assertEquals(10_000, t.overflows());
        assertEquals(4, t.size());
    }

    @Test
    void aNewBoundKeepsWhatFitsAndIsHonoured() {
        MacTable t = new MacTable(8, TIMEOUT);
        for (int i = 0; i < 8; i++) {
            assertTrue(t.learn(0x0200_0000_0100L + i, i, 0));
        }
        t.setMaxAddresses(3);
        assertEquals(3, t.size());
        assertEquals(3, t.maxAddresses());
        t.setMaxAddresses(100);
        assertEquals(3, t.size(), "entries kept across a resize");
        for (int i = 0; i < 97; i++) {
            assertTrue(t.learn(0x0200_0000_1000L + i, 1, 1));
        }
        assertTrue(!t.learn(0x0200_0000_2000L, 1, 1));
    }
}
