package io.pktstack.api.stack;

/**
 * The frame pool's state, as {@code netstat -m} shows mbuf usage.
 *
 * @param capacity frames in the pool
 * @param free frames in the pool now; {@code capacity - free} are in flight
 * @param slotBytes bytes per frame slot, headroom included
 */
public record BufferStatistics(int capacity, int free, int slotBytes) {

    public int inUse() {
        return capacity - free;
    }
}
