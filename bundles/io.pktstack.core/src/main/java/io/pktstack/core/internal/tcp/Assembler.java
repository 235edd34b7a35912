package io.pktstack.core.internal.tcp;

/**
 * Out-of-order data held by a receiver: the sequence ranges received beyond
 * RCV.NXT (their bytes sit in the receive buffer at their offsets). Ranges are
 * kept sorted and merged; their number is bounded, and a segment that would
 * need one more is dropped (the sender will send it again).
 *
 * <p>Also the source of the SACK blocks a receiver reports (RFC 2018 §4): the
 * range holding the latest segment first, then the others most recently
 * changed first.
 */
final class Assembler {

    static final int MAX_RANGES = 32;

    private final int[] start = new int[MAX_RANGES];
    private final int[] end = new int[MAX_RANGES];
    private final long[] touched = new long[MAX_RANGES];
    private int count;
    private long stamp;

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    void clear() {
        count = 0;
    }

    /** Records {@code [s, e)} as received. Returns false when it would need more than {@link #MAX_RANGES} ranges. */
    boolean add(int s, int e) {
        int i = 0;
        while (i < count && Seq.lt(end[i], s)) {
            i++;
        }
        // ranges i.. may touch or overlap [s, e)
        int j = i;
        while (j < count && Seq.le(start[j], e)) {
            s = Seq.min(s, start[j]);
            e = Seq.max(e, end[j]);
            j++;
        }
        int merged = j - i;
        if (merged == 0) {
            if (count == MAX_RANGES) {
                return false;
            }
            System.arraycopy(start, i, start, i + 1, count - i);
            System.arraycopy(end, i, end, i + 1, count - i);
            System.arraycopy(touched, i, touched, i + 1, count - i);
            count++;
        } else if (merged > 1) {
            System.arraycopy(start, j, start, i + 1, count - j);
            System.arraycopy(end, j, end, i + 1, count - j);
            System.arraycopy(touched, j, touched, i + 1, count - j);
            count -= merged - 1;
        }
        start[i] = s;
        end[i] = e;
        touched[i] = ++stamp;
        return true;
    }

    /**
     * Takes away what {@code rcvNxt} has reached: returns the new RCV.NXT, the
     * end of the first range if it begins at or before {@code rcvNxt}, else
     * {@code rcvNxt}. Ranges wholly behind it are dropped.
     */
    int pull(int rcvNxt) {
        int next = rcvNxt;
        while (count > 0 && Seq.le(start[0], next)) {
            next = Seq.max(next, end[0]);
            System.arraycopy(start, 1, start, 0, count - 1);
            System.arraycopy(end, 1, end, 0, count - 1);
            System.arraycopy(touched, 1, touched, 0, count - 1);
            count--;
        }
        return next;
    }

    /** The last sequence number held beyond the in-order data, exclusive; meaningless when empty. */
    int highest() {
        return end[count - 1];
    }

    /**
     * Writes up to {@code max} SACK blocks into {@code out} (left, right pairs):
     * the most recently changed range first, then the others by recency.
     */
    int sackBlocks(int[] out, int max) {
        int n = 0;
        long below = Long.MAX_VALUE;
        while (n < max) {
            int best = -1;
            for (int i = 0; i < count; i++) {
                if (touched[i] < below && (best < 0 || touched[i] > touched[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            out[2 * n] = start[best];
            out[2 * n + 1] = end[best];
            below = touched[best];
            n++;
        }
        return n;
    }
}
