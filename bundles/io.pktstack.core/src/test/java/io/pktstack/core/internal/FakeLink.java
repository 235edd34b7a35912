package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A driver's link for tests: records what the stack transmits (copies the
 * bytes out and releases the frames, as a driver that put them on a wire
 * would) and injects received frames through the stack's {@link LinkPort}, on
 * the calling thread.
 */
final class FakeLink implements Link {

    private final MacAddress mac;
    private final boolean macAssigned;
    private volatile MacAddress peerMac;
    private volatile LinkPort port;
    private volatile boolean carrier;
    /** Whether {@link #attach} reports carrier at once (a link whose peer is already there). */
    volatile boolean carrierOnAttach = true;
    /** The frame size the link reports, Ethernet header included (read once, when the stack attaches it). */
    volatile int mtu = 1514;
    /** Whether transmitted frames are released without being recorded (a sink for allocation tests). */
    volatile boolean discard;
    /** Frames the link takes per {@link #transmit} call; the rest "find the ring full". */
    volatile int room = Integer.MAX_VALUE;
    /** What the link says it takes of offloads ({@link Link#offloads}). */
    volatile int offloads;
    /** What the link says it holds of the stack's frames on its rings ({@link Link#framesOnRings}). */
    volatile int framesOnRings;
    int attaches;
    int detaches;
    private final List<byte[]> sent = new ArrayList<>();
    /** Each transmitted frame's checksum state ({@link Frame#checksum()}), in order; cleared with {@link #takeSent}. */
    final List<Integer> sentChecksums = new ArrayList<>();
    /** The segment size of each frame sent whole as a large segment (TSO), 0 for the others. */
    final List<Integer> sentGso = new ArrayList<>();
    /** The checksum states of the frames the last {@link #takeSent} returned, in the same order. */
    volatile List<Integer> lastStates = List.of();
    /** {@link #sentGso} of what the last {@link #takeSent} returned. */
    volatile List<Integer> lastGso = List.of();

    FakeLink(String mac) {
        this(MacAddress.parse(mac), true);
    }

    FakeLink(MacAddress mac, boolean macAssigned) {
        this.mac = mac;
        this.macAssigned = macAssigned;
    }

    FakeLink peerMac(String peer) {
        this.peerMac = peer == null ? null : MacAddress.parse(peer);
        return this;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public boolean macAssigned() {
        return macAssigned;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public void attach(LinkPort port) {
        attaches++;
        this.port = port;
        if (carrierOnAttach) {
            setCarrier(true);
        }
    }

    @Override
    public void detach() {
        detaches++;
        carrier = false;
        port = null;
    }

    boolean attached() {
        return port != null;
    }

    /** Reports carrier to the stack, as a driver does when its peer comes or goes. */
    void setCarrier(boolean up) {
        carrier = up;
        port.carrierChanged(up);
    }

    @Override
    public int transmit(FrameBatch batch) {
        int n = Math.min(room, batch.size());
        if (discard) {
            batch.releaseFirst(n);
            return n;
        }
        synchronized (sent) {
            for (int i = 0; i < n; i++) {
                Frame f = batch.get(i);
                byte[] b = new byte[f.length()];
                MemorySegment.copy(f.segment(), ValueLayout.JAVA_BYTE, f.offset(), b, 0, b.length);
                sent.add(b);
                sentChecksums.add(f.checksum());
                sentGso.add(f.gso() == Frame.GSO_NONE ? 0 : f.gsoSize());
            }
            sent.notifyAll();
        }
        batch.releaseFirst(n);
        return n;
    }

    @Override
    public int offloads() {
        return offloads;
    }

    /**
     * Delivers one large TCP segment (TSO) as a guest link does with the
     * stack's large frames: whole, its checksum partial at {@code l4}.
     */
    void injectLarge(byte[] frame, int gsoType, int gsoSize, int l4) {
        Frame f = port.largePool().take();
        MemorySegment.copy(frame, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), frame.length);
        f.length(frame.length);
        f.checksumPartial(l4, 16);
        f.segmentation(gsoType, gsoSize);
        FrameBatch batch = new FrameBatch();
        batch.add(f);
        port.receive(batch);
    }

    /** Delivers one frame whose transport checksum is partial ({@link Frame#checksumPartial}), as a guest link does. */
    void injectPartial(byte[] frame, int csumStart, int csumOffset) {
        Frame f = port.pool().take();
        MemorySegment.copy(frame, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), frame.length);
        f.length(frame.length);
        f.checksumPartial(csumStart, csumOffset);
        FrameBatch batch = new FrameBatch();
        batch.add(f);
        port.receive(batch);
    }

    @Override
    public MacAddress peerMac() {
        return peerMac;
    }

    @Override
    public boolean carrier() {
        return carrier;
    }

    /** Delivers frames given as hex (whitespace ignored) as one received batch. */
    void inject(String... hexFrames) {
        byte[][] frames = new byte[hexFrames.length][];
        for (int i = 0; i < hexFrames.length; i++) {
            frames[i] = Hex.bytes(hexFrames[i]);
        }
        inject(frames);
    }

    void inject(byte[]... frames) {
        LinkPort p = port;
        FramePool pool = p.pool();
        FrameBatch batch = new FrameBatch();
        for (byte[] b : frames) {
            Frame f = pool.take();
            if (f == null) {
                throw new AssertionError("frame pool exhausted");
            }
            MemorySegment.copy(b, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), b.length);
            f.length(b.length);
            batch.add(f);
        }
        p.receive(batch);
    }

    /** Everything transmitted since the last call, as hex, in order. */
    List<String> takeSent() {
        synchronized (sent) {
            List<String> out = new ArrayList<>();
            for (byte[] b : sent) {
                out.add(HexFormat.of().formatHex(b));
            }
            lastStates = List.copyOf(sentChecksums);
            lastGso = List.copyOf(sentGso);
            sentGso.clear();
            sent.clear();
            sentChecksums.clear();
            return out;
        }
    }

    /** Waits (bounded) until at least {@code n} frames were transmitted since the last {@link #takeSent}. */
    List<String> awaitSent(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (sent) {
            while (sent.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " transmitted frames within " + timeoutMillis
                            + " ms, got " + sent.size());
                }
                TimeUnit.NANOSECONDS.timedWait(sent, left);
            }
            return takeSent();
        }
    }

    @Override
    public int framesOnRings() {
        return framesOnRings;
    }
}
