package io.pktstack.core.internal;

import io.pktstack.api.frame.FramePool;
import io.pktstack.core.internal.time.StackTimer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every {@code kern.mbuf.trim_ms}, gives the pages of the stack's pool frames that stayed free that long
 * back to the system ({@link FramePool#trim}): a burst (a TCP stream, pktgen) leaves thousands of frames
 * resident that a quiet stack does not need. A frame given back costs a zero-filled page fault when next
 * used, so a busy stack, whose frames keep circulating, loses nothing: only what no take reached goes.
 */
final class PoolTrimmer extends StackTimer.Task {

    static final long DEFAULT_MILLIS = 1000;

    private final StackTimer timer;
    private final List<FramePool> pools;
    private volatile long intervalMillis = DEFAULT_MILLIS;
    private volatile long bytesGivenBack;

    PoolTrimmer(StackTimer timer, List<FramePool> pools) {
        this.timer = timer;
        this.pools = List.copyOf(pools);
    }

    void start() {
        if (intervalMillis > 0) {
            timer.schedule(this, TimeUnit.MILLISECONDS.toNanos(intervalMillis));
        }
    }

    long intervalMillis() {
        return intervalMillis;
    }

    /** 0 stops trimming; any other value applies from the next run (or now, if it was stopped). */
    void setIntervalMillis(long millis) {
        intervalMillis = millis;
        if (millis == 0) {
            timer.cancel(this);
        } else {
            timer.schedule(this, TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    /** Bytes of pool pages given back since the stack started (a page given back twice counts twice). */
    long bytesGivenBack() {
        return bytesGivenBack;
    }

    @Override
    protected void run(long now) {
        long bytes = 0;
        for (FramePool p : pools) {
            bytes += p.trim();
        }
        bytesGivenBack += bytes; // only this task writes it, on the timer's thread
        long millis = intervalMillis;
        if (millis > 0) {
            timer.scheduleAt(this, now + TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }
}
