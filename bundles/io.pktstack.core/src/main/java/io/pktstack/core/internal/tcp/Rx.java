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

    /** Sequence space the segment occupies: data, SYN and FIN (RFC 9293 §3.4 SEG.LEN). */
    int seqLen() {
        return dataLen + ((flags & TcpSegment.SYN) != 0 ? 1 : 0) + ((flags & TcpSegment.FIN) != 0 ? 1 : 0);
    }
}
