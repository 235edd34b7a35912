package io.pktstack.vdev.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What an endpoint tells its link, recorded for tests: frames copied out
 * with their offload state, carrier changes and events, each waited for a
 * bounded time.
 */
final class RecordingListener implements LinkListener {

    final BlockingQueue<Boolean> carrier = new LinkedBlockingQueue<>();
    final List<String> messages = new CopyOnWriteArrayList<>();
    final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    /** Each received frame's segmentation, "GSO/SIZE" ("0/0" for a plain one), then " partial at START+OFFSET". */
    final BlockingQueue<String> gso = new LinkedBlockingQueue<>();
    /** The stack's large frames, or null for a stack that takes none. */
    volatile FramePool large;
    /** Run on the link's worker with each batch, before it is recorded. */
    volatile Consumer<FrameBatch> onReceive = b -> { };

    @Override
    public FramePool largePool() {
        return large;
    }

    @Override
    public void up(MacAddress peerMac) {
        carrier.add(true);
    }

    @Override
    public void down(String reason) {
        carrier.add(false);
    }

    @Override
    public void received(FrameBatch batch) {
        onReceive.accept(batch);
        for (int i = 0; i < batch.size(); i++) {
            Frame f = batch.get(i);
            frames.add(f.segment().asSlice(f.offset(), f.length()).toArray(ValueLayout.JAVA_BYTE));
            gso.add(f.gso() + "/" + f.gsoSize()
                    + (f.checksum() == Frame.CSUM_PARTIAL ? " partial at " + f.csumStart() + "+" + f.csumOffset() : ""));
        }
        batch.releaseAll();
    }

    @Override
    public void event(String message) {
        messages.add(message);
    }

    /** Waits for carrier to come up, passing over downs reported before (a connection the test closed). */
    void awaitUp() throws InterruptedException {
        while (!nextCarrier()) {
            // a down from before
        }
    }

    boolean nextCarrier() throws InterruptedException {
        Boolean b = carrier.poll(20, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no carrier change; events " + messages);
        }
        return b;
    }

    /** The next frame, waiting a bounded time. */
    byte[] nextFrame() throws InterruptedException {
        byte[] f = frames.poll(20, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame; events " + messages);
        }
        return f;
    }
}
