package io.pktstack.core.internal.tcp;

import io.pktstack.api.wire.TcpOptions;
import io.pktstack.api.wire.TcpSegment;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/** Crafts TCP segments for tests (a peer misbehaving on purpose), checksums filled for 10.0.0.x addresses. */
final class Segments {

    private final byte[] buf = new byte[1600];
    private final MemorySegment seg = MemorySegment.ofArray(buf);
    private final TcpSegment tcp = new TcpSegment();
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int flags;
    private int window = 65535;
    private byte[] options = new byte[0];
    private byte[] data = new byte[0];

    static Segments from(int srcPort, int dstPort) {
        Segments s = new Segments();
        s.srcPort = srcPort;
        s.dstPort = dstPort;
        return s;
    }

    Segments seq(int v) {
        seq = v;
        return this;
    }

    Segments ack(int v) {
        ack = v;
        return this;
    }

    Segments flags(int v) {
        flags = v;
        return this;
    }

    Segments window(int v) {
        window = v;
        return this;
    }

    Segments data(byte[] v) {
        data = v;
        return this;
    }

    /** Raw option bytes, padded by the caller to a multiple of four. */
    Segments options(String hex) {
        options = HexFormat.of().parseHex(hex.replace(" ", ""));
        return this;
    }

    /** Timestamps option with these values (NOP NOP TS). */
    Segments timestamps(int tsVal, int tsEcr) {
        byte[] o = new byte[12];
        TcpOptions.writeTimestamps(MemorySegment.ofArray(o), 0, tsVal, tsEcr);
        options = o;
        return this;
    }

    /** The segment's bytes, checksummed for {@code src} -> {@code dst} (IPv4 addresses as longs). */
    byte[] build(long src, long dst) {
        int hdr = 20 + options.length;
        int len = hdr + data.length;
        java.util.Arrays.fill(buf, 0, len, (byte) 0);
        tcp.wrap(seg, 0, len);
        tcp.setSrcPort(srcPort);
        tcp.setDstPort(dstPort);
        tcp.setSeq(seq);
        tcp.setAckNumber(ack);
        tcp.setHeaderLength(hdr);
        tcp.setFlags(flags);
        tcp.setWindow(window);
        System.arraycopy(options, 0, buf, 20, options.length);
        System.arraycopy(data, 0, buf, hdr, data.length);
        tcp.fillChecksumV4((int) src, (int) dst);
        return java.util.Arrays.copyOf(buf, len);
    }
}
