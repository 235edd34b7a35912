package io.pktstack.vdev.internal;

import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.SharedMemory;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.MemorySegment;

/**
 * The memory of a pktstack front-end: one memfd holding its receive and
 * transmit virtqueues and their packet buffers, shared with the back-end by
 * SET_MEM_TABLE as a single region at guest address 0 (so a descriptor's
 * address is a byte offset into this memory). Nothing appears in the file
 * system; the memory goes when both sides have closed it.
 *
 * <pre>
 * 0          receive queue  (VirtqueueLayout, N entries)
 * ...        transmit queue (16-aligned)
 * (4096-al.) N receive buffers of bufferSize bytes, then N transmit buffers
 * </pre>
 */
final class DriverRegion implements AutoCloseable {

    private final SharedMemory memory;
    private final int queueSize;
    private final int bufferSize;
    private final VirtqueueLayout rxq;
    private final VirtqueueLayout txq;
    private final long rxBuffers;
    private final long txBuffers;

    DriverRegion(String name, int queueSize, int bufferSize) throws HostIoException {
        this(name, queueSize, bufferSize, true);
    }

    /** @param sealed false only for tests that shrink the memory under the back-end, as a hostile guest would */
    DriverRegion(String name, int queueSize, int bufferSize, boolean sealed) throws HostIoException {
        this.queueSize = queueSize;
        this.bufferSize = bufferSize;
        this.rxq = VirtqueueLayout.of(queueSize, 0);
        this.txq = VirtqueueLayout.of(queueSize, align(rxq.end(), 16));
        this.rxBuffers = align(txq.end(), 4096);
        this.txBuffers = rxBuffers + (long) queueSize * bufferSize;
        this.memory = SharedMemory.create(name, txBuffers + (long) queueSize * bufferSize, sealed);
    }

    static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    SharedMemory memory() {
        return memory;
    }

    MemorySegment segment() {
        return memory.segment();
    }

    int queueSize() {
        return queueSize;
    }

    int bufferSize() {
        return bufferSize;
    }

    VirtqueueLayout rxQueue() {
        return rxq;
    }

    VirtqueueLayout txQueue() {
        return txq;
    }

    long rxBuffer(int i) {
        return rxBuffers + (long) i * bufferSize;
    }

    long txBuffer(int i) {
        return txBuffers + (long) i * bufferSize;
    }

    /** The front-end's user address of an offset in this region (what SET_VRING_ADDR carries). */
    long userAddress(long offset) {
        return memory.segment().address() + offset;
    }

    @Override
    public void close() {
        memory.close();
    }
}
