package io.pktstack.vdev.internal;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;

/** What a guest link's endpoint tells its owner (the driver's link). */
public interface LinkListener {
    /** The data path runs: frames may flow. {@code peerMac} is the peer's MAC if it said, else null. */
    void up(MacAddress peerMac);

    /** The data path stopped (peer gone, guest driver stopped, link reset). */
    void down(String reason);

    /** Frames arrived; takes ownership of the batch's frames and empties it. */
    void received(FrameBatch batch);

    /** Something the operator should see. */
    void event(String message);

    /** Frames for segmentation-offload packets ({@code LinkPort.largePool}), or null: large segments are cut here. */
    default FramePool largePool() {
        return null;
    }
}
