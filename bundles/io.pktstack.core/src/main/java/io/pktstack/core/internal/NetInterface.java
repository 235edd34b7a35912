package io.pktstack.core.internal;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.InterfaceInfo.Flag;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * One row of the interface table: a driver's link, a bridge or the loopback.
 * State read by the data path (up, carrier, bridge) is volatile; it changes
 * only on the control path.
 */
final class NetInterface {

    enum Kind { LINK, BRIDGE, LOOPBACK }

    final int index;
    final String name;
    final Kind kind;
    final String driver;
    final String instance;
    final MacAddress mac;
    final int mtu;
    /** The driver's link, for kind LINK; null otherwise. */
    final Link link;
    /** What names a driver's interface within its instance ({@code Link.KEY}); null for others. Set once, on attach. */
    String key;
    final InterfaceCounters counters = new InterfaceCounters();
    final LongAdder[] drops = new LongAdder[DropReason.values().length];
    final List<InterfaceAddress> addresses = new CopyOnWriteArrayList<>();
    /** The IPv4 addresses as ints, for the data path (rebuilt on every address change). */
    volatile int[] ipv4 = new int[0];
    /** The IPv6 addresses as (high, low) pairs, for the data path. */
    volatile long[] ipv6 = new long[0];
    /** Set for a bridge interface: its forwarding state. */
    final Bridge bridgeState;

    volatile boolean up;
    volatile boolean carrier;
    /** The bridge this interface is a member of, or null. */
    volatile Bridge memberOf;
    /** Why the stack keeps this link down although the driver has carrier, or null. */
    volatile String refusal;
    /** An open tcpdump on this interface, or null (the usual case: one null check per batch). */
    volatile Capture capture;
    /** Fault injection on this interface ({@code impair}), or null (one null check per batch). */
    volatile Impairer impairer;
    /** Cuts large TCP segments for a link or an impairer that cannot take them whole; null for the loopback. */
    Segmentation segmentation;

    /** This interface alone, as the segment of an interface that is not a bridge. */
    private final NetInterface[] alone = {this};

    /** The interfaces whose addresses serve this layer-3 interface: a bridge and its members, or itself. */
    NetInterface[] segment() {
        return bridgeState != null ? bridgeState.segment() : alone;
    }

    NetInterface(int index, String name, Kind kind, String driver, String instance, MacAddress mac, int mtu,
            Link link, Bridge bridgeState) {
        this.index = index;
        this.name = name;
        this.kind = kind;
        this.driver = driver;
        this.instance = instance;
        this.mac = mac;
        this.mtu = mtu;
        this.link = link;
        this.bridgeState = bridgeState;
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
        this.carrier = kind != Kind.LINK;
    }

    void drop(DropReason reason, int frames) {
        drops[reason.ordinal()].add(frames);
        counters.inDrops.add(frames);
    }

    void outputDrop(DropReason reason, int frames) {
        drops[reason.ordinal()].add(frames);
        counters.outDrops.add(frames);
    }

    boolean running() {
        return up && carrier;
    }

    /**
     * Transmits a batch on this interface's link and empties it: what the link
     * could not take is released and counted as dropped. A guest link waits a
     * bounded time for its peer to make room (back-pressure, in the driver);
     * what is left after that is a drop with a name. Counts what was sent.
     */
    void transmit(FrameBatch batch) {
        Impairer imp = impairer;
        if (imp == null || batch.isEmpty()) {
            transmitNow(batch);
        } else if (segmentation != null && Segmentation.mustCut(batch, 0)) {
            // The impairer works on frames as the wire carries them: a lost or corrupted segment, not 64 KiB.
            FrameBatch pieces = cutScratch.get(); // emptied by transmitNow, which finds nothing more to cut
            while (!batch.isEmpty()) {
                segmentation.cut(batch, pieces, 0, mtu, this);
                imp.outbound.apply(pieces);
                transmitNow(pieces);
            }
        } else {
            imp.outbound.apply(batch); // what it holds back comes to transmitNow() from the timer
            transmitNow(batch);
        }
    }

