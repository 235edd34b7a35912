package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.LongSupplier;

/**
 * Layer 2 of the stack: takes each received batch, filters it, runs it through
 * the bridge its interface belongs to, and splits it into frames to forward
 * (queued per output interface) and frames for the stack itself (handed to the
 * {@link L3Input} as one batch).
 */
final class Forwarder {

    /** Receives frames addressed to the stack. Takes ownership of the batch's frames. */
    interface L3Input {
        void input(NetInterface l3, FrameBatch batch, PathContext ctx);
    }

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int ETHER_HEADER = 14;

    private static final int DROP = -1;
    private static final int LOCAL = -2;
    private static final int FLOOD = -3;
    private static final int FLOOD_AND_LOCAL = -4;

    private final LongSupplier clock;
    private L3Input l3;

    Forwarder(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    void setL3(L3Input l3) {
        this.l3 = l3;
    }

    static long dstMac(Frame f) {
        return mac48(f.segment(), f.offset());
    }

    static long srcMac(Frame f) {
        return mac48(f.segment(), f.offset() + 6L);
    }

    /** Writes the destination MAC of the Ethernet header at the frame's start. */
    static void setDstMac(Frame f, long mac) {
        MemorySegment s = f.segment();
        s.set(INT_BE, f.offset(), (int) (mac >>> 16));
        s.set(SHORT_BE, f.offset() + 4, (short) mac);
    }

    private static long mac48(MemorySegment s, long off) {
        return ((s.get(INT_BE, off) & 0xFFFF_FFFFL) << 16) | (s.get(SHORT_BE, off + 4) & 0xFFFFL);
    }

    private static boolean isGroup(long mac) {
        return (mac & 0x01_0000_0000_00L) != 0;
    }

    /** Processes one received batch from {@code in}. Takes ownership of its frames and empties it. */
    void receive(NetInterface in, FrameBatch batch, PathContext ctx) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += batch.get(i).length();
        }
        in.counters.inPackets.add(n);
        in.counters.inBytes.add(bytes);
        Capture c = in.capture;
        if (c != null) {
            c.tap(batch, false);
        }
        if (!in.running()) {
            in.drop(DropReason.INTERFACE_DOWN, n); // down, no carrier, or refused by the stack
            batch.releaseAll();
            return;
        }
        Impairer imp = in.impairer;
        if (imp == null) {
            deliver(in, batch, ctx);
        } else if (in.segmentation != null && Segmentation.mustCut(batch, 0)) {
            // The impairer works on frames as the wire carries them: a lost or corrupted segment, not 64 KiB.
            FrameBatch pieces = NetInterface.cutScratch.get();
            while (!batch.isEmpty()) {
                in.segmentation.cut(batch, pieces, 0, in.mtu, in);
                imp.inbound.apply(pieces);
                deliver(in, pieces, ctx);
            }
        } else {
            imp.inbound.apply(batch); // what it holds back comes to deliver() from the timer
            deliver(in, batch, ctx);
        }
    }

    /** The rest of receive, past counters, capture and impairment. Takes ownership and empties the batch. */
    void deliver(NetInterface in, FrameBatch batch, PathContext ctx) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        Bridge bridge = in.memberOf;
        int[] decision = ctx.decision;
        if (bridge != null) {
            classifyBridged(in, bridge, batch, decision);
        } else {
            classifyEndpoint(in, batch, decision);
        }
        NetInterface l3If = bridge != null ? bridge.self : in;
        FrameBatch local = ctx.local;
        Frame[] frames = batch.array();
        for (int i = 0; i < n; i++) {
            Frame f = frames[i];
            f.inputPort(in.index);
            int d = decision[i];
            if (d >= 0) {
                NetInterface out = bridge.member(d);
                if (out == null || !out.running()) {
                    in.drop(DropReason.BRIDGE_MEMBER_DOWN, 1);
                    f.release();
                } else {
                    ctx.send(out, f);
                }
            } else if (d == LOCAL) {
                local.add(f);
            } else if (d == FLOOD || d == FLOOD_AND_LOCAL) {
                if (d == FLOOD_AND_LOCAL) {
                    Frame copy = copyOf(f);
                    if (copy == null) {
                        in.drop(DropReason.NO_BUFFER, 1);
                    } else {
                        local.add(copy);
                    }
                }
                flood(bridge, in.index, f, ctx);
            } else {
                f.release();
            }
        }
        batch.clear();
        if (!local.isEmpty()) {
            Capture lc = l3If == in || l3If == null ? null : l3If.capture;
            if (lc != null) {
                lc.tap(local, false); // what the bridge delivers to the stack
            }
            if (l3If != null && l3If.up && l3 != null) {
                l3.input(l3If, local, ctx);
            } else {
                in.drop(DropReason.INTERFACE_DOWN, local.size());
                local.releaseAll();
            }
        }
        ctx.flush();
    }

    private void classifyEndpoint(NetInterface in, FrameBatch batch, int[] decision) {
        long own = in.mac == null ? -1 : in.mac.bits();
        for (int i = 0; i < batch.size(); i++) {
            Frame f = batch.get(i);
            if (f.length() < ETHER_HEADER) {
                in.drop(DropReason.RUNT, 1);
                decision[i] = DROP;
                continue;
            }
            long dst = dstMac(f);
            if (dst == own || isGroup(dst) || in.kind == NetInterface.Kind.LOOPBACK) {
                decision[i] = LOCAL;
            } else {
                in.drop(DropReason.NOT_FOR_US, 1);
                decision[i] = DROP;
            }
        }
    }

    /** Learns and looks up the whole batch under one acquisition of the bridge's table lock. */
    private void classifyBridged(NetInterface in, Bridge bridge, FrameBatch batch, int[] decision) {
        long now = clock.getAsLong();
        // Frames of a batch mostly belong to one flow: a source already learned and a
        // destination already decided in this batch are not looked up again.
        long lastSrc = -1;
        long lastDst = -1;
        int lastDecision = DROP;
        bridge.lock.lock();
        try {
            for (int i = 0; i < batch.size(); i++) {
                Frame f = batch.get(i);
                if (f.length() < ETHER_HEADER) {
                    in.drop(DropReason.RUNT, 1);
                    decision[i] = DROP;
                    continue;
                }
                long src = srcMac(f);
                if (src != lastSrc) {
                    if (!isGroup(src)) {
                        bridge.table.learn(src, in.index, now);
                    }
                    lastSrc = src;
                    lastDst = -1; // learning may have moved a station: decide destinations afresh
                }
                long dst = dstMac(f);
                if (dst == lastDst && lastDecision >= 0) {
                    decision[i] = lastDecision;
                    continue;
                }
                lastDst = dst;
                if (isGroup(dst)) {
                    decision[i] = FLOOD_AND_LOCAL;
                } else if (bridge.isLocalMac(dst)) {
                    decision[i] = LOCAL;
                } else {
                    int port = bridge.table.lookup(dst, now);
                    if (port == MacTable.NONE) {
                        decision[i] = FLOOD;
                    } else if (port == in.index) {
                        in.drop(DropReason.BRIDGE_SAME_PORT, 1);
                        decision[i] = DROP;
                    } else {
                        decision[i] = port;
                    }
                }
                lastDecision = decision[i];
            }
        } finally {
            bridge.lock.unlock();
        }
    }

    /**
     * Sends {@code f} to every running member except {@code exceptIndex}: copies
     * for all but the last, which gets the original. Takes ownership of {@code f}.
     */
    private void flood(Bridge bridge, int exceptIndex, Frame f, PathContext ctx) {
        NetInterface last = null;
        for (NetInterface m : bridge.members()) {
            if (m.index == exceptIndex || !m.running()) {
                continue;
            }
            if (last != null) {
                Frame copy = copyOf(f);
                if (copy == null) {
                    last.outputDrop(DropReason.NO_BUFFER, 1);
                } else {
                    ctx.send(last, copy);
                }
            }
            last = m;
        }
        if (last == null) {
            f.release();
        } else {
            ctx.send(last, f);
        }
    }

    private Frame copyOf(Frame f) {
        Frame c = f.pool().take(); // a large segment's copy is a large frame too
        if (c == null) {
            return null;
        }
        MemorySegment.copy(f.segment(), f.offset(), c.segment(), c.offset(), f.length());
        c.length(f.length());
        c.inputPort(f.inputPort());
        c.offloadsFrom(f);
        return c;
    }

    /**
     * Sends a frame the stack made out of its layer-3 interface {@code l3}: through
     * the bridge when {@code l3} is a bridge (or a member of one), else directly.
     * Takes ownership.
     */
    void output(NetInterface l3, Frame f, PathContext ctx) {
        Capture c = l3.bridgeState != null ? l3.capture : null;
        if (c != null) {
            c.tap(f, true, Capture.epochMicros()); // what the stack sends through the bridge
        }
        Bridge bridge = l3.bridgeState != null ? l3.bridgeState : l3.memberOf;
        if (bridge == null) {
            ctx.send(l3, f);
            return;
        }
        long dst = dstMac(f);
        int port = MacTable.NONE;
        if (!isGroup(dst)) {
            bridge.lock.lock();
            try {
                port = bridge.table.lookup(dst, clock.getAsLong());
            } finally {
                bridge.lock.unlock();
            }
        }
        NetInterface out = port == MacTable.NONE ? null : bridge.member(port);
        if (out != null) {
            ctx.send(out, f);
        } else {
            flood(bridge, -1, f, ctx);
        }
    }
}
