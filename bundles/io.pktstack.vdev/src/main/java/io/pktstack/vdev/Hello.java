package io.pktstack.vdev;

import io.pktstack.api.net.MacAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The handshake message each endpoint sends when a connection opens. The
 * peer's message is untrusted: every field is checked by {@link #read} (sizes)
 * and by the endpoint (meaning).
 *
 * @param role {@link #DEVICE} (vdevpeer-net: owns no rings) or {@link #DRIVER}
 *        (virtio-net: owns a region with its receive and transmit queues)
 * @param legacyHeader whether frames carry the 10-byte virtio_net_hdr without num_buffers
 * @param mac the sender's MAC
 * @param mtu the sender's largest frame
 * @param bindPath the device path the sender bound (as configured, e.g. {@code /dev/qvm/g1/p2p})
 * @param regionPath for a driver, the shared-memory file holding its rings; empty for a device
 */
record Hello(int role, boolean legacyHeader, MacAddress mac, int mtu, String bindPath, String regionPath) {

    static final int DEVICE = 0;
    static final int DRIVER = 1;
    static final int MAGIC = 0x504B5648; // "PKVH"
    static final int VERSION = 1;
    private static final int MAX_PATH = 4096;

    void write(SocketChannel ch) throws IOException {
        byte[] bind = bindPath.getBytes(StandardCharsets.UTF_8);
        byte[] region = regionPath.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 1 + 1 + 8 + 4 + 2 + bind.length + 2 + region.length);
        b.putInt(MAGIC).putShort((short) VERSION).put((byte) role).put((byte) (legacyHeader ? 1 : 0))
                .putLong(mac.bits()).putInt(mtu)
                .putShort((short) bind.length).put(bind).putShort((short) region.length).put(region).flip();
        ByteBuffer len = ByteBuffer.allocate(4).putInt(b.remaining()).flip();
        writeFully(ch, len);
        writeFully(ch, b);
    }

    static Hello read(SocketChannel ch) throws IOException, ProtocolException {
        ByteBuffer len = readFully(ch, 4);
        int n = len.getInt();
        if (n < 24 || n > 2 * MAX_PATH + 64) {
            throw new ProtocolException("handshake of " + n + " bytes");
        }
        ByteBuffer b = readFully(ch, n);
        if (b.getInt() != MAGIC) {
            throw new ProtocolException("not a pktstack vdev peer (bad magic)");
        }
        int version = b.getShort() & 0xFFFF;
        if (version != VERSION) {
            throw new ProtocolException("peer speaks protocol version " + version + ", we speak " + VERSION);
        }
        int role = b.get();
        if (role != DEVICE && role != DRIVER) {
            throw new ProtocolException("unknown peer role " + role);
        }
        boolean legacy = b.get() != 0;
        long macBits = b.getLong();
        if ((macBits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new ProtocolException("MAC wider than 48 bits");
        }
        int mtu = b.getInt();
        String bind = string(b);
        String region = string(b);
        return new Hello(role, legacy, new MacAddress(macBits), mtu, bind, region);
    }

    private static String string(ByteBuffer b) throws ProtocolException {
        if (b.remaining() < 2) {
            throw new ProtocolException("truncated handshake");
        }
        int n = b.getShort() & 0xFFFF;
        if (n > MAX_PATH || n > b.remaining()) {
            throw new ProtocolException("path of " + n + " bytes in handshake");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new java.io.EOFException("peer closed the connection");
            }
        }
        return b.flip();
    }

    /** The peer said something that breaks the protocol. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
