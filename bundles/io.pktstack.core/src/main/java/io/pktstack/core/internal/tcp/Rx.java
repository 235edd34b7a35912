package io.pktstack.core.internal.tcp;

import io.pktstack.api.wire.TcpOptions;
import io.pktstack.api.wire.TcpSegment;
import java.lang.foreign.MemorySegment;

/**
 * A received segment, parsed once: its addresses, header fields, options and
 * where its data lies in the frame. One per receiving thread, refilled for
 * each segment, so input allocates nothing.
 */
final class Rx {

    final TcpSegment tcp = new TcpSegment();
    final TcpOptions opt = new TcpOptions();
    final FlowKey probe = new FlowKey();
    boolean v6;
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    int srcPort;
    int dstPort;
    int seq;
    int ack;
    int flags;
    int window;
    MemorySegment seg;
    long dataOff;
    int dataLen;

    /** The segment came in a receive thread's batch, which ends with {@link Tcp#endOfBatch}. */
    boolean inBatch;
    /** Connections whose output waits for the end of the batch (each once: {@code batchListed}). */
    TcpConnection[] ackAtEnd = new TcpConnection[16];
    int ackAtEndCount;

    /** Takes {@code c} into the batch's list. Grows only the first time a batch holds this many connections. */
    void defer(TcpConnection c) {
        if (ackAtEndCount == ackAtEnd.length) {
            ackAtEnd = java.util.Arrays.copyOf(ackAtEnd, ackAtEnd.length * 2);
        }
        ackAtEnd[ackAtEndCount++] = c;
    }

    /** Sequence space the segment occupies: data, SYN and FIN (RFC 9293 §3.4 SEG.LEN). */
    int seqLen() {
        return dataLen + ((flags & TcpSegment.SYN) != 0 ? 1 : 0) + ((flags & TcpSegment.FIN) != 0 ? 1 : 0);
    }
}
