package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Scenario 1: the real stack (StackComponent, Forwarder, Bridge) forwarding
 * 64-byte frames (60 bytes without FCS) between two bridge members on one
 * thread. One operation is one batch received on vp0, classified, looked up in
 * the learned table and handed to vp1's driver, which gives the frames back to
 * the pool as a driver does once a peer has them. Frames per second = batches
 * per second x batch size.
 *
 * <p>It lives in the core's package to build the stack with its test
 * constructor; it runs on a plain class path, not in a framework.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BridgeBenchmark {

    static final int FRAME_BYTES = 60;
    static final long STATION_A = 0x02_00_00_00_0a_01L;
    static final long STATION_B = 0x02_00_00_00_0b_01L;

    @Param({"1", "8", "32", "64", "256"})
    public int batch;

    FramePool pool;
    StackComponent stack;
    SinkLink in;
    SinkLink out;
    FrameBatch frames;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new FramePool(4096, FramePool.DEFAULT_SLOT_SIZE);
        // Every slot carries the same headers: A -> B, EtherType 0x88b5; an operation only sets lengths.
        Frame[] all = new Frame[pool.capacity()];
        int n = pool.take(all, all.length);
        for (int i = 0; i < n; i++) {
            writeHeader(all[i], STATION_B, STATION_A);
        }
        pool.release(all, n);
        stack = new StackComponent(pool, System::nanoTime);
        in = new SinkLink(MacAddress.generateLocal());
        out = new SinkLink(MacAddress.generateLocal());
        stack.addLink(in, Map.of(Link.DRIVER, "bench", Link.PREFIX, "vp"));
        stack.addLink(out, Map.of(Link.DRIVER, "bench", Link.PREFIX, "vp"));
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");
        stack.bridgeAdd("bridge0", "vp1");
        stack.setUp("bridge0", true);
        // Teach the bridge where B lives (and A), so frames A -> B are known unicast, not flooded.
        teach(out, STATION_A, STATION_B);
        teach(in, STATION_B, STATION_A);
        frames = new FrameBatch(batch);
        in.sent = 0;
        out.sent = 0;
    }

    private void teach(SinkLink from, long dst, long src) {
        Frame f = pool.take();
        writeHeader(f, dst, src);
        f.length(FRAME_BYTES);
        FrameBatch one = new FrameBatch(1);
        one.add(f);
        from.port.receive(one);
        writeHeader(f, STATION_B, STATION_A); // the slot goes back to the pool: restore the common headers
    }

    static void writeHeader(Frame f, long dst, long src) {
        MemorySegment s = f.segment();
        long o = FramePool.HEADROOM;
        ValueLayout.OfShort be = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            s.set(ValueLayout.JAVA_BYTE, o + i, (byte) (dst >>> (40 - 8 * i)));
            s.set(ValueLayout.JAVA_BYTE, o + 6 + i, (byte) (src >>> (40 - 8 * i)));
        }
        s.set(be, o + 12, (short) 0x88b5);
    }

    @Benchmark
    public long forward() {
        Frame[] a = frames.array();
        int n = pool.take(a, batch);
        for (int i = 0; i < n; i++) {
            a[i].length(FRAME_BYTES);
        }
        frames.size(n);
        in.port.receive(frames);
        return out.sent;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long expected = out.sent;
        if (in.sent != 0 || expected == 0) {
            throw new IllegalStateException("frames were flooded back to vp0 (" + in.sent + ") or not forwarded ("
                    + expected + "): the benchmark did not measure known-unicast forwarding");
        }
        stack.removeLink(in);
        stack.removeLink(out);
        if (pool.available() != pool.capacity()) {
            throw new IllegalStateException("frames leaked: " + (pool.capacity() - pool.available()) + " after " + expected);
        }
    }

    /** A driver whose peer takes every frame at once: counts and frees them. */
    static final class SinkLink implements Link {
        final MacAddress mac;
        LinkPort port;
        long sent;

        SinkLink(MacAddress mac) {
            this.mac = mac;
        }

        @Override
        public MacAddress mac() {
            return mac;
        }

        @Override
        public boolean macAssigned() {
            return false;
        }

        @Override
        public int mtu() {
            return 1514;
        }

        @Override
        public void attach(LinkPort port) {
            this.port = port;
            port.carrierChanged(true);
        }

        @Override
        public void detach() {
            port = null;
        }

        @Override
        public int transmit(FrameBatch b) {
            int n = b.size();
            sent += n;
            b.releaseAll();
            return n;
        }

        @Override
        public boolean carrier() {
            return true;
        }
    }
}
