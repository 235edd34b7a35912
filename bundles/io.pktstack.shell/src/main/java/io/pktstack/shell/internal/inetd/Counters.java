package io.pktstack.shell.internal.inetd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What one running service did: connections or datagrams served, bytes each way, datagrams refused. */
final class Counters {

    final LongAdder served = new LongAdder();
    final AtomicInteger active = new AtomicInteger();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder refused = new LongAdder();
}
