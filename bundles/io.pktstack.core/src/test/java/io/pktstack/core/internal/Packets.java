package io.pktstack.core.internal;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Builds test frames byte by byte, independently of the stack's own wire
 * code: headers laid out as the RFCs draw them, checksums from
 * {@link Hex#internetChecksum}. Reading helpers take fields back out of what
 * the stack sent.
 */
final class Packets {

    private Packets() {
    }

    static byte[] mac(String m) {
        String[] p = m.split(":");
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) Integer.parseInt(p[i], 16);
        }
        return b;
    }

    static byte[] ip(String a) {
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(a, e);
        }
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] u32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] eth(String dst, String src, int type, byte[] payload) {
        return cat(mac(dst), mac(src), u16(type), payload);
    }

    /** An IPv4 header (no options) with its checksum, then {@code payload}; {@code flagsOffset} is the 16-bit word. */
    static byte[] ipv4(String src, String dst, int protocol, int ttl, int id, int flagsOffset, byte[] payload) {
        byte[] h = cat(new byte[] {0x45, 0}, u16(20 + payload.length), u16(id), u16(flagsOffset),
                new byte[] {(byte) ttl, (byte) protocol, 0, 0}, ip(src), ip(dst));
        int c = Hex.internetChecksum(h, 0, 20, 0);
        h[10] = (byte) (c >>> 8);
        h[11] = (byte) c;
        return cat(h, payload);
    }

    static final int DF = 0x4000;
    static final int MF = 0x2000;

    static long pseudo4(String src, String dst, int protocol, int length) {
        byte[] p = cat(ip(src), ip(dst), new byte[] {0, (byte) protocol}, u16(length));
        long s = 0;
        for (int i = 0; i < p.length; i += 2) {
            s += ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
        }
        return s;
    }

    static long pseudo6(String src, String dst, int nextHeader, int length) {
        byte[] p = cat(ip(src), ip(dst), u32(length), new byte[] {0, 0, 0, (byte) nextHeader});
        long s = 0;
        for (int i = 0; i < p.length; i += 2) {
            s += ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
        }
        return s;
    }

    static byte[] udp(long pseudo, int sport, int dport, byte[] data) {
        byte[] u = cat(u16(sport), u16(dport), u16(8 + data.length), u16(0), data);
        int c = Hex.internetChecksum(u, 0, u.length, pseudo);
        if (c == 0) {
            c = 0xFFFF;
        }
        u[6] = (byte) (c >>> 8);
        u[7] = (byte) c;
        return u;
    }

    static byte[] udp4(String src, String dst, int sport, int dport, byte[] data) {
        return udp(pseudo4(src, dst, 17, 8 + data.length), sport, dport, data);
    }

    static byte[] udp6(String src, String dst, int sport, int dport, byte[] data) {
        return udp(pseudo6(src, dst, 17, 8 + data.length), sport, dport, data);
    }

    static byte[] icmp4(int type, int code, long rest, byte[] data) {
        byte[] m = cat(new byte[] {(byte) type, (byte) code, 0, 0}, u32(rest), data);
        int c = Hex.internetChecksum(m, 0, m.length, 0);
        m[2] = (byte) (c >>> 8);
        m[3] = (byte) c;
        return m;
    }

    static byte[] icmp6(String src, String dst, int type, int code, long rest, byte[] data) {
        byte[] m = cat(new byte[] {(byte) type, (byte) code, 0, 0}, u32(rest), data);
        int c = Hex.internetChecksum(m, 0, m.length, pseudo6(src, dst, 58, m.length));
        m[2] = (byte) (c >>> 8);
        m[3] = (byte) c;
        return m;
    }

    static byte[] ipv6(String src, String dst, int nextHeader, int hops, byte[] payload) {
        return cat(new byte[] {0x60, 0, 0, 0}, u16(payload.length), new byte[] {(byte) nextHeader, (byte) hops},
                ip(src), ip(dst), payload);
    }

    /** An IPv6 Fragment header (RFC 8200 §4.5) in front of {@code data}. */
    static byte[] frag6(int nextHeader, int offset, boolean more, long id, byte[] data) {
        return cat(new byte[] {(byte) nextHeader, 0}, u16(offset | (more ? 1 : 0)), u32(id), data);
    }

    static byte[] arp(int op, String senderMac, String senderIp, String targetMac, String targetIp) {
        return cat(u16(1), u16(0x0800), new byte[] {6, 4}, u16(op), mac(senderMac), ip(senderIp), mac(targetMac),
                ip(targetIp));
    }

    /** A solicited, override neighbour advertisement for {@code target} with its link-layer address. */
    static byte[] na(String from, String fromMac, String to, String toMac, String target) {
        byte[] body = cat(ip(target), new byte[] {2, 1}, mac(fromMac));
        return eth(toMac, fromMac, 0x86dd, ipv6(from, to, 58, 255, icmp6(from, to, 136, 0, 0x6000_0000L, body)));
    }

    static byte[] slice(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xFF;
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    /** A TCP segment without options (RFC 9293 §3.1), its checksum over the IPv4 pseudo-header. */
    static byte[] tcp4(String src, String dst, int sport, int dport, long seq, long ack, int flags, byte[] data) {
        byte[] t = cat(u16(sport), u16(dport), u32(seq), u32(ack), new byte[] {0x50, (byte) flags}, u16(65535),
                u16(0), u16(0), data);
        int c = Hex.internetChecksum(t, 0, t.length, pseudo4(src, dst, 6, t.length));
        t[16] = (byte) (c >>> 8);
        t[17] = (byte) c;
        return t;
    }

    static String ipText(byte[] f, int at) {
        return u8(f, at) + "." + u8(f, at + 1) + "." + u8(f, at + 2) + "." + u8(f, at + 3);
    }

    /**
     * Checks an Ethernet frame holding an IPv4 packet: the header checksum and
     * the transport's (TCP and UDP over the pseudo-header, ICMP over itself).
     */
    static void assertChecksums(byte[] f) {
        int hl = (f[14] & 0x0F) * 4;
        int total = u16(f, 16);
        if (Hex.internetChecksum(f, 14, 14 + hl, 0) != 0) {
            throw new AssertionError("bad IPv4 header checksum in " + Hex.of(f));
        }
        int p = u8(f, 23);
        int l4 = 14 + hl;
        int len = total - hl;
        long pseudo = p == 1 ? 0 : pseudo4(ipText(f, 26), ipText(f, 30), p, len);
        if (p == 17 && u16(f, l4 + 6) == 0) {
            return;
        }
        if ((p == 1 || p == 6 || p == 17) && Hex.internetChecksum(f, l4, l4 + len, pseudo) != 0) {
            throw new AssertionError("bad protocol " + p + " checksum in " + Hex.of(f));
        }
    }
}
