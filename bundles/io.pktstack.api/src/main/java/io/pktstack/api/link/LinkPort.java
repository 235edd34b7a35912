package io.pktstack.api.link;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import org.osgi.annotation.versioning.ProviderType;

/** The stack's side of an attached {@link Link}: where a driver delivers what it receives. */
@ProviderType
public interface LinkPort {

    /** The pool receive buffers come from. */
    FramePool pool();

    /**
     * The pool of frames for segmentation-offload packets (64 KiB and more),
     * or null when the stack takes none: a driver then cuts a large segment
     * it receives into frames of {@link #pool()}. Few frames: a driver that
     * finds it empty does that too.
     *
     * @since 1.3
     */
    default FramePool largePool() {
        return null;
    }

    /**
     * Delivers received frames. Takes ownership of every frame in the batch and
     * empties it. Called from the driver's receive thread; returns quickly.
     */
    void receive(FrameBatch batch);

    /**
     * Reports that carrier came or went (peer connected, disconnected, reset).
     * A link starts without carrier: a driver whose link is up at once reports
     * it from {@link Link#attach}.
     */
    void carrierChanged(boolean up);

    /**
     * Reports a problem that the operator must see (for example, a peer that
     * broke the ring rules and had its link reset).
     */
    void event(String message);

    /** {@link #busyPollMicros()} of a port that does not say: 50 µs. */
    long DEFAULT_BUSY_POLL_MICROS = 50;

    /**
     * How long, in microseconds, a driver's worker keeps polling its rings after
     * its last work before it sleeps on its notifications (the stack's
     * {@code sysctl net.link.vdev.busy_poll}; 0: never poll, sleep at once).
     * Read often: a change applies to running workers.
     */
    default long busyPollMicros() {
        return DEFAULT_BUSY_POLL_MICROS;
    }

    /**
     * The CPU a driver's worker pins itself to when it starts, or -1 for none
     * (the stack's {@code sysctl net.link.vdev.poll_cpu}).
     */
    default int pollCpu() {
        return -1;
    }
}
