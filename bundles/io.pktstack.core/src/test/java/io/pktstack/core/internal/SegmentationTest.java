package io.pktstack.core.internal;

import static io.pktstack.testfixtures.TsoFixtures.V4_HEADERS;
import static io.pktstack.testfixtures.TsoFixtures.checksumsVerify;
import static io.pktstack.testfixtures.TsoFixtures.ipv4Packet;
import static io.pktstack.testfixtures.TsoFixtures.u16;
import static io.pktstack.testfixtures.TsoFixtures.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.link.Link;
import io.pktstack.api.stack.Impairment;
import io.pktstack.api.wire.Checksum;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Large TCP segments (TSO) through the bridge: one a guest hands whole goes
 * on whole to a guest that takes such segments, and is cut into MTU-sized
 * segments, each with its own lengths, sequence number and checksums, for a
 * wire (a TAP) or a guest that takes only partial checksums. Checked against
 * a 3000-byte payload from the shared fixtures and an RFC 1071 sum written
 * there.
 */
class SegmentationTest extends StackTestBase {

    static final int PAYLOAD = 3000;
    static final int MSS = 1448;

    FakeLink guestA;
    FakeLink tap;
    FakeLink tsoGuest;
    FakeLink csumGuest;

    @BeforeEach
    void bridge() {
        guestA = add(new FakeLink("02:00:00:00:00:10"), "vp");
        tap = add(new FakeLink("02:00:00:00:00:11"), "wm");
        tsoGuest = add(new FakeLink("02:00:00:00:00:12"), "vp");
        csumGuest = add(new FakeLink("02:00:00:00:00:13"), "vp");
        guestA.offloads = Link.OFFLOAD_CSUM | Link.OFFLOAD_TSO4;
        tsoGuest.offloads = Link.OFFLOAD_CSUM | Link.OFFLOAD_TSO4;
        csumGuest.offloads = Link.OFFLOAD_CSUM;
        stack.createBridge("bridge0");
        stack.setUp("bridge0", true);
        for (String m : List.of("vp0", "wm0", "vp1", "vp2")) {
            stack.bridgeAdd("bridge0", m);
        }
    }

