package io.pktstack.vdev.internal;

import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.SharedMemory;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.MemorySegment;

/**
 * The memory of a pktstack front-end: one memfd holding its receive and
 * transmit virtqueues and their packet buffers, shared with the back-end by
 * SET_MEM_TABLE as the region at guest address 0 (a descriptor's address
 * into it is a byte offset; shared frame pools are further regions at their
 * own addresses). Nothing appears in the file
 * system; the memory goes when both sides have closed it.
 *
 * <pre>
 * 0          receive queue  (VirtqueueLayout, N entries)
 * ...        transmit queue (16-aligned)
 * (4096-al.) N receive buffers of bufferSize bytes, then N transmit buffers
 * (4096-al.) L large transmit buffers of {@link #LARGE_BUFFER} bytes (TSO)
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
    private final long largeBuffers;
    private final int largeCount;

    /** A large transmit buffer: a virtio_net_hdr and a 64 KiB TCP segment with its Ethernet header, page-rounded. */
    static final int LARGE_BUFFER = 68 * 1024;

    DriverRegion(String name, int queueSize, int bufferSize) throws HostIoException {
        this(name, queueSize, bufferSize, 0, true);
    }

    /** With {@code largeCount} large transmit buffers (the front-end negotiated HOST_TSO). */
    DriverRegion(String name, int queueSize, int bufferSize, int largeCount) throws HostIoException {
        this(name, queueSize, bufferSize, largeCount, true);
    }

    DriverRegion(String name, int queueSize, int bufferSize, boolean sealed) throws HostIoException {
        this(name, queueSize, bufferSize, 0, sealed);
    }

    /** @param sealed false only for tests that shrink the memory under the back-end, as a hostile guest would */
    private DriverRegion(String name, int queueSize, int bufferSize, int largeCount, boolean sealed)
            throws HostIoException {
        this.queueSize = queueSize;
        this.largeCount = largeCount;
        this.bufferSize = bufferSize;
        this.rxq = VirtqueueLayout.of(queueSize, 0);
        this.txq = VirtqueueLayout.of(queueSize, align(rxq.end(), 16));
        this.rxBuffers = align(txq.end(), 4096);
        this.txBuffers = rxBuffers + (long) queueSize * bufferSize;
        this.largeBuffers = align(txBuffers + (long) queueSize * bufferSize, 4096);
        this.memory = SharedMemory.create(name, largeBuffers + (long) largeCount * LARGE_BUFFER, sealed);
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

    /** Large transmit buffers in this region. */
    int largeCount() {
        return largeCount;
    }

    long largeBuffer(int i) {
        return largeBuffers + (long) i * LARGE_BUFFER;
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
