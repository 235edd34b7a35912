package io.pktstack.vdev.internal;

import io.pktstack.api.frame.FrameBatch;
import java.util.Map;

/** One connection of a guest link, from accept or connect to its end, in either role. */
interface Session {

    /** Runs the connection on the endpoint's thread until it ends (peer gone, rule broken, or closing). */
    void run();

    /** Sends frames from the front of the batch ({@code Link.transmit}); any thread. */
    int transmit(FrameBatch batch);

    /** Whether frames flow. */
    boolean up();

    /** What the stack may hand this session's peer as it is ({@code Link.offloads}); 0 while down. */
    default int offloads() {
        return 0;
    }

    /** Frames of the stack's pool on this session's rings ({@code Link.framesOnRings}); read racily. */
    default int framesOnRings() {
        return 0;
    }

    /** Frames of the stack's pools left with the peer at this session's end (it did not stop its rings). */
    default int withheld() {
        return 0;
    }

    /** State for {@code nicinfo}. */
    Map<String, Object> details();

    /** Whether the session ended because the peer was refused (so the endpoint waits before it tries again). */
    boolean refused();
}
