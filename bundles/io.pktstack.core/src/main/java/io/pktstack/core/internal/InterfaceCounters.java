package io.pktstack.core.internal;

import io.pktstack.api.stack.Counters;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-interface traffic counters. Updated once per batch from whichever thread
 * moves the batch (LongAdder: no contention between receive and transmit
 * threads, no allocation once warmed up).
 */
final class InterfaceCounters {
    final LongAdder inPackets = new LongAdder();
    final LongAdder inBytes = new LongAdder();
    final LongAdder inErrors = new LongAdder();
    final LongAdder inDrops = new LongAdder();
    final LongAdder outPackets = new LongAdder();
    final LongAdder outBytes = new LongAdder();
    final LongAdder outErrors = new LongAdder();
    final LongAdder outDrops = new LongAdder();

    Counters snapshot() {
        return new Counters(inPackets.sum(), inBytes.sum(), inErrors.sum(), inDrops.sum(),
                outPackets.sum(), outBytes.sum(), outErrors.sum(), outDrops.sum());
    }
}
