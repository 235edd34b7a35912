package io.pktstack.vdev.internal;

import java.util.concurrent.atomic.LongAdder;

/** Drop and traffic counters of one guest link, kept across its sessions and shown by {@code nicinfo}. */
final class LinkCounters {
    /** Times a frame found the peer's ring full (the caller may retry it). */
    final LongAdder txRingFull = new LongAdder();
    /** Sleeps of a transmit that waited for the peer to make room (back-pressure), and waits that timed out. */
    final LongAdder txWaits = new LongAdder();
    final LongAdder txStalls = new LongAdder();
    final LongAdder txTooBig = new LongAdder();
    final LongAdder txNoCarrier = new LongAdder();
    final LongAdder rxNoFrame = new LongAdder();
    final LongAdder rxBadHeader = new LongAdder();
    final LongAdder rxTooBig = new LongAdder();
    /** Large segments from the guest cut into MTU-sized frames, and the frames they became. */
    final LongAdder rxSegmented = new LongAdder();
    final LongAdder rxSegments = new LongAdder();
    /** Large segments from the guest passed on whole in a large frame, and ones cut because none was free. */
    final LongAdder rxLarge = new LongAdder();
    final LongAdder rxNoLargeFrame = new LongAdder();
    /** Large segments handed to the guest whole (it took GUEST_TSO). */
    final LongAdder txLarge = new LongAdder();
    /** Large segments a front-end's worker sent in pieces because all its large buffers were in flight. */
    final LongAdder txCutForWantOfLarge = new LongAdder();
    final LongAdder rxChecksummed = new LongAdder();
    final LongAdder kicksSent = new LongAdder();
    final LongAdder kicksReceived = new LongAdder();
    /** Sessions ended because the peer broke a ring rule. */
    final LongAdder ringViolations = new LongAdder();
    /** Sessions ended because the peer broke a vhost-user rule. */
    final LongAdder protocolViolations = new LongAdder();
    final LongAdder sessions = new LongAdder();
    /** Sessions ended by a fault of this side (a bug), not the peer's. */
    final LongAdder internalErrors = new LongAdder();
}
