package io.pktstack.vdev;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.LinkPort;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The stack's side of a link, for tests: copies received frames out and
 * releases them (as the stack would once done), and records carrier changes
 * and events for bounded waits.
 */
final class RecordingPort implements LinkPort {

    static final long WAIT_SECONDS = 20;

    final FramePool pool;
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    /** Each received frame's checksum state as "STATE START OFFSET" (Frame.checksum(), csumStart(), csumOffset()). */
    final BlockingQueue<String> checksums = new LinkedBlockingQueue<>();
    final BlockingQueue<Boolean> carrier = new LinkedBlockingQueue<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    /** Large frames the stack offers ({@link #largePool}), or null. */
    volatile FramePool large;
    /** Each received frame's segmentation as "TYPE SIZE" (Frame.gso(), gsoSize()). */
    final BlockingQueue<String> segmentation = new LinkedBlockingQueue<>();

    RecordingPort(FramePool pool) {
        this.pool = pool;
    }

    @Override
    public FramePool largePool() {
        return large;
    }

    @Override
    public FramePool pool() {
        return pool;
    }

    @Override
    public void receive(FrameBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            Frame f = batch.get(i);
            byte[] b = new byte[f.length()];
            MemorySegment.copy(f.segment(), ValueLayout.JAVA_BYTE, f.offset(), b, 0, b.length);
            received.add(b);
            checksums.add(f.checksum() + " " + f.csumStart() + " " + f.csumOffset());
            segmentation.add(f.gso() + " " + f.gsoSize());
        }
        batch.releaseAll();
    }

    @Override
    public void carrierChanged(boolean up) {
        carrier.add(up);
    }

    @Override
    public void event(String message) {
        events.add(message);
    }

    /** The next carrier change, waiting a bounded time. */
    boolean nextCarrier() throws InterruptedException {
        Boolean b = carrier.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no carrier change within " + WAIT_SECONDS + " s; events: " + events);
        }
        return b;
    }

    /** The next received frame's checksum state ({@link #checksums}), waiting a bounded time. */
    String nextChecksum() throws InterruptedException {
        String c = checksums.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no frame within " + WAIT_SECONDS + " s; events: " + events);
        }
        return c;
    }

    byte[] nextFrame() throws InterruptedException {
        byte[] b = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no frame within " + WAIT_SECONDS + " s; events: " + events);
        }
        return b;
    }

    /** A batch of frames from this port's pool holding {@code frames}. */
    FrameBatch batch(byte[]... frames) {
        FrameBatch batch = new FrameBatch();
        for (byte[] b : frames) {
            Frame f = pool.take();
            MemorySegment.copy(b, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), b.length);
            f.length(b.length);
            batch.add(f);
        }
        return batch;
    }
}
