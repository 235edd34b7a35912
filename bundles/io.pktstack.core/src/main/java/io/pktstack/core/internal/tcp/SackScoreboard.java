package io.pktstack.core.internal.tcp;

/**
 * What a sender knows the receiver holds beyond SND.UNA, from SACK blocks
 * (RFC 2018), and the loss-recovery questions of RFC 6675 asked of it:
 * IsLost, the pipe estimate, and the next hole to retransmit. SACKed ranges
 * are kept sorted and merged, all within (SND.UNA, SND.MAX].
 */
final class SackScoreboard {

    static final int MAX_RANGES = 64;
    /** RFC 6675 DupThresh. */
    static final int DUP_THRESH = 3;
    /** {@link #nextHole} found nothing (no real hole packs to this: a hole is shorter than 2^31 bytes). */
    static final long NONE = -1L;

    private final int[] start = new int[MAX_RANGES];
    private final int[] end = new int[MAX_RANGES];
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    void clear() {
        count = 0;
    }

    int ranges() {
        return count;
    }

    /**
     * Merges the blocks of one ACK ({@code blocks[0..2n)} as left, right
     * pairs). Blocks that are not within {@code (sndUna, sndMax]} (D-SACKs
     * below SND.UNA, or edges the sender never sent) are ignored.
     *
     * @return true if any byte not SACKed before is SACKed now
     */
    boolean update(int[] blocks, int n, int sndUna, int sndMax) {
        boolean news = false;
        for (int k = 0; k < n; k++) {
            int s = blocks[2 * k];
            int e = blocks[2 * k + 1];
            if (!Seq.lt(s, e) || !Seq.lt(sndUna, e) || Seq.gt(e, sndMax) || Seq.lt(s, sndUna)) {
                continue;
            }
            news |= add(s, e);
        }
        return news;
    }

    private boolean add(int s, int e) {
        int i = 0;
        while (i < count && Seq.lt(end[i], s)) {
            i++;
        }
        int j = i;
        int covered = 0;
        int ns = s;
        int ne = e;
        while (j < count && Seq.le(start[j], e)) {
            covered += Math.max(0, Seq.min(end[j], e) - Seq.max(start[j], s));
            ns = Seq.min(ns, start[j]);
            ne = Seq.max(ne, end[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 0) {
            if (count == MAX_RANGES) {
                return false; // too fragmented to track: recovery proceeds on what is known
            }
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            count++;
        } else if (merged > 1) {
            System.arraycopy(start, j, start, i + 1, count - j);
            System.arraycopy(end, j, end, i + 1, count - j);
            count -= merged - 1;
        }
        start[i] = ns;
        end[i] = ne;
        return covered < e - s;
    }

    /** Forgets what SND.UNA has passed. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < count && Seq.le(end[drop], sndUna)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(start, drop, start, 0, count - drop);
            System.arraycopy(end, drop, end, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && Seq.lt(start[0], sndUna)) {
            start[0] = sndUna;
        }
    }

    /** The end of the highest SACKed range (RFC 6675 HighSACK + 1), or {@code sndUna} when none. */
    int highestSacked(int sndUna) {
        return count == 0 ? sndUna : end[count - 1];
    }

    boolean isSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (Seq.inRange(seq, start[i], end[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 6675 IsLost(seq): DupThresh discontiguous SACKed ranges above
     * {@code seq}, or more than (DupThresh - 1) * SMSS bytes SACKed above it.
     */
    boolean isLost(int seq, int smss) {
        int ranges = 0;
        long bytes = 0;
        for (int i = count - 1; i >= 0 && Seq.gt(end[i], seq); i--) {
            ranges++;
            bytes += end[i] - Seq.max(start[i], seq + 1);
        }
        return ranges >= DUP_THRESH || bytes > (long) (DUP_THRESH - 1) * smss;
    }

    /**
     * RFC 6675 SetPipe: bytes believed in the network between {@code sndUna}
     * and {@code sndMax}: every unSACKed byte not deemed lost, plus every
     * unSACKed byte retransmitted (below {@code highRxt}).
     */
    long pipe(int sndUna, int sndMax, int highRxt, int smss) {
        long pipe = 0;
        int holeStart = sndUna;
        for (int i = 0; i <= count; i++) {
            int holeEnd = i < count ? start[i] : sndMax;
            if (Seq.lt(holeStart, holeEnd)) {
                int len = holeEnd - holeStart;
                if (i < count && isLost(holeStart, smss)) {
                    // Lost bytes count only once retransmitted.
                    if (Seq.gt(highRxt, holeStart)) {
                        pipe += Seq.min(highRxt, holeEnd) - holeStart;
                    }
                } else {
                    pipe += len;
                    if (Seq.gt(highRxt, holeStart)) {
                        pipe += Seq.min(highRxt, holeEnd) - holeStart; // sent twice, both may be in flight
                    }
                }
            }
            if (i < count) {
                holeStart = end[i];
            }
        }
        return pipe;
    }

    /**
     * RFC 6675 NextSeg() rules 1 and 3: the first unSACKed byte at or above
     * {@code from} (normally HighRxt) below the highest SACKed byte, and how
     * many unSACKed bytes follow it, packed as {@code seq << 32 | length};
     * with {@code lostOnly}, only a byte for which {@link #isLost} holds.
     * Returns {@link #NONE} if there is none (compare with it: a packed hole may be negative).
     */
    long nextHole(int sndUna, int from, int smss, boolean lostOnly) {
        int holeStart = sndUna;
        for (int i = 0; i < count; i++) {
            int holeEnd = start[i];
            int s = Seq.max(holeStart, from);
            if (Seq.lt(s, holeEnd) && (!lostOnly || isLost(s, smss))) {
                return ((long) s << 32) | ((holeEnd - s) & 0xFFFF_FFFFL);
            }
            holeStart = end[i];
        }
        return NONE;
    }
}
