package io.pktstack.vdev.internal;

import java.lang.foreign.MemorySegment;

/** A packet's bytes where they lie (a descriptor chain in guest memory), copied out piece by piece. */
interface PacketBytes {

    /** Bytes in the packet. */
    long length();

    /** Copies {@code [from, from + len)} of the packet to {@code dst} at {@code dstOffset}; the range is within {@link #length()}. */
    void copyTo(long from, MemorySegment dst, long dstOffset, int len);
}
