package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.wire.ArpPacket;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.IcmpPacket;
import io.pktstack.api.wire.Icmpv6Packet;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.api.wire.UdpDatagram;
import java.util.Arrays;

/**
 * Per-thread scratch state of the data path: one output batch per interface
 * and the batch of frames for local delivery. Created once per thread that
 * moves frames (a driver's receive thread, a shell thread sending a ping) and
 * reused, so forwarding allocates nothing in steady state.
 */
final class PathContext {

    private FrameBatch[] out = new FrameBatch[16];
    private NetInterface[] outIf = new NetInterface[16];
    private int[] dirty = new int[16];
    private boolean[] queued = new boolean[16];
    private int dirtyCount;
    final FrameBatch local = new FrameBatch();
    final int[] decision = new int[FrameBatch.MAX];
    final Frame[] scratch = new Frame[FrameBatch.MAX];
    // Wire views, re-wrapped for every frame this thread parses or builds.
    final EthernetFrame eth = new EthernetFrame();
    final ArpPacket arp = new ArpPacket();
    final Ipv4Packet ip4 = new Ipv4Packet();
    final IcmpPacket icmp = new IcmpPacket();
    final Ipv6Packet ip6 = new Ipv6Packet();
    final Icmpv6Packet icmp6 = new Icmpv6Packet();
    final UdpDatagram udp = new UdpDatagram();
    /** The packet being delivered to a protocol handler. */
    final Inbound in = new Inbound();
    /** The stack clock when layer 3 took the batch in hand: one reading per batch, not per frame. */
    long now;
    /** Where this thread last forwarded each destination (routing). */
    final NextHopCache nextHops = new NextHopCache();
    /** The pieces of a packet being fragmented. */
    final FrameBatch fragments = new FrameBatch();

    /** Queues a frame for transmission on {@code nif}; flushes that queue when it fills. Takes ownership. */
    void send(NetInterface nif, Frame f) {
        int i = nif.index;
        if (i >= out.length) {
            int n = Math.max(i + 1, out.length * 2);
            out = Arrays.copyOf(out, n);
            outIf = Arrays.copyOf(outIf, n);
            dirty = Arrays.copyOf(dirty, n);
            queued = Arrays.copyOf(queued, n);
        }
        FrameBatch b = out[i];
        if (b == null) {
            b = out[i] = new FrameBatch();
        }
        if (!queued[i]) {
            queued[i] = true;
            dirty[dirtyCount++] = i;
            outIf[i] = nif;
        } else if (outIf[i] != nif) {
            // The number was freed and given to a new interface while this batch was being built: what was queued
            // goes to the interface it was queued for (detached, it drops and counts), then the batch is the new one's.
            if (!b.isEmpty()) {
                outIf[i].transmit(b);
            }
            outIf[i] = nif;
        }
        b.add(f);
        if (b.isFull()) {
            nif.transmit(b); // empties b; it stays queued and flush skips it if nothing more came
        }
    }

    /** Transmits every queued batch. */
    void flush() {
        for (int k = 0; k < dirtyCount; k++) {
            int i = dirty[k];
            FrameBatch b = out[i];
            if (!b.isEmpty()) {
                outIf[i].transmit(b);
            }
            outIf[i] = null;
            queued[i] = false;
        }
        dirtyCount = 0;
    }
}
