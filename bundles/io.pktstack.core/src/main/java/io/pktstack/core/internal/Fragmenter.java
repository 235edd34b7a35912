package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv4Packet;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Splits an IP packet too large for the next hop into fragments, each a new
 * frame from the pool with the original's Ethernet header: IPv4 as RFC 791
 * §3.2 describes (a router's, RFC 1812 §5.2.6, or the stack's own datagram),
 * IPv6 only for the stack's own packets, with a Fragment header and a random
 * identification (RFC 8200 §4.5, RFC 7739). The original frame is left to
 * the caller. Counted in {@code netstat -s}.
 */
final class Fragmenter {

    /** The IPv6 Fragment header's number (RFC 8200 §4.5) and length. */
    static final int IPV6_FRAGMENT = 44;
    static final int IPV6_FRAGMENT_LEN = 8;

    private final FramePool pool;
    private final ProtocolCounters stats;

    Fragmenter(FramePool pool, ProtocolCounters stats) {
        this.pool = pool;
        this.stats = stats;
    }

    /**
     * Appends to {@code into} the fragments, of at most {@code mtu} bytes of
     * IP each, of the IPv4 packet in {@code f} (its header valid, DF ignored:
     * the caller decided). A fragment of a fragment keeps its place: offsets
     * count from the original's and MF stays on the last piece if it was set.
     * Options marked "copied" go into every fragment, the others into the
     * first only. Returns false and appends nothing when the pool runs short
     * or the pieces would not fit {@code into}.
     */
    boolean fragmentV4(Frame f, int mtu, FrameBatch into) {
        ChecksumOffload.complete(f); // the pieces carry the whole datagram's checksum, no partial one
        MemorySegment s = f.segment();
        long eth = f.offset();
        long ip = eth + EthernetFrame.HEADER_LEN;
        int hl = (Be.u8(s, ip) & 0x0F) * 4;
        int total = Be.u16(s, ip + 2);
        int fo = Be.u16(s, ip + 6);
        int base = fo & 0x1FFF;
        boolean moreAfter = (fo & 0x2000) != 0;
        int data = total - hl;
        int otherHl = Ipv4Packet.MIN_HEADER_LEN + copiedOptions(s, ip + Ipv4Packet.MIN_HEADER_LEN,
                hl - Ipv4Packet.MIN_HEADER_LEN, null, 0);
        int firstMax = (mtu - hl) & ~7;
        int otherMax = (mtu - otherHl) & ~7;
        if (firstMax <= 0 || otherMax <= 0 || data <= firstMax) {
            stats.count(Stat.IP_CANT_FRAGMENT);
            return false;
        }
        int pieces = 1 + (data - firstMax + otherMax - 1) / otherMax;
        if (pieces > into.capacity() - into.size()) {
            stats.count(Stat.IP_CANT_FRAGMENT);
            return false;
        }
        int start = into.size();
        int pos = 0;
        while (pos < data) {
            boolean first = pos == 0;
            int h = first ? hl : otherHl;
            int chunk = Math.min(data - pos, first ? firstMax : otherMax);
            boolean last = pos + chunk == data;
            Frame p = pool.take();
            if (p == null) {
                undo(into, start);
                stats.count(Stat.IP_CANT_FRAGMENT);
                return false;
            }
            MemorySegment d = p.segment();
            long pe = p.offset();
            long pip = pe + EthernetFrame.HEADER_LEN;
            MemorySegment.copy(s, eth, d, pe, EthernetFrame.HEADER_LEN + Ipv4Packet.MIN_HEADER_LEN);
            if (first) {
                MemorySegment.copy(s, ip + Ipv4Packet.MIN_HEADER_LEN, d, pip + Ipv4Packet.MIN_HEADER_LEN,
                        hl - Ipv4Packet.MIN_HEADER_LEN);
            } else {
                copiedOptions(s, ip + Ipv4Packet.MIN_HEADER_LEN, hl - Ipv4Packet.MIN_HEADER_LEN, d,
                        pip + Ipv4Packet.MIN_HEADER_LEN);
            }
            Be.u8(d, pip, 0x40 | (h / 4));
            Be.u16(d, pip + 2, h + chunk);
            Be.u16(d, pip + 6, (last && !moreAfter ? 0 : 0x2000) | (base + pos / 8)); // DF clear, RFC 791
            Be.u16(d, pip + 10, 0);
            Be.u16(d, pip + 10, Checksum.compute(d, pip, h));
            MemorySegment.copy(s, ip + hl + pos, d, pip + h, chunk);
            p.length(EthernetFrame.HEADER_LEN + h + chunk);
            p.inputPort(f.inputPort());
            into.add(p);
            pos += chunk;
        }
        stats.count(Stat.IP_FRAGMENTED);
        for (int i = start; i < into.size(); i++) {
            stats.count(Stat.IP_FRAGMENTS_CREATED);
        }
        return true;
    }

