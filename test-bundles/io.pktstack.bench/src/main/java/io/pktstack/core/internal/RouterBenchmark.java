package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.InterfaceAddress;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
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
 * The router in one thread: the real stack forwarding 64-byte IPv4/UDP
 * frames (60 bytes without FCS) from vp0 (10.81.0.0/24) to a host on vp1
 * (10.82.0.0/24) at layer 3, and with {@code nat} on vp1 the same through pf.
 * One operation is one batch received on vp0: Ethernet, IPv4 checks,
 * forwarding table, TTL and checksum, next hop, (translation,) handed to
 * vp1's driver, which frees the frames. Each operation first writes back
 * the fields forwarding changed in its frames (TTL and header checksum; with
 * nat the source address and port), every slot having the headers from setup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RouterBenchmark {

    static final int FRAME_BYTES = 60;
    private static final java.lang.foreign.ValueLayout.OfInt INT_BE = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED
            .withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfShort SHORT_BE = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
            .withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    static final MacAddress VP0 = MacAddress.parse("02:00:00:00:51:01");
    static final MacAddress VP1 = MacAddress.parse("02:00:00:00:52:01");
    /** A (52:54:00:00:51:0a, 10.81.0.10) -> B (10.82.0.10), UDP 1024 -> 9, DF, TTL 64, to vp0's MAC. */
    static final byte[] HEADERS = HexFormat.of().parseHex("020000005101" + "52540000510a" + "0800"
            + "4500002e00004000401126090a51000a0a52000a" + "04000009001a0000");

    @Param({"route", "nat"})
    public String mode;

    @Param({"32"})
    public int batch;

    FramePool pool;
    StackComponent stack;
    BridgeBenchmark.SinkLink in;
    BridgeBenchmark.SinkLink out;
    FrameBatch frames;
    MemorySegment headers;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new FramePool(4096, FramePool.DEFAULT_SLOT_SIZE);
        headers = MemorySegment.ofArray(HEADERS);
        Frame[] all = new Frame[pool.capacity()];
        int k = pool.take(all, all.length);
        for (int i = 0; i < k; i++) {
            MemorySegment.copy(headers, 0, all[i].segment(), all[i].offset(), HEADERS.length);
        }
        pool.release(all, k);
        stack = new StackComponent(pool, System::nanoTime);
        in = new BridgeBenchmark.SinkLink(VP0);
        out = new BridgeBenchmark.SinkLink(VP1);
        stack.addLink(in, Map.of(Link.DRIVER, "bench", Link.PREFIX, "vp"));
        stack.addLink(out, Map.of(Link.DRIVER, "bench", Link.PREFIX, "vp"));
        stack.addAddress("vp0", InterfaceAddress.parse("10.81.0.1/24"));
        stack.addAddress("vp1", InterfaceAddress.parse("10.82.0.1/24"));
        stack.setTunables(Map.of("net.inet.ip.forwarding", 1L));
        // B asks for vp1's address: the router learns B's MAC (RFC 826), so the next hop is resolved.
        receive(out, "ffffffffffff" + "52540000520a" + "0806" + "0001080006040001" + "52540000520a" + "0a52000a"
                + "000000000000" + "0a520001");
        if (mode.equals("nat")) {
            stack.packetFilter().load("nat on vp1 from 10.81.0.0/24 to any -> (vp1)", "bench");
            stack.packetFilter().enable(true);
        }
        frames = new FrameBatch(batch);
        in.sent = 0;
        out.sent = 0;
    }

    private void receive(BridgeBenchmark.SinkLink link, String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        Frame f = pool.take();
        MemorySegment.copy(MemorySegment.ofArray(b), 0, f.segment(), f.offset(), b.length);
        f.length(b.length);
        FrameBatch one = new FrameBatch(1);
        one.add(f);
        link.port.receive(one);
    }

    @Benchmark
    public long forward() {
        Frame[] a = frames.array();
        int n = pool.take(a, batch);
        for (int i = 0; i < n; i++) {
            Frame f = a[i];
            MemorySegment s = f.segment();
            long o = f.offset();
            s.set(INT_BE, o + 22, 0x4011_2609); // TTL 64, UDP, the header checksum
            s.set(INT_BE, o + 26, 0x0a51_000a); // source 10.81.0.10
            s.set(SHORT_BE, o + 34, (short) 1024); // source port
            f.length(FRAME_BYTES);
        }
        frames.size(n);
        in.port.receive(frames);
        return out.sent;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long forwarded = out.sent;
        if (forwarded == 0 || in.sent != 0) {
            throw new IllegalStateException("nothing forwarded (" + forwarded + ") or frames sent back (" + in.sent
                    + "): the benchmark did not measure forwarding");
        }
        if (mode.equals("nat") && stack.packetFilter().states().size() != 1) {
            throw new IllegalStateException("nat did not translate the flow: " + stack.packetFilter().states());
        }
        stack.deactivate();
        if (pool.available() != pool.capacity()) {
            throw new IllegalStateException("frames leaked: " + (pool.capacity() - pool.available()));
        }
    }
}
