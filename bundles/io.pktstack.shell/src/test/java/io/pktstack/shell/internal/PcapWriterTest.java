package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classic libpcap format: 24-byte global header, 16-byte record headers, native byte order. */
class PcapWriterTest {

    /** 2023-11-14T22:13:20.123456Z */
    private static final long MICROS = 1_700_000_000_123_456L;

    /** The global header as a little-endian machine writes it. */
    private static final String GLOBAL_HEADER_LE = """
            d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
            """;

    /** Record header of a 42-byte frame at MICROS: ts_sec 0x6553f100, ts_usec 0x0001e240, incl 42, orig 42. */
    private static final String RECORD_HEADER_LE = """
            00f15365 40e20100 2a000000 2a000000
            """;

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private static String strip(String hex) {
        return hex.replaceAll("\\s", "");
    }

    @Test
    void globalHeaderBytesOnALittleEndianMachine() throws IOException {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PcapWriter(out);
        assertEquals(strip(GLOBAL_HEADER_LE), hex(out.toByteArray()));
    }

    @Test
    void recordHeaderBytesOnALittleEndianMachine() throws IOException {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(out);
        byte[] frame = FrameSummaryTest.bytes(FrameSummaryTest.ARP_REQUEST);
        w.write(MICROS, frame, frame.length);
        assertEquals(strip(GLOBAL_HEADER_LE + RECORD_HEADER_LE) + hex(frame), hex(out.toByteArray()));
    }

    @Test
    void fileIsReadableWhateverTheMachineOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("capture.pcap");
        byte[] arp = FrameSummaryTest.bytes(FrameSummaryTest.ARP_REQUEST);
        byte[] icmp = FrameSummaryTest.bytes(FrameSummaryTest.ICMP_ECHO_REQUEST);
        try (PcapWriter w = new PcapWriter(Files.newOutputStream(file))) {
            w.write(MICROS, arp, arp.length);
            w.write(MICROS + 999_999, icmp, icmp.length);
            w.flush();
        }

        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        assertEquals(24 + 16 + 42 + 16 + 98, in.remaining());
        // A reader tells the order from the magic, as libpcap does.
        int magic = in.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4) {
            assertEquals(0xd4c3b2a1, magic, "magic in neither order");
            in.order(ByteOrder.LITTLE_ENDIAN);
        }
        assertEquals(0xa1b2c3d4, in.getInt());
        assertEquals(2, in.getShort(), "version major");
        assertEquals(4, in.getShort(), "version minor");
        assertEquals(0, in.getInt(), "thiszone");
        assertEquals(0, in.getInt(), "sigfigs");
        assertEquals(65535, in.getInt(), "snaplen");
        assertEquals(1, in.getInt(), "linktype: LINKTYPE_ETHERNET");

        assertRecord(in, 1_700_000_000, 123_456, arp);
        assertRecord(in, 1_700_000_001, 123_455, icmp);
        assertFalse(in.hasRemaining());
    }

    private static void assertRecord(ByteBuffer in, int sec, int usec, byte[] frame) {
        assertEquals(sec, in.getInt(), "ts_sec");
        assertEquals(usec, in.getInt(), "ts_usec");
        assertEquals(frame.length, in.getInt(), "incl_len");
        assertEquals(frame.length, in.getInt(), "orig_len");
        byte[] data = new byte[frame.length];
        in.get(data);
        assertArrayEquals(frame, data);
    }

    @Test
    void writesOnlyLengthBytesOfTheArray() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(out);
        byte[] buffer = new byte[2048];
        Arrays.fill(buffer, (byte) 0x5a);
        w.write(MICROS, buffer, 60);
        assertEquals(24 + 16 + 60, out.size());
        ByteBuffer rec = ByteBuffer.wrap(out.toByteArray(), 24, 16).order(ByteOrder.nativeOrder());
        assertEquals(60, rec.getInt(24 + 8));
        assertEquals(60, rec.getInt(24 + 12));
    }

    @Test
    void framesLongerThanTheSnaplenAreCutButKeepTheirLength() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter w = new PcapWriter(out);
        byte[] jumbo = new byte[70_000];
        w.write(MICROS, jumbo, jumbo.length);
        assertEquals(24 + 16 + 65_535, out.size());
        ByteBuffer rec = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.nativeOrder());
        assertEquals(65_535, rec.getInt(24 + 8), "incl_len");
        assertEquals(70_000, rec.getInt(24 + 12), "orig_len");
    }

    @Test
    void closeClosesTheStream() throws IOException {
        boolean[] closed = {false};
        OutputStream out = new FilterOutputStream(new ByteArrayOutputStream()) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        new PcapWriter(out).close();
        assertTrue(closed[0]);
    }
}