    /**
     * The options of a header that are copied into every fragment (the copy
     * bit of the type, RFC 791 §3.1), written at {@code to} if it is not null,
     * padded with End of Option List to a multiple of four; returns their
     * length. A malformed option ends the list.
     */
    private static int copiedOptions(MemorySegment s, long at, int len, MemorySegment to, long toAt) {
        int n = 0;
        int i = 0;
        while (i < len) {
            int type = Be.u8(s, at + i);
            if (type == 0) {
                break;
            }
            if (type == 1) {
                i++;
                continue;
            }
            if (i + 1 >= len) {
                break;
            }
            int l = Be.u8(s, at + i + 1);
            if (l < 2 || i + l > len) {
                break;
            }
            if ((type & 0x80) != 0) {
                if (to != null) {
                    MemorySegment.copy(s, at + i, to, toAt + n, l);
                }
                n += l;
            }
            i += l;
        }
        int padded = (n + 3) & ~3;
        if (to != null) {
            for (int k = n; k < padded; k++) {
                Be.u8(to, toAt + k, 0);
            }
        }
        return padded;
    }

    /**
     * Appends the fragments of the stack's own IPv6 packet in {@code f} (the
     * fixed header followed by the upper-layer data; the stack adds no
     * extension headers): each carries the header with a Fragment header
     * behind it and at most {@code mtu} bytes in all (RFC 8200 §4.5).
     */
    boolean fragmentV6(Frame f, int mtu, FrameBatch into) {
        ChecksumOffload.complete(f); // the pieces carry the whole datagram's checksum, no partial one
        MemorySegment s = f.segment();
        long eth = f.offset();
        long ip = eth + EthernetFrame.HEADER_LEN;
        int plen = Be.u16(s, ip + 4);
        int nh = Be.u8(s, ip + 6);
        int max = (mtu - Ipv6Packet.HEADER_LEN - IPV6_FRAGMENT_LEN) & ~7;
        if (max <= 0 || plen <= max) {
            stats.count(Stat.IP6_CANT_FRAGMENT);
            return false;
        }
        int pieces = (plen + max - 1) / max;
        if (pieces > into.capacity() - into.size()) {
            stats.count(Stat.IP6_CANT_FRAGMENT);
            return false;
        }
        int id = ThreadLocalRandom.current().nextInt();
        int start = into.size();
        for (int pos = 0; pos < plen; ) {
            int chunk = Math.min(plen - pos, max);
            boolean last = pos + chunk == plen;
            Frame p = pool.take();
            if (p == null) {
                undo(into, start);
                stats.count(Stat.IP6_CANT_FRAGMENT);
                return false;
            }
            MemorySegment d = p.segment();
            long pe = p.offset();
            long pip = pe + EthernetFrame.HEADER_LEN;
            MemorySegment.copy(s, eth, d, pe, EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN);
            Be.u16(d, pip + 4, IPV6_FRAGMENT_LEN + chunk);
            Be.u8(d, pip + 6, IPV6_FRAGMENT);
            long fh = pip + Ipv6Packet.HEADER_LEN;
            Be.u8(d, fh, nh);
            Be.u8(d, fh + 1, 0);
            Be.u16(d, fh + 2, pos | (last ? 0 : 1)); // offset in 8-byte units sits in the upper 13 bits: pos is a multiple of 8
            Be.i32(d, fh + 4, id);
            MemorySegment.copy(s, ip + Ipv6Packet.HEADER_LEN + pos, d, fh + IPV6_FRAGMENT_LEN, chunk);
            p.length(EthernetFrame.HEADER_LEN + Ipv6Packet.HEADER_LEN + IPV6_FRAGMENT_LEN + chunk);
            into.add(p);
            pos += chunk;
        }
        stats.count(Stat.IP6_FRAGMENTED);
        for (int i = start; i < into.size(); i++) {
            stats.count(Stat.IP6_FRAGMENTS_CREATED);
        }
        return true;
    }

    private static void undo(FrameBatch into, int start) {
        while (into.size() > start) {
            Frame p = into.get(into.size() - 1);
            into.size(into.size() - 1);
            p.release();
        }
    }
}
