package io.pktstack.shell.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic libpcap files (the format tcpdump -w writes and Wireshark reads):
 * a 24-byte global header, then per packet a 16-byte record header and the
 * bytes. Microsecond timestamps, link type 1 (Ethernet), written in the
 * machine's byte order as libpcap does; readers detect it from the magic.
 */
final class PcapWriter implements AutoCloseable {

    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 65535;

    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());

    PcapWriter(OutputStream out) throws IOException {
        this.out = out;
        ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
        g.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4) // version 2.4
                .putInt(0).putInt(0) // thiszone, sigfigs
                .putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        out.write(g.array());
    }

    /** Writes one packet captured at {@code epochMicros}. */
    void write(long epochMicros, byte[] frame, int length) throws IOException {
        int incl = Math.min(length, SNAPLEN);
        header.clear();
        header.putInt((int) (epochMicros / 1_000_000)).putInt((int) (epochMicros % 1_000_000))
                .putInt(incl).putInt(length);
        out.write(header.array());
        out.write(frame, 0, incl);
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
