package io.pktstack.vdev.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.net.MacAddress;
import io.pktstack.fuzz.FuzzInput;
import io.pktstack.vdev.DeviceQueue;
import io.pktstack.vdev.GuestMemory;
import io.pktstack.vdev.RingViolation;
import io.pktstack.vdev.VirtqueueLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Fuzz target {@code guest-rings}: a back-end's data path ({@link GuestQueues}:
 * the guest's receive and transmit queues, virtio_net_hdr, TSO segmentation
 * and checksum completion) over memory the guest writes anything into at any
 * time. The fuzzer plays the guest: it writes descriptors (inside, across the
 * edge of, or outside its memory; any flags; chains and loops), ring entries
 * and indices, headers and packet bytes, and scribbles anywhere; in between
 * the back-end takes what the guest transmitted and gives it frames. The
 * queues may only deliver frames no larger than the MTU or throw
 * {@link RingViolation} (the link is reset and set up afresh); anything else
 * thrown is a finding, and when the link closes every frame is back in the
 * pool.
 */
public final class GuestRingsFuzz {

    static final int N = 16;
    static final long RX = 0;
    static final long TX = 1024;
    static final long BUFFERS = 4096;
    static final int MEMORY = 64 * 1024;
    /** The guest's memory begins at this guest-physical address. */
    static final long GPA = 0x1_0000_0000L;
    static final int MTU = 1514;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final MemorySegment MEM = Arena.global().allocate(MEMORY, 4096);
    private static final FramePool POOL = new FramePool(512, FramePool.DEFAULT_SLOT_SIZE);
    /** The stack's large frames: two, so a burst of large segments also finds none and is cut from the chain. */
    private static final FramePool LARGE = new FramePool(2, 66 * 1024);
    private static final long[] FEATURE_BITS = {VirtioNetFeatures.VERSION_1, VirtioNetFeatures.MRG_RXBUF,
        VirtioNetFeatures.RING_EVENT_IDX, VirtioNetFeatures.CSUM, VirtioNetFeatures.HOST_TSO4,
        VirtioNetFeatures.HOST_TSO6, VirtioNetFeatures.GUEST_CSUM, VirtioNetFeatures.GUEST_TSO4};

    /** What the back-end hands the stack: checked, then released. */
    private static final class Sink implements LinkListener {
        long frames;

        @Override
        public FramePool largePool() {
            return LARGE;
        }

        @Override
        public void up(MacAddress peerMac) {
        }

        @Override
        public void down(String reason) {
        }

        @Override
        public void received(FrameBatch batch) {
            for (int i = 0; i < batch.size(); i++) {
                Frame f = batch.get(i);
                if (f.gso() != Frame.GSO_NONE) {
                    // A large segment: whole in a large frame, checked, partial at its TCP header, each piece within the MTU.
                    if (f.pool() != LARGE || f.length() <= MTU || f.checksum() != Frame.CSUM_PARTIAL
                            || f.gsoSize() < 32 || f.gsoSize() > MTU - 54 || f.csumStart() < 34 || f.csumOffset() != 16) {
                        throw new AssertionError("delivered a large segment of " + f.length() + " bytes, size "
                                + f.gsoSize() + ", checksum at " + f.csumStart() + "+" + f.csumOffset());
                    }
                } else if (f.length() < 14 || f.length() > MTU) {
                    throw new AssertionError("delivered a frame of " + f.length() + " bytes (MTU " + MTU + ")");
                }
            }
            frames += batch.size();
            batch.releaseAll();
        }

        @Override
        public void event(String message) {
        }
    }

