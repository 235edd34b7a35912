package io.pktstack.vdev.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.FramePool;
import org.junit.jupiter.api.Test;

/** A pool's frames lent to rings: half the pool at most, each receive ring half of what is left. */
class RingLoansTest {

    @Test
    void receiveRingsReserveHalfOfWhatIsLeftAndSendingStopsAtHalfThePool() {
        try (FramePool pool = new FramePool(4096, FramePool.DEFAULT_SLOT_SIZE);
                FramePool other = new FramePool(64, FramePool.DEFAULT_SLOT_SIZE)) {
            RingLoans loans = RingLoans.of(pool);
            assertSame(loans, RingLoans.of(pool), "one account per pool");
            assertEquals(1024, loans.reserve(1024));
            assertEquals(512, loans.reserve(1024));
            assertEquals(256, loans.reserve(1024));
            assertEquals(100, loans.reserve(100), "a ring that wants less gets what it wants");
            assertTrue(loans.mayLend());
            loans.lend(2048 - 1024 - 512 - 256 - 100);
            assertFalse(loans.mayLend(), "half the pool is lent");
            assertEquals(0, loans.reserve(1024));
            loans.giveBack(512);
            assertTrue(loans.mayLend());
            assertEquals(1536, loans.lent());
            assertEquals(16, RingLoans.of(other).reserve(1024), "another pool, another account");
        }
    }
}
