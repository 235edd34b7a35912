package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.wire.Checksum;
import io.pktstack.api.wire.EthernetFrame;
import io.pktstack.api.wire.Ipv6Packet;
import io.pktstack.core.internal.ProtocolCounters.Stat;
import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reassembly of IP datagrams addressed to the stack (RFC 791 §3.2 and
 * RFC 815 for IPv4, RFC 8200 §4.5 for IPv6). One instance per IP version.
 *
 * <p>Fragments are held as the pool frames they arrived in, sorted by offset,
 * in a fixed set of queues (one per datagram being reassembled, keyed by
 * source, destination, identification and, for IPv4, protocol). When the
 * fragments cover the datagram from 0 to the end the last one gave, they are
 * copied once into a frame of the large-slot pool (a datagram may be 64 KiB)
 * and handed on as an ordinary packet; the fragments go back to the pool.
 *
 * <p>Hostile input is bounded and counted, never trusted: fragments that
 * overlap abandon the whole datagram and every later fragment of it until
 * its timer runs out (RFC 5722; an exact duplicate is only dropped itself);
 * a datagram that would end past 65535 bytes, a non-last fragment whose
 * length is not a multiple of 8, an empty fragment, or a second end that
 * disagrees with the first, abandon it too. At most {@code maxPackets}
 * datagrams are in reassembly (a new one evicts the oldest), each of at most
 * {@code maxFragsPerPacket} fragments, and at most {@code maxFrags} fragments
 * are held in all; a datagram not complete within the timeout is dropped
 * and, if its first fragment came, its source gets "fragment reassembly
 * time exceeded" (RFC 792, RFC 8200 §4.5).
 */
final class Reassembly {

    /** The size of a large slot: an Ethernet header, the largest IPv4 or IPv6 datagram, and headroom. */
    static final int BIG_SLOT = 66 * 1024;

    private final boolean v6;
    private final FramePool big;
    private final StackTimer timer;
    private final ProtocolCounters stats;
    private final Supplier<PathContext> contexts;
    private IcmpErrors icmp;
    private volatile int maxPackets;
    private volatile int maxFragsPerPacket;
    private volatile int maxFrags;
    private volatile long timeoutNanos;
    private Queue[] queues = new Queue[0];
    /** Fragments held in all queues. */
    private int held;

    /** One datagram being reassembled. Guarded by the Reassembly's lock. */
    private final class Queue extends StackTimer.Task {
        boolean inUse;
        /** Overlap or inconsistency seen: every fragment of this datagram is dropped until the timer ends it. */
        boolean abandoned;
        long k0;
        long k1;
        long k2;
        long k3;
        long k4;
        long started;
        NetInterface l3;
        final Frame[] frames;
        final int[] start;
        final int[] end;
        /** Where each fragment's data starts, counted from its IP header. */
        final int[] dataAt;
        int count;
        /** Where the data ends, from the fragment without "more fragments"; -1 until it came. */
        int total = -1;

        Queue(int maxFrags) {
            frames = new Frame[maxFrags];
            start = new int[maxFrags];
            end = new int[maxFrags];
            dataAt = new int[maxFrags];
        }

        boolean is(long a, long b, long c, long d, long e) {
            return inUse && k0 == a && k1 == b && k2 == c && k3 == d && k4 == e;
        }

        @Override
        protected void run(long now) {
            expired(this);
        }
    }

    Reassembly(boolean v6, FramePool big, StackTimer timer, ProtocolCounters stats, Supplier<PathContext> contexts,
            int maxPackets, int maxFragsPerPacket, int maxFrags, long timeoutSeconds) {
        this.v6 = v6;
        this.big = big;
        this.timer = timer;
        this.stats = stats;
        this.contexts = contexts;
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
        this.maxFrags = maxFrags;
        setLimits(maxPackets, maxFragsPerPacket);
    }

    void icmp(IcmpErrors icmp) {
        this.icmp = icmp;
    }

    int maxPackets() {
        return maxPackets;
    }

    int maxFragsPerPacket() {
        return maxFragsPerPacket;
    }

    int maxFrags() {
        return maxFrags;
    }

    void setMaxFrags(int n) {
        maxFrags = n;
    }

