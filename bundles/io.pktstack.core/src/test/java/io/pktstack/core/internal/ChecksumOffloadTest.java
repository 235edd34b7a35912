package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.link.Link;
import io.pktstack.api.wire.TcpSegment;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partial checksums through the bridge: a frame a guest left partial goes on
 * partial, unsummed, to a link that takes partial checksums (another guest),
 * and whole to one that does not (a TAP, a NIC), where the sum a receiver
 * checks must come out right. The flood's copy keeps the state too.
 */
class ChecksumOffloadTest extends StackTestBase {

    static final int SRC = 0x0A290002; // 10.41.0.2
    static final int DST = 0x0A290003; // 10.41.0.3

    FakeLink guestA;
    FakeLink tap;
    FakeLink guestB;

    @BeforeEach
    void bridge() {
        guestA = add(new FakeLink("02:00:00:00:00:10"), "vp");
        tap = add(new FakeLink("02:00:00:00:00:11"), "wm");
        guestB = add(new FakeLink("02:00:00:00:00:12"), "vp");
        guestA.offloads = Link.OFFLOAD_CSUM;
        guestB.offloads = Link.OFFLOAD_CSUM;
        stack.createBridge("bridge0");
        stack.setUp("bridge0", true);
        for (String m : List.of("vp0", "wm0", "vp1")) {
            stack.bridgeAdd("bridge0", m);
        }
    }

    /** An Ethernet/IPv4/TCP frame to an unknown MAC (flooded) whose TCP checksum holds only the pseudo-header sum. */
    static byte[] partialTcpFrame(int payload) {
        byte[] b = new byte[14 + 20 + 20 + payload];
        byte[] eth = HexFormat.of().parseHex("02000000aa01" + "02000000bb02" + "0800"); // to an unknown MAC: flooded
        System.arraycopy(eth, 0, b, 0, eth.length);
        MemorySegment s = MemorySegment.ofArray(b);
        b[14] = 0x45;
        int total = 20 + 20 + payload;
        b[16] = (byte) (total >>> 8);
        b[17] = (byte) total;
        b[22] = 64;
        b[23] = 6;
        for (int i = 0; i < 4; i++) {
            b[26 + i] = (byte) (SRC >>> (24 - 8 * i));
            b[30 + i] = (byte) (DST >>> (24 - 8 * i));
        }
        for (int i = 0; i < payload; i++) {
            b[54 + i] = (byte) (i * 7 + 3);
        }
        TcpSegment t = new TcpSegment();
        t.wrap(s, 34, 20 + payload);
        t.setSrcPort(40000);
        t.setDstPort(5001);
        t.setSeq(1000);
        t.setAckNumber(1);
        t.setHeaderLength(20);
        t.setFlags(TcpSegment.ACK);
        t.setWindow(512);
        t.fillPartialChecksumV4(SRC, DST);
        return b;
    }

    static boolean tcpSumOk(byte[] frame) {
        TcpSegment t = new TcpSegment();
        t.wrap(MemorySegment.ofArray(frame), 34, frame.length - 34);
        return t.verifyChecksumV4(SRC, DST);
    }

    /** The frame of {@code length} bytes {@code link} transmitted (the stack's own announcements pass by), and its state. */
    static byte[] sentOfLength(FakeLink link, int length, int[] state) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<String> sent = link.awaitSent(1, 2000);
            List<Integer> states = link.lastStates;
            for (int i = 0; i < sent.size(); i++) {
                if (sent.get(i).length() == 2 * length) {
                    state[0] = states.get(i);
                    return HexFormat.of().parseHex(sent.get(i));
                }
            }
        }
        throw new AssertionError("no frame of " + length + " bytes");
    }

    @Test
    void aPartialChecksumStaysPartialToGuestsAndIsCompletedForAWire() throws Exception {
        byte[] partial = partialTcpFrame(333);
        assertFalse(tcpSumOk(partial), "the fixture's checksum is partial, not whole");

        guestA.injectPartial(partial, 34, 16);

        int[] state = new int[1];
        assertArrayEquals(partial, sentOfLength(guestB, partial.length, state), "a guest gets it as it was: unsummed");
        assertEquals(Frame.CSUM_PARTIAL, state[0]);
        byte[] wire = sentOfLength(tap, partial.length, state);
        assertTrue(tcpSumOk(wire), "the wire gets a whole checksum");
        assertArrayEquals(java.util.Arrays.copyOfRange(partial, 0, 50), java.util.Arrays.copyOfRange(wire, 0, 50));
        assertArrayEquals(java.util.Arrays.copyOfRange(partial, 52, partial.length),
                java.util.Arrays.copyOfRange(wire, 52, wire.length), "only the checksum field changed");
    }

    @Test
    void aLinkThatStopsTakingPartialChecksumsGetsThemWhole() throws Exception {
        guestB.offloads = 0; // its peer renegotiated without checksum offload
        byte[] partial = partialTcpFrame(64);
        guestA.injectPartial(partial, 34, 16);
        assertTrue(tcpSumOk(sentOfLength(guestB, partial.length, new int[1])));
    }
}
