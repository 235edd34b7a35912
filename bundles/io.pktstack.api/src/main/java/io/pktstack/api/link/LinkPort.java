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
}
