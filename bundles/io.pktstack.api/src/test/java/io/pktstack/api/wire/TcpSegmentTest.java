package io.pktstack.api.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The TCP view and its options against segments Linux 6.1 sent, captured with
 * tshark on a namespace's loopback: a SYN from 127.0.0.1:34872 to port 9, and
 * the RST-ACK the closed port answered with. Loopback leaves the SYN's checksum
 * to offload (the capture holds only the pseudo-header sum, 0xfe30); the full
 * checksum below, 0x0e8c, was computed with an independent RFC 1071
 * implementation in Python. The RST-ACK's checksum is as captured.
 */
class TcpSegmentTest {

    static final int LOOPBACK = 0x7f00_0001;

    /** SYN, seq 0x18e4ebc8, window 65495; MSS 65495, SACK-permitted, timestamps 0xc561ef22/0, window scale 10. */
    static final String LINUX_SYN = """
            8838 0009 18e4 ebc8 0000 0000 a002 ffd7
            0e8c 0000 0204 ffd7 0402 080a c561 ef22
            0000 0000 0103 030a
            """;

    /** The closed port's answer (RFC 9293 §3.10.7.1): seq 0, ack SEG.SEQ + 1, RST+ACK, window 0. */
    static final String LINUX_RST_ACK = """
            0009 8838 0000 0000 18e4 ebc9 5014 0000
            24df 0000
            """;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    static TcpSegment view(byte[] b) {
        TcpSegment t = new TcpSegment();
        assertTrue(t.wrapChecked(MemorySegment.ofArray(b), 0, b.length));
        return t;
    }

    @Test
    void linuxSynIsReadFieldByField() {
        TcpSegment t = view(hex(LINUX_SYN));
        assertEquals(34872, t.srcPort());
        assertEquals(9, t.dstPort());
        assertEquals(0x18e4ebc8, t.seq());
        assertEquals(40, t.headerLength());
        assertEquals(TcpSegment.SYN, t.flags());
        assertEquals(65495, t.window());
        assertEquals(0, t.payloadLength());
        assertEquals(1, t.sequenceLength(), "a SYN takes one sequence number");
        assertTrue(t.verifyChecksumV4(LOOPBACK, LOOPBACK));
        assertEquals("[S]", TcpSegment.flagString(t.flags()));
    }

    @Test
    void linuxSynOptionsAreParsed() {
        TcpOptions o = new TcpOptions();
        assertTrue(o.parse(view(hex(LINUX_SYN))));
        assertEquals(65495, o.mss);
        assertTrue(o.sackPermitted);
        assertTrue(o.timestamps);
        assertEquals(0xc561ef22, o.tsVal);
        assertEquals(0, o.tsEcr);
        assertEquals(10, o.windowScale);
        assertEquals(0, o.sackBlocks);
    }

    @Test
    void theRstAckIsBuiltByteForByte() {
        byte[] b = new byte[20];
        TcpSegment t = new TcpSegment().wrap(MemorySegment.ofArray(b), 0, 20);
        t.setSrcPort(9);
        t.setDstPort(34872);
        t.setSeq(0);
        t.setAckNumber(0x18e4ebc9);
        t.setHeaderLength(20);
        t.setFlags(TcpSegment.RST | TcpSegment.ACK);
        t.setWindow(0);
        t.fillChecksumV4(LOOPBACK, LOOPBACK);
        assertArrayEquals(hex(LINUX_RST_ACK), b);
        assertEquals("[R.]", TcpSegment.flagString(t.flags()));
    }

    @Test
    void ourOptionsAreWrittenAsLinuxLaysThemOutAndReadBack() {
        byte[] b = new byte[40];
        MemorySegment s = MemorySegment.ofArray(b);
        long at = TcpOptions.writeMss(s, 0, 1460);
        at = TcpOptions.writeWindowScale(s, at, 7);
        at = TcpOptions.writeSackPermitted(s, at);
        at = TcpOptions.writeTimestamps(s, at, 0x01020304, 0x0a0b0c0d);
        at = TcpOptions.writeSack(s, at, new int[] {100, 200}, 1);
        assertEquals(36, at);
        assertEquals("020405b4" + "01030307" + "01010402" + "0101080a010203040a0b0c0d" + "0101050a00000064000000c8",
                HexFormat.of().formatHex(b, 0, 36));

        byte[] seg = new byte[56];
        System.arraycopy(b, 0, seg, 20, 36);
        TcpSegment t = new TcpSegment().wrap(MemorySegment.ofArray(seg), 0, 56);
        t.setHeaderLength(56);
        TcpOptions o = new TcpOptions();
        assertTrue(o.parse(t));
        assertEquals(1460, o.mss);
        assertEquals(7, o.windowScale);
        assertTrue(o.sackPermitted && o.timestamps);
        assertEquals(0x0a0b0c0d, o.tsEcr);
        assertEquals(1, o.sackBlocks);
        assertEquals(100, o.sack[0]);
        assertEquals(200, o.sack[1]);
    }

    @Test
    void malformedOptionListsAreRefused() {
        for (String opts : new String[] {
                "0201 0000", // MSS with length 1
                "0800 0000", // length 0
                "0101 0204", // an MSS option cut off by the end of the header
                "0101 080a", // timestamps running past the header
                "0303 0e01 0105 0300", // SACK with a length not 2 + 8n
                "0403 0000", // SACK-permitted with length 3
        }) {
            byte[] o = hex(opts);
            int optLen = (o.length + 3) / 4 * 4;
            byte[] seg = new byte[20 + optLen];
            System.arraycopy(o, 0, seg, 20, o.length);
            TcpSegment t = new TcpSegment().wrap(MemorySegment.ofArray(seg), 0, seg.length);
            t.setHeaderLength(Math.min(seg.length / 4 * 4, 60));
            assertFalse(new TcpOptions().parse(t), opts);
        }
    }

    @Test
    void unknownOptionsAreSkippedAndAWindowScaleAbove14IsTaken14() {
        byte[] seg = new byte[32];
        System.arraycopy(hex("fe04 abcd 0303 2000 0000 0000"), 0, seg, 20, 12);
        TcpSegment t = new TcpSegment().wrap(MemorySegment.ofArray(seg), 0, 32);
        t.setHeaderLength(32);
        TcpOptions o = new TcpOptions();
        assertTrue(o.parse(t));
        assertEquals(14, o.windowScale, "RFC 7323 §2.3");
    }

    @Test
    void aDataOffsetOutsideTheSegmentIsRefused() {
        byte[] b = hex(LINUX_SYN);
        b[12] = 0x40; // 16 bytes
        assertFalse(new TcpSegment().wrapChecked(MemorySegment.ofArray(b), 0, b.length));
        b[12] = (byte) 0xf0; // 60 bytes in a 40-byte segment
        assertFalse(new TcpSegment().wrapChecked(MemorySegment.ofArray(b), 0, b.length));
        assertFalse(new TcpSegment().wrapChecked(MemorySegment.ofArray(b), 0, 19));
    }
}