    private GuestRingsFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        MEM.fill((byte) 0);
        long features = 0;
        int pick = in.u8();
        for (int i = 0; i < FEATURE_BITS.length; i++) {
            if ((pick & (1 << i)) != 0) {
                features |= VirtioNetFeatures.bit((int) FEATURE_BITS[i]);
            }
        }
        GuestMemory memory = GuestMemory.of(MEM, GPA);
        VirtqueueLayout rxl = VirtqueueLayout.of(N, RX);
        VirtqueueLayout txl = VirtqueueLayout.of(N, TX);
        Sink sink = new Sink();
        LinkCounters counters = new LinkCounters();
        GuestQueues q = open(memory, rxl, txl, features, sink, counters);
        FrameBatch batch = new FrameBatch();
        try {
            int steps = 0;
            while (in.hasMore() && steps++ < 64) {
                try {
                    switch (in.u8() % 8) {
                        case 0 -> descriptor(in, in.bool() ? rxl : txl);
                        case 1 -> avail(in, in.bool() ? rxl : txl);
                        case 2 -> packet(in);
                        case 3 -> q.receive();
                        case 4 -> transmit(in, q, batch);
                        case 5 -> scribble(in);
                        case 6 -> q.notifyOnTransmit(in.bool());
                        default -> {
                            if (q.transmitPending()) {
                                q.receive();
                            }
                        }
                    }
                } catch (RingViolation e) {
                    // The guest broke a rule: its link is reset, the rings set up afresh.
                    q.close();
                    q = open(memory, rxl, txl, features, sink, counters);
                }
            }
        } finally {
            batch.releaseAll();
            q.close();
        }
        if (LARGE.available() != LARGE.capacity()) {
            throw new AssertionError((LARGE.capacity() - LARGE.available()) + " large frames not back in their pool");
        }
        if (POOL.available() != POOL.capacity()) {
            throw new AssertionError((POOL.capacity() - POOL.available()) + " frames not back in the pool");
        }
    }

    private static GuestQueues open(GuestMemory memory, VirtqueueLayout rxl, VirtqueueLayout txl, long features,
            Sink sink, LinkCounters counters) {
        boolean eventIdx = VirtioNetFeatures.has(features, VirtioNetFeatures.RING_EVENT_IDX);
        DeviceQueue rx = new DeviceQueue(memory, MEM.asSlice(RX, 16L * N), MEM.asSlice(rxl.availRing(), 6 + 2L * N),
                MEM.asSlice(rxl.usedRing(), 6 + 8L * N), N, eventIdx);
        DeviceQueue tx = new DeviceQueue(memory, MEM.asSlice(TX, 16L * N), MEM.asSlice(txl.availRing(), 6 + 2L * N),
                MEM.asSlice(txl.usedRing(), 6 + 8L * N), N, eventIdx);
        // No wait for receive buffers: nothing posts them while a transmit waits here, so every wait would cost
        // its whole 50 ms (the target ran at ~35 inputs a second); with 0 the same stalled path is taken at once.
        return new GuestQueues(rx, tx, null, null, null, features, MTU, 0, POOL, sink, counters);
    }

    /** A descriptor: a buffer in the guest's memory, at its edge, or anywhere; any flags and next. */
    private static void descriptor(FuzzInput in, VirtqueueLayout l) {
        int i = in.intIn(0, N - 1);
        long addr = switch (in.u8() & 7) {
            case 0 -> in.u64();
            case 1 -> GPA + MEMORY - in.intIn(0, 64);
            case 2 -> GPA - in.intIn(0, 64);
            default -> GPA + BUFFERS + 2048L * in.intIn(0, 29) + in.intIn(0, 15);
        };
        int len = (in.u8() & 7) == 0 ? in.u32() : in.intIn(0, 4096);
        int flags = (in.u8() & 7) == 0 ? in.u16() : in.intIn(0, 3);
        int next = (in.u8() & 7) == 0 ? in.u16() : in.intIn(0, N - 1);
        long d = l.descriptor(i);
        MEM.set(U64, d, addr);
        MEM.set(U32, d + 8, len);
        MEM.set(U16, d + 12, (short) flags);
        MEM.set(U16, d + 14, (short) next);
    }

    /** Ring entries and a new available index, honest or jumping. */
    private static void avail(FuzzInput in, VirtqueueLayout l) {
        int idx = MEM.get(U16, l.availIdx()) & 0xffff;
        int n = in.intIn(0, 4);
        for (int k = 0; k < n; k++) {
            MEM.set(U16, l.availEntry((idx + k) & (N - 1)), (short) ((in.u8() & 7) == 0 ? in.u16() : in.intIn(0, N - 1)));
        }
        int next = (in.u8() & 7) == 0 ? in.u16() : idx + n;
        MEM.set(U16, l.availIdx(), (short) next);
    }

    /** A virtio_net_hdr and packet bytes into a buffer: GSO type, sizes and checksum offsets from the fuzzer. */
    private static void packet(FuzzInput in) {
        long at = BUFFERS + 2048L * in.intIn(0, 29);
        MEM.set(ValueLayout.JAVA_BYTE, at, (byte) in.u8()); // flags
        MEM.set(ValueLayout.JAVA_BYTE, at + 1, (byte) in.pickInt(0, 1, 4, 0x81, 0x84, in.u8())); // gso_type
        MEM.set(U16, at + 2, (short) in.u16()); // hdr_len
        MEM.set(U16, at + 4, (short) in.pickInt(1448, 536, 1, 0, in.u16())); // gso_size
        MEM.set(U16, at + 6, (short) in.pickInt(34, 54, 14, in.u16())); // csum_start
        MEM.set(U16, at + 8, (short) in.pickInt(16, 6, in.u16())); // csum_offset
        MEM.set(U16, at + 10, (short) in.u16()); // num_buffers
        byte[] b = in.bytes(2036);
        MemorySegment.copy(b, 0, MEM, ValueLayout.JAVA_BYTE, at + 12, b.length);
    }

    /** The stack sends the guest frames of the sizes the fuzzer picks; what found no buffer is released. */
    private static void transmit(FuzzInput in, GuestQueues q, FrameBatch batch) throws RingViolation {
        int n = in.intIn(1, 8);
        for (int k = 0; k < n; k++) {
            Frame f = POOL.take();
            if (f == null) {
                break;
            }
            f.length(Math.min(f.capacity(), in.intIn(14, 1600)));
            if (f.length() >= 74 && in.bool()) {
                // Marked a large segment whatever its bytes hold (the stack's mark is trusted, its bytes need not
                // be): a guest that took GUEST_TSO gets it whole with a header read from the frame.
                f.checksumPartial(34, 16);
                f.segmentation(in.bool() ? Frame.GSO_TCPV4 : Frame.GSO_TCPV6, in.intIn(1, 1500));
            }
            batch.add(f);
        }
        try {
            q.transmit(batch);
        } finally {
            batch.releaseAll();
        }
    }

    /** Anything, anywhere in the guest's memory. */
    private static void scribble(FuzzInput in) {
        int at = in.intIn(0, MEMORY - 1);
        byte[] b = in.bytes(64);
        int n = Math.min(b.length, MEMORY - at);
        MemorySegment.copy(b, 0, MEM, ValueLayout.JAVA_BYTE, at, n);
    }
}
