package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.wire.EtherType;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A driver's link for fuzzing the stack: frames the fuzzer makes are
 * delivered through the stack's port, and every frame the stack transmits is
 * checked for what the stack promises of its own output (a whole Ethernet
 * header; an IPv4 header whose checksum verifies and whose lengths fit; an
 * IPv6 payload length that fits; not once frames may be corrupted on
 * purpose) and released at once. A frame the bridge
 * forwards unchanged is the sender's, not the stack's: those are known by
 * their bytes and pass unchecked.
 */
final class FuzzLink implements Link {

    private final MacAddress mac;
    private final java.util.Set<java.nio.ByteBuffer> delivered;
    /** Whether frames may be corrupted on purpose (an impairment): packets are then not checked. */
    private final java.util.function.BooleanSupplier corrupting;
    private volatile LinkPort port;
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip4 = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    long transmitted;

    FuzzLink(MacAddress mac, java.util.Set<java.nio.ByteBuffer> delivered,
            java.util.function.BooleanSupplier corrupting) {
        this.mac = mac;
        this.delivered = delivered;
        this.corrupting = corrupting;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public boolean macAssigned() {
        return true;
    }

    @Override
    public int mtu() {
        return 1514;
    }

    @Override
    public void attach(LinkPort p) {
        port = p;
        p.carrierChanged(true);
    }

    @Override
    public void detach() {
        port = null;
    }

    @Override
    public boolean carrier() {
        return port != null;
    }

    @Override
    public int transmit(FrameBatch batch) {
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            check(batch.get(i));
        }
        transmitted += n;
        batch.releaseAll();
        return n;
    }

    private void check(Frame f) {
        MemorySegment s = f.segment().asSlice(f.offset(), f.length());
        if (delivered.contains(s.asByteBuffer())) {
            return; // forwarded by the bridge as it came
        }
        if (f.length() > mtu() + 4 || !eth.wrapChecked(s, 0, f.length())) {
            throw new AssertionError("the stack sent a frame of " + f.length() + " bytes");
        }
        if (corrupting.getAsBoolean()) {
            return; // the impairer flips a bit behind the Ethernet header, IP headers included
        }
        int type = eth.etherType();
        if (type == EtherType.IPV4) {
            if (!ip4.wrapChecked(s, EthernetFrame.HEADER_LEN, f.length() - EthernetFrame.HEADER_LEN)
                    || !ip4.verifyChecksum()) {
                throw new AssertionError("the stack sent a malformed IPv4 packet");
            }
        } else if (type == EtherType.IPV6) {
            if (!ip6.wrapChecked(s, EthernetFrame.HEADER_LEN, f.length() - EthernetFrame.HEADER_LEN)) {
                throw new AssertionError("the stack sent a malformed IPv6 packet");
            }
        }
    }

    /** Delivers one frame of these bytes (cut to a frame slot), as a driver's receive thread would. */
    void deliver(byte[] bytes) {
        LinkPort p = port;
        FramePool pool = p.pool();
        Frame f = pool.take();
        if (f == null) {
            return; // the pool is empty: a driver drops too
        }
        int n = Math.min(bytes.length, f.capacity());
        delivered.add(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(bytes, n)));
        MemorySegment.copy(bytes, 0, f.segment(), ValueLayout.JAVA_BYTE, f.offset(), n);
        f.length(n);
        FrameBatch b = new FrameBatch();
        b.add(f);
        p.receive(b);
    }
}
