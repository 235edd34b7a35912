package io.pktstack.api.wire;

import io.pktstack.fuzz.FuzzInput;
import java.lang.foreign.MemorySegment;

/** Fuzz target {@code wire-ethernet}: Ethernet frames and ARP packets (RFC 826) from arbitrary bytes. */
public final class EthernetArpFuzz {

    private static final EthernetFrame ETH = new EthernetFrame();
    private static final ArpPacket ARP = new ArpPacket();

    private EthernetArpFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        WireFuzz.Input in = WireFuzz.take(new FuzzInput(data));
        if (ETH.wrapChecked(in.seg(), in.off(), in.len())) {
            MemorySegment exact = WireFuzz.accepted(in, EthernetFrame.HEADER_LEN, "Ethernet");
            ETH.wrap(exact, 0, in.len());
            WireFuzz.same(ETH.dstMac(), ETH.dstMac(), "dst");
            long sum = ETH.srcMac() + ETH.etherType();
            WireFuzz.check(ETH.payloadOffset() + ETH.payloadLength() == in.len(), "payload beyond the frame");
            WireFuzz.use(sum + arp(ETH.payload(), 0, ETH.payloadLength()));
        }
        if (in.honest()) {
            WireFuzz.use(arp(in.seg(), 0, in.len()));
        } else if (ARP.wrapChecked(in.seg(), in.off(), in.len())) {
            WireFuzz.accepted(in, ArpPacket.LENGTH, "ARP");
        }
    }

    private static long arp(MemorySegment seg, long off, int n) {
        if (!ARP.wrapChecked(seg, off, n)) {
            return 0;
        }
        WireFuzz.check(n >= ArpPacket.LENGTH, "ARP accepted " + n + " bytes");
        // Every field lies in the first 28 bytes: read them from a slice of exactly those.
        ARP.wrapChecked(seg.asSlice(off, ArpPacket.LENGTH), 0, ArpPacket.LENGTH);
        WireFuzz.same(ARP.spa(), ARP.spa(), "spa");
        return ARP.htype() + ARP.ptype() + ARP.hlen() + ARP.plen() + ARP.oper() + ARP.sha() + ARP.spa() + ARP.tha()
                + ARP.tpa();
    }
}
