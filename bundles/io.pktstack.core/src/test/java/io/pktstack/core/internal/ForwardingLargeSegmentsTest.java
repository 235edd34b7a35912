package io.pktstack.core.internal;

import static io.pktstack.testfixtures.TsoFixtures.TCP;
import static io.pktstack.testfixtures.TsoFixtures.checksumsVerify;
import static io.pktstack.testfixtures.TsoFixtures.packet;
import static io.pktstack.testfixtures.TsoFixtures.sum;
import static io.pktstack.testfixtures.TsoFixtures.u16;
import static io.pktstack.testfixtures.TsoFixtures.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A router forwarding a large TCP segment (TSO from a guest) to a next hop
 * whose MTU is smaller than the segment's pieces: with DF clear it is cut
 * into pieces that fit (not fragmented, not refused); with DF set the sender
 * is told the next hop's MTU, as for any packet.
 */
class ForwardingLargeSegmentsTest extends RouterTestBase {

    static final String C = "52:54:00:00:03:05";
    static final int PAYLOAD = 6000;
    /** Ethernet, IPv4 and the fixture's TCP header with its 12 bytes of options. */
    static final int HEADERS = 14 + 20 + 32;

    FakeLink small;

    @BeforeEach
    void routerWithASmallNextHop() {
        small = smallNextHop(1014); // an IP MTU of 1000
        forwarding(true);
        learnV4(vp0, A, "10.1.0.10", "10.1.0.1");
        learnV4(small, C, "10.3.0.5", "10.3.0.1");
    }

    /** A large segment from A (10.1.0.10) to C (10.3.0.5) through the router, its IPv4 header checksum whole. */
    static byte[] largeSegment(boolean dontFragment) {
        String eth = R0.replace(":", "") + A.replace(":", "") + "0800";
        String ip = "4500" + "0000" + "1234" + (dontFragment ? "4000" : "0000") + "4006" + "0000" + "0a01000a"
                + "0a030005";
        byte[] p = packet(eth + ip + TCP, PAYLOAD);
        int total = p.length - 14;
        p[16] = (byte) (total >>> 8);
        p[17] = (byte) total;
        int c = ~sum(p, 14, 20, 0) & 0xffff;
        p[24] = (byte) (c >>> 8);
        p[25] = (byte) c;
        return p;
    }

    List<byte[]> ipv4Sent(FakeLink link) {
        List<byte[]> out = new ArrayList<>();
        for (String hex : link.takeSent()) {
            byte[] b = HexFormat.of().parseHex(hex);
            if (u16(b, 12) == 0x0800) {
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void withDontFragmentClearItIsCutIntoPiecesTheNextHopTakes() {
        byte[] large = largeSegment(false);
        vp0.injectLarge(large, Frame.GSO_TCPV4, 1448, 34);

        List<byte[]> pieces = ipv4Sent(small);
        int room = 1014 - HEADERS;
        assertEquals((PAYLOAD + room - 1) / room, pieces.size(), "pieces of at most the next hop's MTU");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (byte[] f : pieces) {
            assertTrue(f.length <= 1014, "a piece of " + f.length + " bytes");
            assertEquals(63, f[22] & 0xff, "TTL decremented");
            assertTrue(checksumsVerify(f, 14), "checksums of a piece");
            assertEquals(0x01020304L + data.size(), u32(f, 34 + 4), "sequence number");
            data.write(f, HEADERS, f.length - HEADERS);
        }
        assertArrayEquals(Arrays.copyOfRange(large, HEADERS, large.length), data.toByteArray());
        assertEquals(0, drops("vp0", DropReason.NEEDS_FRAGMENTATION));
    }

    @Test
    void withDontFragmentSetTheSenderIsToldTheNextHopMtu() {
        vp0.injectLarge(largeSegment(true), Frame.GSO_TCPV4, 1448, 34);

        assertEquals(List.of(), ipv4Sent(small));
        List<byte[]> back = ipv4Sent(vp0);
        assertEquals(1, back.size());
        byte[] icmp = back.get(0);
        assertEquals(1, icmp[23], "ICMP");
        assertEquals(3, icmp[34], "destination unreachable");
        assertEquals(4, icmp[35], "fragmentation needed and DF set");
        assertEquals(1000, u16(icmp, 34 + 6), "the next hop's MTU (RFC 1191)");
        assertEquals(1, drops("vp0", DropReason.NEEDS_FRAGMENTATION));
    }
}
