package io.pktstack.api.stack;

/**
 * The frame pool's state, as {@code netstat -m} shows mbuf usage.
 *
 * @param capacity frames in the pool
 * @param free frames in the pool now
 * @param slotBytes bytes per frame slot, headroom included
 * @param onRings frames out of the pool that links hold on their rings (posted to receive into, or sent and not yet
 *        returned by the peer: {@code Link.framesOnRings}); the rest of those out of the pool are the stack's
 *        ({@link #inUse()}). Since 1.3.
 * @param givenBackBytes bytes of pool pages given back to the system since start because their frames stayed
 *        free ({@code FramePool.trim}, {@code sysctl kern.mbuf.trim_ms}); they become resident again when used.
 *        Since 1.4.
 */
public record BufferStatistics(int capacity, int free, int slotBytes, int onRings, long givenBackBytes) {

    /** Without frames on rings (a stack whose links hold none). */
    public BufferStatistics(int capacity, int free, int slotBytes) {
        this(capacity, free, slotBytes, 0, 0);
    }

    /** Without pages given back. */
    public BufferStatistics(int capacity, int free, int slotBytes, int onRings) {
        this(capacity, free, slotBytes, onRings, 0);
    }

    /** Frames the stack holds: out of the pool and not on a link's ring. */
    public int inUse() {
        return capacity - free - onRings;
    }
}
