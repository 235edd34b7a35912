package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.wire.TcpSegmenter;
import java.lang.foreign.ValueLayout;

/**
 * Segmentation offload done in software, where a large TCP segment
 * ({@link Frame#GSO_TCPV4}, {@link Frame#GSO_TCPV6}: from a guest's TSO or the
 * stack's own TCP) must become MTU-sized frames: leaving through a link that
 * does not take it whole ({@link Link#OFFLOAD_TSO4}), or meeting an impairer,
 * which works on frames as a wire carries them. Until then it crosses the
 * bridge and the host as one frame, so a guest-to-guest transfer pays per 64
 * KiB, not per 1.5 KiB, wherever nobody needs the pieces.
 *
 * <p>Called from any data-path thread; the segmenter's scratch state is per
 * thread (one lookup per large frame, nothing allocated per frame). Each
 * segment is a frame of the stack's pool with a partial checksum, completed
 * at the link like any other's.
 */
final class Segmentation {

    private final FramePool pool;
    private final ThreadLocal<TcpSegmenter> segmenters = ThreadLocal.withInitial(TcpSegmenter::new);
    private final ThreadLocal<TcpSegmenter.Contiguous> sources = ThreadLocal.withInitial(TcpSegmenter.Contiguous::new);

    Segmentation(FramePool pool) {
        this.pool = pool;
    }

    /** Whether {@code f} must be cut before a link with {@code offloads} may take it. */
    static boolean mustCut(Frame f, int offloads) {
        return switch (f.gso()) {
            case Frame.GSO_NONE -> false;
            // Whole only with its checksum partial: pf or a corruption may have completed it, and a peer that
            // takes a large segment takes it with NEEDS_CSUM (VIRTIO §5.1.6.2).
            case Frame.GSO_TCPV4 -> (offloads & Link.OFFLOAD_TSO4) == 0 || f.checksum() != Frame.CSUM_PARTIAL;
            case Frame.GSO_TCPV6 -> (offloads & Link.OFFLOAD_TSO6) == 0 || f.checksum() != Frame.CSUM_PARTIAL;
            default -> true;
        };
    }

    /** Whether any frame of {@code batch} {@link #mustCut must be cut} for {@code offloads}. */
    static boolean mustCut(FrameBatch batch, int offloads) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).gso() != Frame.GSO_NONE && mustCut(batch.get(i), offloads)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The IP length of the largest segment {@code f} becomes on a wire: its
     * IP and TCP headers plus {@link Frame#gsoSize()}; for a frame that is no
     * large segment, {@code ipLength} itself. A router checks this, not the
     * whole frame's length, against the next hop's MTU.
     */
    static int wireIpLength(Frame f, int ipLength) {
        if (f.gso() == Frame.GSO_NONE) {
            return ipLength;
        }
        int l4 = f.csumStart();
        int doff = (f.segment().get(ValueLayout.JAVA_BYTE, f.offset() + l4 + 12) & 0xf0) >>> 2;
        return Math.min(ipLength, l4 - 14 + doff + f.gsoSize()); // a frame the stack routes has no VLAN tag
    }

    /**
     * Moves frames from the front of {@code in} to {@code out} until {@code in}
     * is empty or {@code out} is full, cutting each large segment that
     * {@link #mustCut must be} into segments at most {@code mtu} bytes long
     * (whole, or none of it: a segment that does not fit waits in {@code in}
     * for the next call). A large segment that cannot be cut (headers a
     * receiver would not take, no frames in the pool) is dropped and counted on
     * {@code nif}.
     */
    void cut(FrameBatch in, FrameBatch out, int offloads, int mtu, NetInterface nif) {
        int taken = 0;
        for (; taken < in.size() && !out.isFull(); taken++) {
            Frame f = in.get(taken);
            if (!mustCut(f, offloads)) {
                out.add(f);
            } else if (cutOne(f, out, mtu, nif) == WAIT) {
                break; // the next call, with an empty batch
            }
        }
        in.removeFirst(taken);
    }

    /** {@link #cutOne}: the segment did not fit in what was left of the batch and was not taken. */
    static final int WAIT = -1;

    /**
     * Cuts the large segment {@code f} into segments of at most {@code mtu}
     * bytes added to {@code out}, and releases it; returns how many were made
     * (0 when it was dropped and counted on {@code nif}: headers a receiver
     * would not take, more pieces than a batch holds, no frames), or
     * {@link #WAIT} when they do not fit in {@code out} now ({@code f} not
     * taken). A router cutting for a next hop with a smaller MTU passes that
     * MTU: the pieces are then smaller than the sender's segment size.
     */
    int cutOne(Frame f, FrameBatch out, int mtu, NetInterface nif) {
        TcpSegmenter seg = segmenters.get();
        TcpSegmenter.Source src = sources.get().over(f.segment(), f.offset(), f.length());
        int type = f.gso() == Frame.GSO_TCPV4 ? TcpSegmenter.GSO_TCPV4 : TcpSegmenter.GSO_TCPV6;
        if (!seg.prepare(src, type, f.gsoSize(), mtu)) {
            nif.outputDrop(DropReason.MALFORMED, 1);
            f.release();
            return 0;
        }
        int n = seg.segments();
        if (n > out.capacity() - out.size()) {
            if (!out.isEmpty()) {
                return WAIT;
            }
            nif.outputDrop(DropReason.MALFORMED, 1); // more pieces than a batch holds: no producer makes these
            f.release();
            return 0;
        }
        int made = 0;
        for (; made < n; made++) {
            Frame s = pool.take();
            if (s == null) {
                break;
            }
            int len = seg.build(made, src, s.segment(), s.offset(), true);
            s.length(len);
            s.checksumPartial(seg.transportOffset(), 16);
            s.inputPort(f.inputPort());
            out.add(s);
        }
        if (made < n) {
            nif.outputDrop(DropReason.NO_BUFFER, n - made);
        }
        nif.counters.gsoCut.increment();
        f.release();
        return made;
    }
}