    long timeoutSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(timeoutNanos);
    }

    /** Applies to datagrams that start from now on. */
    void setTimeoutSeconds(long s) {
        timeoutNanos = TimeUnit.SECONDS.toNanos(s);
    }

    /** New queue limits; datagrams being reassembled are dropped and counted (a control-path change). */
    synchronized void setLimits(int packets, int fragsPerPacket) {
        for (Queue q : queues) {
            if (q.inUse) {
                dropQueue(q, stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
            }
        }
        Queue[] n = new Queue[packets];
        for (int i = 0; i < packets; i++) {
            n[i] = new Queue(fragsPerPacket);
        }
        queues = n;
        maxPackets = packets;
        maxFragsPerPacket = fragsPerPacket;
    }

    /** Datagrams in reassembly now (for tests and netstat). */
    synchronized int pending() {
        int n = 0;
        for (Queue q : queues) {
            if (q.inUse) {
                n++;
            }
        }
        return n;
    }

    /**
     * Takes the IPv4 fragment in {@code f} (validated, header checksum
     * verified) that arrived on {@code l3} for one of the stack's addresses.
     * Takes ownership of {@code f}; returns the whole datagram in a frame of
     * the large pool when this fragment completed it, else null.
     */
    Frame inputV4(NetInterface l3, Frame f) {
        MemorySegment s = f.segment();
        long ip = f.offset() + EthernetFrame.HEADER_LEN;
        int hl = (Be.u8(s, ip) & 0x0F) * 4;
        int totalLength = Be.u16(s, ip + 2);
        int fo = Be.u16(s, ip + 6);
        int off = (fo & 0x1FFF) * 8;
        boolean more = (fo & 0x2000) != 0;
        int len = totalLength - hl;
        stats.count(Stat.IP_FRAGMENTS_IN);
        // RFC 791: every fragment but the last carries a multiple of 8 bytes; the datagram ends by 65535.
        if (len <= 0 || (more && (len & 7) != 0) || hl + off + len > 0xFFFF) {
            stats.count(Stat.IP_FRAGS_MALFORMED);
            l3.drop(DropReason.REASSEMBLY, 1);
            f.release();
            return null;
        }
        long src = Be.i32(s, ip + 12) & 0xFFFF_FFFFL;
        long dst = Be.i32(s, ip + 16) & 0xFFFF_FFFFL;
        long id = ((long) Be.u16(s, ip + 4) << 8) | Be.u8(s, ip + 9);
        return add(l3, f, src, dst, 0, 0, id, off, len, more, hl);
    }

    /**
     * Takes the IPv6 packet in {@code f} whose fixed header is followed
     * directly by a Fragment header (validated: Payload Length fits the
     * frame). Takes ownership; returns the whole packet, the Fragment header
     * gone and its next header in the fixed header, when this fragment
     * completed it, else null. A fragment that breaks RFC 8200 §4.5's length
     * rules gets a parameter problem.
     */
    Frame inputV6(NetInterface l3, Frame f, PathContext ctx) {
        MemorySegment s = f.segment();
        long ip = f.offset() + EthernetFrame.HEADER_LEN;
        int plen = Be.u16(s, ip + 4);
        stats.count(Stat.IP6_FRAGMENTS_IN);
        if (plen < Fragmenter.IPV6_FRAGMENT_LEN) {
            stats.count(Stat.IP6_FRAGS_MALFORMED);
            l3.drop(DropReason.REASSEMBLY, 1);
            f.release();
            return null;
        }
        long fh = ip + Ipv6Packet.HEADER_LEN;
        int word = Be.u16(s, fh + 2);
        int off = word & 0xFFF8;
        boolean more = (word & 1) != 0;
        int len = plen - Fragmenter.IPV6_FRAGMENT_LEN;
        if ((more && (len & 7) != 0) || len == 0 && more) {
            stats.count(Stat.IP6_FRAGS_MALFORMED);
            l3.drop(DropReason.REASSEMBLY, 1);
            icmp.parameterProblemV6(l3, f, IcmpErrors.PARAMPROB6_HEADER, 4, ctx); // the Payload Length field
            f.release();
            return null;
        }
        if (off + len > 0xFFFF) {
            stats.count(Stat.IP6_FRAGS_MALFORMED);
            l3.drop(DropReason.REASSEMBLY, 1);
            icmp.parameterProblemV6(l3, f, IcmpErrors.PARAMPROB6_HEADER, Ipv6Packet.HEADER_LEN + 2, ctx);
            f.release();
            return null;
        }
        long id = Be.i32(s, fh + 4) & 0xFFFF_FFFFL;
        return add(l3, f, Be.i64(s, ip + 8), Be.i64(s, ip + 16), Be.i64(s, ip + 24), Be.i64(s, ip + 32), id, off, len,
                more, Ipv6Packet.HEADER_LEN + Fragmenter.IPV6_FRAGMENT_LEN);
    }

    /**
     * Files fragment {@code f} whose data is {@code [off, off + len)} of the
     * datagram and starts {@code dataAt} bytes after the IP header's start.
     */
    private synchronized Frame add(NetInterface l3, Frame f, long a, long b, long c, long d, long e, int off, int len,
            boolean more, int dataAt) {
        Queue q = find(a, b, c, d, e);
        if (q == null) {
            q = allocate(a, b, c, d, e, l3);
            if (q == null) {
                dropFragment(l3, f);
                return null;
            }
        }
        if (q.abandoned) {
            dropFragment(l3, f);
            return null;
        }
        int end = off + len;
        if (!more) {
            if ((q.total >= 0 && q.total != end) || (q.count > 0 && q.end[q.count - 1] > end)) {
                abandon(q, l3, f); // a second, different end, or data held beyond this end
                return null;
            }
            q.total = end;
        } else if (q.total >= 0 && end > q.total) {
            abandon(q, l3, f);
            return null;
        }
        int at = 0;
        while (at < q.count && q.start[at] < off) {
            at++;
        }
        if (at < q.count && q.start[at] == off && q.end[at] == end) {
            stats.count(stats(Stat.IP_FRAGS_DUPLICATE, Stat.IP6_FRAGS_DUPLICATE));
            l3.drop(DropReason.REASSEMBLY, 1);
            f.release();
            return null;
        }
        // The fragment before may reach into [off, end); the one at 'at' may start inside it (RFC 5722).
        if ((at > 0 && q.end[at - 1] > off) || (at < q.count && q.start[at] < end)) {
            abandon(q, l3, f);
            return null;
        }
        if (q.count == q.frames.length || held >= maxFrags) {
            stats.count(stats(Stat.IP_FRAGS_LIMIT, Stat.IP6_FRAGS_LIMIT));
            abandon(q, l3, f);
            return null;
        }
        System.arraycopy(q.frames, at, q.frames, at + 1, q.count - at);
        System.arraycopy(q.start, at, q.start, at + 1, q.count - at);
        System.arraycopy(q.end, at, q.end, at + 1, q.count - at);
        System.arraycopy(q.dataAt, at, q.dataAt, at + 1, q.count - at);
        q.frames[at] = f;
        q.start[at] = off;
        q.end[at] = end;
        q.dataAt[at] = dataAt;
        q.count++;
        held++;
        return complete(q) ? join(q) : null;
    }

    private boolean complete(Queue q) {
        if (q.total < 0 || q.start[0] != 0) {
            return false;
        }
        int reached = 0;
        for (int i = 0; i < q.count; i++) {
            if (q.start[i] != reached) {
                return false;
            }
            reached = q.end[i];
        }
        return reached == q.total;
    }

    /**
     * Copies the fragments of a complete datagram into one large frame behind
     * the first fragment's headers (for IPv4 its whole header, for IPv6 the
     * fixed header, whose next header becomes the Fragment header's), and
     * frees the queue. Null if no large frame is free or the result would
     * pass 65535 bytes (counted, dropped).
     */
    private Frame join(Queue q) {
        Frame first = q.frames[0];
        MemorySegment s0 = first.segment();
        long ip0 = first.offset() + EthernetFrame.HEADER_LEN;
        int head = v6 ? Ipv6Packet.HEADER_LEN : q.dataAt[0];
        if ((v6 ? q.total : head + q.total) > 0xFFFF) {
            stats.count(stats(Stat.IP_FRAGS_MALFORMED, Stat.IP6_FRAGS_MALFORMED));
            dropQueue(q, stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
            return null;
        }
        Frame out = big.take();
        if (out == null) {
            stats.count(stats(Stat.IP_REASS_NO_BUFFER, Stat.IP6_REASS_NO_BUFFER));
            dropQueue(q, stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
            return null;
        }
        MemorySegment d = out.segment();
        long ip = out.offset() + EthernetFrame.HEADER_LEN;
        MemorySegment.copy(s0, first.offset(), d, out.offset(), EthernetFrame.HEADER_LEN + head);
        for (int i = 0; i < q.count; i++) {
            Frame fr = q.frames[i];
            MemorySegment.copy(fr.segment(), fr.offset() + EthernetFrame.HEADER_LEN + q.dataAt[i], d,
                    ip + head + q.start[i], q.end[i] - q.start[i]);
        }
        if (v6) {
            Be.u16(d, ip + 4, q.total);
            Be.u8(d, ip + 6, Be.u8(s0, ip0 + Ipv6Packet.HEADER_LEN)); // the Fragment header's next header
        } else {
            Be.u16(d, ip + 2, head + q.total);
            Be.u16(d, ip + 6, 0);
            Be.u16(d, ip + 10, 0);
            Be.u16(d, ip + 10, Checksum.compute(d, ip, head));
        }
        out.length(EthernetFrame.HEADER_LEN + head + q.total);
        out.inputPort(first.inputPort());
        for (int i = 0; i < q.count; i++) {
            q.frames[i].release();
            q.frames[i] = null;
        }
        held -= q.count;
        q.count = 0;
        q.inUse = false;
        q.l3 = null;
        timer.cancel(q);
        stats.count(stats(Stat.IP_REASSEMBLED, Stat.IP6_REASSEMBLED));
        return out;
    }

    /** A datagram's time ran out: its fragments are dropped and counted, and its source told if the first came. */
    private synchronized void expired(Queue q) {
        if (!q.inUse) {
            return;
        }
        if (!q.abandoned && q.count > 0 && q.start[0] == 0 && icmp != null) {
            PathContext ctx = contexts.get();
            if (v6) {
                icmp.timeExceededV6(q.l3, q.frames[0], IcmpErrors.TIMXCEED_REASS, ctx);
            } else {
                icmp.timeExceededV4(q.l3, q.frames[0], IcmpErrors.TIMXCEED_REASS, ctx);
            }
            ctx.flush();
        }
        releaseFragments(q, stats(Stat.IP_FRAGS_TIMEOUT, Stat.IP6_FRAGS_TIMEOUT));
        q.inUse = false;
        q.l3 = null;
    }

    /** Drops every datagram in reassembly (the stack is stopping). */
    synchronized void clear() {
        for (Queue q : queues) {
            if (q.inUse) {
                dropQueue(q, stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
            }
        }
    }

    private Queue find(long a, long b, long c, long d, long e) {
        for (Queue q : queues) {
            if (q.is(a, b, c, d, e)) {
                return q;
            }
        }
        return null;
    }

    /** A free queue for a new datagram; when none is free the oldest one is dropped (counted) to make room. */
    private Queue allocate(long a, long b, long c, long d, long e, NetInterface l3) {
        if (queues.length == 0) {
            return null;
        }
        Queue free = null;
        Queue oldest = null;
        for (Queue q : queues) {
            if (!q.inUse) {
                free = q;
                break;
            }
            if (oldest == null || q.started - oldest.started < 0) {
                oldest = q;
            }
        }
        if (free == null) {
            stats.count(stats(Stat.IP_FRAGS_LIMIT, Stat.IP6_FRAGS_LIMIT));
            dropQueue(oldest, stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
            free = oldest;
        }
        free.inUse = true;
        free.abandoned = false;
        free.k0 = a;
        free.k1 = b;
        free.k2 = c;
        free.k3 = d;
        free.k4 = e;
        free.total = -1;
        free.count = 0;
        free.l3 = l3;
        free.started = timer.now();
        timer.schedule(free, timeoutNanos);
        return free;
    }

    private void dropFragment(NetInterface l3, Frame f) {
        stats.count(stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
        l3.drop(DropReason.REASSEMBLY, 1);
        f.release();
    }

    /** Drops the datagram's fragments and the one in hand; the queue stays, abandoned, until its timer. */
    private void abandon(Queue q, NetInterface l3, Frame f) {
        stats.count(stats(Stat.IP_FRAGS_OVERLAP, Stat.IP6_FRAGS_OVERLAP));
        dropFragment(l3, f);
        releaseFragments(q, stats(Stat.IP_FRAGS_DROPPED, Stat.IP6_FRAGS_DROPPED));
        q.abandoned = true;
    }

    private void releaseFragments(Queue q, Stat counted) {
        for (int i = 0; i < q.count; i++) {
            stats.count(counted);
            q.l3.drop(DropReason.REASSEMBLY, 1);
            q.frames[i].release();
            q.frames[i] = null;
        }
        held -= q.count;
        q.count = 0;
    }

    private void dropQueue(Queue q, Stat counted) {
        releaseFragments(q, counted);
        q.inUse = false;
        q.l3 = null;
        timer.cancel(q);
    }

    private Stat stats(Stat four, Stat six) {
        return v6 ? six : four;
    }
}