    /** {@link #transmit} past the impairment. */
    void transmitNow(FrameBatch batch) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        if (!running() || link == null) {
            outputDrop(DropReason.INTERFACE_DOWN, n);
            batch.releaseAll();
            return;
        }
        int offloads = link.offloads();
        if (segmentation != null && Segmentation.mustCut(batch, offloads)) {
            FrameBatch pieces = cutScratch.get();
            while (!batch.isEmpty()) {
                segmentation.cut(batch, pieces, offloads, mtu, this);
                transmitLink(pieces, offloads);
            }
            return;
        }
        transmitLink(batch, offloads);
    }

    /** Frames the link takes as they are (cut if need be) out to it; empties the batch. */
    private void transmitLink(FrameBatch batch, int offloads) {
        if ((offloads & Link.OFFLOAD_CSUM) == 0) {
            ChecksumOffload.complete(batch);
        }
        Capture c = capture;
        if (c != null) {
            c.tap(batch, true);
        }
        long bytes = bytes(batch);
        int sent = link.transmit(batch);
        if (!batch.isEmpty()) {
            bytes -= bytes(batch);
            outputDrop(DropReason.TX_RING_FULL, batch.size());
            batch.releaseAll();
        }
        counters.outPackets.add(sent);
        counters.outBytes.add(bytes);
    }

    /**
     * Offers a batch to the link once, without dropping: what the link could not
     * take stays in the batch for the caller (the packet generator retries).
     */
    int offer(FrameBatch batch) {
        Impairer imp = impairer;
        if (imp != null && !batch.isEmpty()) {
            imp.outbound.apply(batch);
        }
        if (!running() || link == null) {
            int n = batch.size();
            outputDrop(DropReason.INTERFACE_DOWN, n);
            batch.releaseAll();
            return 0;
        }
        if ((link.offloads() & Link.OFFLOAD_CSUM) == 0) {
            ChecksumOffload.complete(batch);
        }
        Capture c = capture;
        if (c != null) {
            c.tap(batch, true);
        }
        long bytes = bytes(batch);
        int sent = link.transmit(batch);
        bytes -= bytes(batch);
        counters.outPackets.add(sent);
        counters.outBytes.add(bytes);
        return sent;
    }

    /** Per thread: the segments of a batch being cut ({@link #transmitNow}), reused. */
    static final ThreadLocal<FrameBatch> cutScratch = ThreadLocal.withInitial(FrameBatch::new);

    private static long bytes(FrameBatch batch) {
        long b = 0;
        for (int i = 0; i < batch.size(); i++) {
            b += batch.get(i).length();
        }
        return b;
    }

    void addAddress(InterfaceAddress a) {
        addresses.add(a);
        addressesChanged();
    }

    boolean removeAddress(InterfaceAddress a) {
        boolean removed = addresses.remove(a);
        addressesChanged();
        return removed;
    }

    private void addressesChanged() {
        int n4 = 0;
        int n6 = 0;
        for (InterfaceAddress a : addresses) {
            if (a.isIpv4()) {
                n4++;
            } else {
                n6++;
            }
        }
        int[] v4 = new int[n4];
        long[] v6 = new long[n6 * 2];
        n4 = 0;
        n6 = 0;
        for (InterfaceAddress a : addresses) {
            byte[] b = a.address().getAddress();
            if (a.isIpv4()) {
                v4[n4++] = IpAddresses.v4(b);
            } else {
                v6[n6++] = IpAddresses.v6hi(b);
                v6[n6++] = IpAddresses.v6lo(b);
            }
        }
        ipv4 = v4;
        ipv6 = v6;
    }

    boolean hasIpv4(int addr) {
        for (int a : ipv4) {
            if (a == addr) {
                return true;
            }
        }
        return false;
    }

    boolean hasIpv6(long hi, long lo) {
        long[] v6 = ipv6;
        for (int i = 0; i < v6.length; i += 2) {
            if (v6[i] == hi && v6[i + 1] == lo) {
                return true;
            }
        }
        return false;
    }

    /** True if a solicited-node multicast address (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1) names one of our addresses. */
    boolean hasSolicitedNode(long hi, long lo) {
        if (hi != 0xff02_0000_0000_0000L || (lo >>> 24) != 0x0000_0001_ffL) {
            return false;
        }
        long[] v6 = ipv6;
        for (int i = 0; i < v6.length; i += 2) {
            if ((v6[i + 1] & 0xFF_FFFFL) == (lo & 0xFF_FFFFL)) {
                return true;
            }
        }
        return false;
    }

    InterfaceInfo info() {
        EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
        if (up) {
            flags.add(Flag.UP);
        }
        if (kind == Kind.LOOPBACK) {
            flags.add(Flag.LOOPBACK);
        } else {
            flags.add(Flag.BROADCAST);
        }
        if (running()) {
            flags.add(Flag.RUNNING);
        }
        if (memberOf != null) {
            flags.add(Flag.PROMISC); // a bridge member accepts every destination
        }
        flags.add(Flag.MULTICAST);
        Map<String, Object> details = new LinkedHashMap<>();
        if (instance != null) {
            details.put("instance", instance);
        }
        if (link != null) {
            details.putAll(link.details());
        }
        if (capture != null) {
            details.put("capture", "on");
        }
        Impairer imp = impairer;
        if (imp != null) {
            Impairment i = imp.settings;
            details.put("impair", String.format("loss %s%% duplicate %s%% reorder %s%% delay %d ms corrupt %s%%",
                    i.lossPercent(), i.duplicatePercent(), i.reorderPercent(), i.delayMillis(), i.corruptPercent()));
        }
        Bridge br = bridgeState;
        if (br != null) {
            // Read without the bridge's lock: numbers for display, a torn read is harmless.
            details.put("address cache", br.table.size() + " of " + br.table.maxAddresses() + ", timeout "
                    + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(br.table.timeoutNanos()) + " s");
            details.put("addresses not learned (cache full)", br.table.overflows());
        }
        long cut = counters.gsoCut.sum();
        if (cut != 0) {
            details.put("large segments cut in software for this link", cut);
        }
        String refused = refusal;
        if (refused != null) {
            details.put("refused", refused);
        }
        for (DropReason r : DropReason.values()) {
            long v = drops[r.ordinal()].sum();
            if (v != 0) {
                details.put("drop: " + r.text, v);
            }
        }
        Bridge b = memberOf;
        return new InterfaceInfo(name, index, driver, flags, mtu, mac, List.copyOf(addresses),
                counters(), b == null ? null : b.name(), details);
    }

    /** The stack's counters of this interface with its driver's own drops and errors added in. */
    io.pktstack.api.stack.Counters counters() {
        io.pktstack.api.stack.Counters c = counters.snapshot();
        io.pktstack.api.link.DriverCounters d = link == null ? io.pktstack.api.link.DriverCounters.NONE : link.counters();
        return new io.pktstack.api.stack.Counters(c.inPackets(), c.inBytes(), c.inErrors() + d.rxErrors(),
                c.inDrops() + d.rxDropped(), c.outPackets(), c.outBytes(), c.outErrors() + d.txErrors(),
                c.outDrops() + d.txDropped());
    }

    @Override
    public String toString() {
        return name;
    }
}
