package io.pktstack.shell.internal;

import io.pktstack.api.net.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The frame {@code pktgen -4} repeats: Ethernet, IPv4 (RFC 791: DF, TTL 64,
 * header checksum) and UDP from port 1024 to the discard port 9 (RFC 863)
 * without a checksum (allowed over IPv4, RFC 768), zeros to the size asked.
 */
final class UdpFrame {

    static final int MIN_SIZE = 14 + 20 + 8;

    private UdpFrame() {
    }

    static InetAddress v4(String command, String text) {
        InetAddress a = NetCommands.numeric(command, text);
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException(command + ": '" + text + "' is not an IPv4 address");
        }
        return a;
    }

    static byte[] ipv4(MacAddress dst, MacAddress src, InetAddress from, InetAddress to, int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("pktgen: -4 frames need at least " + MIN_SIZE + " bytes (-s " + size + ")");
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        putMac(b, dst.bits());
        putMac(b, src.bits());
        b.putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(from.getAddress()).put(to.getAddress());
        long sum = 0;
        for (int i = ip; i < ip + 20; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        b.putShort(ip + 10, (short) ~sum);
        b.putShort((short) 1024).putShort((short) 9).putShort((short) (size - 34)).putShort((short) 0);
        return b.array();
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }
}