    /** The fixture's frames {@code link} sent (TCP from port 1000; the stack's own announcements pass by), with their states. */
    static List<byte[]> fixtureFrames(FakeLink link, List<Integer> states, List<Integer> gso) {
        List<String> sent = link.takeSent();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            byte[] b = HexFormat.of().parseHex(sent.get(i));
            if (b.length > V4_HEADERS && u16(b, 12) == 0x0800 && b[23] == 6 && u16(b, 34) == 1000) {
                out.add(b);
                states.add(link.lastStates.get(i));
                gso.add(link.lastGso.get(i));
            }
        }
        return out;
    }

    /** The payloads of {@code segments} end to end, after checking each segment's headers against the original. */
    static byte[] joined(List<byte[]> segments, byte[] original, boolean checksumsWhole) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long seq = u32(original, 34 + 4);
        for (int k = 0; k < segments.size(); k++) {
            byte[] f = segments.get(k);
            assertTrue(f.length <= 1514, "segment " + k + " of " + f.length + " bytes");
            assertEquals(f.length - 14, u16(f, 16), "IPv4 total length of segment " + k);
            assertEquals(0x1234 + k, u16(f, 18), "IPv4 id counts up");
            assertEquals(seq + data.size(), u32(f, 34 + 4), "sequence number of segment " + k);
            if (checksumsWhole) {
                assertTrue(checksumsVerify(f, 14), "checksums of segment " + k);
            } else {
                byte[] c = f.clone();
                assertTrue(Checksum.completePartial(MemorySegment.ofArray(c), 0, c.length, 34, 16));
                assertTrue(checksumsVerify(c, 14), "partial checksum of segment " + k + " completes to a whole one");
            }
            data.write(f, V4_HEADERS, f.length - V4_HEADERS);
        }
        return data.toByteArray();
    }

    @Test
    void aLargeSegmentGoesWholeToAGuestThatTakesItAndCutToTheOthers() {
        long sentBefore = stack.interfaceInfo("vp2").counters().outPackets();
        byte[] large = ipv4Packet(PAYLOAD);
        guestA.injectLarge(large, Frame.GSO_TCPV4, MSS, 34);

        List<Integer> states = new ArrayList<>();
        List<Integer> gso = new ArrayList<>();
        List<byte[]> whole = fixtureFrames(tsoGuest, states, gso);
        assertEquals(1, whole.size(), "one frame to the guest that takes large segments");
        assertArrayEquals(large, whole.get(0), "as it came");
        assertEquals(List.of(Frame.CSUM_PARTIAL), states);
        assertEquals(List.of(MSS), gso, "still a large segment of " + MSS);

        byte[] payload = Arrays.copyOfRange(large, V4_HEADERS, large.length);
        states.clear();
        gso.clear();
        List<byte[]> wire = fixtureFrames(tap, states, gso);
        assertEquals(3, wire.size(), "cut for the wire");
        assertArrayEquals(payload, joined(wire, large, true));
        assertEquals(List.of(0, 0, 0), gso);
        assertEquals(0x10, wire.get(0)[47] & 0x10 | (wire.get(0)[47] & 0x09), "no FIN or PSH before the last");
        assertEquals(large[47] & 0x09, wire.get(2)[47] & 0x09, "FIN and PSH on the last");

        states.clear();
        List<byte[]> cut = fixtureFrames(csumGuest, states, gso);
        assertEquals(3, cut.size(), "cut for a guest that takes partial checksums only");
        assertArrayEquals(payload, joined(cut, large, false));
        assertEquals(List.of(Frame.CSUM_PARTIAL, Frame.CSUM_PARTIAL, Frame.CSUM_PARTIAL), states);

        assertEquals(3, stack.interfaceInfo("vp2").counters().outPackets() - sentBefore, "counted as segments sent");
        assertPoolsFull();
    }

    /**
     * The impairer corrupts the segments a wire carries: each piece is hit, so none verifies. Had it corrupted
     * the large frame before the cut, the cut's fresh checksums would cover the flipped bit and all would.
     */
    @Test
    void anImpairedInterfaceWorksOnTheSegmentsAWireCarries() {
        stack.setImpairment("wm0", new Impairment(0, 0, 0, 0, 100)); // every frame corrupted
        byte[] large = ipv4Packet(PAYLOAD);
        guestA.injectLarge(large, Frame.GSO_TCPV4, MSS, 34);

        List<byte[]> wire = new ArrayList<>();
        for (String hex : tap.takeSent()) {
            byte[] b = HexFormat.of().parseHex(hex);
            if (b.length > V4_HEADERS && u16(b, 12) == 0x0800) { // the bit flipped lies behind the Ethernet header
                wire.add(b);
            }
        }
        assertEquals(3, wire.size(), "three segments, each corrupted on its own");
        for (byte[] f : wire) {
            assertTrue(!checksumsVerify(f, 14), "a corrupted segment's checksums must not verify");
        }
    }

    @Test
    void aLinkThatStopsTakingLargeSegmentsGetsThemCut() {
        tsoGuest.offloads = Link.OFFLOAD_CSUM; // its peer renegotiated without TSO
        byte[] large = ipv4Packet(PAYLOAD);
        guestA.injectLarge(large, Frame.GSO_TCPV4, MSS, 34);
        List<Integer> states = new ArrayList<>();
        List<byte[]> cut = fixtureFrames(tsoGuest, states, new ArrayList<>());
        assertEquals(3, cut.size());
        assertArrayEquals(Arrays.copyOfRange(large, V4_HEADERS, large.length), joined(cut, large, false));
    }

    @Test
    void aLargeSegmentWhoseHeadersCannotBeCutIsDroppedAndCounted() {
        byte[] large = ipv4Packet(PAYLOAD);
        large[23] = 17; // UDP in a TCP large segment
        guestA.injectLarge(large, Frame.GSO_TCPV4, MSS, 34);
        assertTrue(fixtureFrames(tap, new ArrayList<>(), new ArrayList<>()).isEmpty());
        assertEquals(1, drops("wm0", DropReason.MALFORMED));
        assertPoolsFull();
    }

    private void assertPoolsFull() {
        assertEquals(pool.capacity(), pool.available(), "frames out of the pool");
        assertEquals(stack.largeFrames().capacity(), stack.largeFrames().available(), "large frames out of theirs");
    }
}
