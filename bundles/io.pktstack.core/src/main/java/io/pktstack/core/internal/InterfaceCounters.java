package io.pktstack.core.internal;

import io.pktstack.api.stack.Counters;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-interface traffic counters. Errors are the driver's to count (a frame
 * the stack finds malformed is a drop with its reason): the snapshot's error
 * columns are zero here, and {@link NetInterface#counters()} adds the
 * driver's. Updated once per batch from whichever thread
 * moves the batch (LongAdder: no contention between receive and transmit
 * threads, no allocation once warmed up).
 */
final class InterfaceCounters {
    final LongAdder inPackets = new LongAdder();
    final LongAdder inBytes = new LongAdder();
    final LongAdder inDrops = new LongAdder();
    final LongAdder outPackets = new LongAdder();
    final LongAdder outBytes = new LongAdder();
    final LongAdder outDrops = new LongAdder();
    /** Large TCP segments cut into MTU-sized frames in software on their way out ({@link Segmentation}). */
    final LongAdder gsoCut = new LongAdder();

    Counters snapshot() {
        return new Counters(inPackets.sum(), inBytes.sum(), 0, inDrops.sum(),
                outPackets.sum(), outBytes.sum(), 0, outDrops.sum());
    }
}
