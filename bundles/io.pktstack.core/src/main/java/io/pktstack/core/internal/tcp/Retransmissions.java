package io.pktstack.core.internal.tcp;

/**
 * The retransmissions of one SACK recovery episode, to find those that were
 * lost again: a retransmission is lost if the receiver has since SACKed data
 * that was first sent after it went out (Linux's lost-retransmit detection,
 * the idea RACK generalizes in RFC 8985 §6.2). Without this, a lost
 * retransmission stays counted in the pipe until the retransmission timer
 * fires, hundreds of milliseconds later.
 */
final class Retransmissions {

    static final int MAX = 128;

    private final int[] start = new int[MAX];
    private final int[] end = new int[MAX];
    /** SND.MAX when the retransmission was sent: data beyond it left after it. */
    private final int[] sentBefore = new int[MAX];
    private int count;

    void clear() {
        count = 0;
    }

    /** Records a retransmission of {@code [s, e)} while {@code sndMax} was the highest sequence sent. */
    void sent(int s, int e, int sndMax) {
        if (count == MAX) {
            System.arraycopy(start, 1, start, 0, MAX - 1); // the oldest is forgotten: its timer still covers it
            System.arraycopy(end, 1, end, 0, MAX - 1);
            System.arraycopy(sentBefore, 1, sentBefore, 0, MAX - 1);
            count--;
        }
        start[count] = s;
        end[count] = e;
        sentBefore[count] = sndMax;
        count++;
    }

    /** The range {@link #takeLost} found: start and end sequence numbers. */
    int lostStart;
    int lostEnd;

    /**
     * Drops the records that are acknowledged or SACKed, and takes the lowest
     * retransmission found lost again ({@link #lostStart}, {@link #lostEnd});
     * its record goes, so it is recorded anew when sent again. Returns false
     * if none is lost.
     */
    boolean takeLost(int sndUna, SackScoreboard board) {
        int highestSacked = board.highestSacked(sndUna);
        int found = -1;
        int keep = 0;
        for (int i = 0; i < count; i++) {
            if (Seq.le(end[i], sndUna) || board.isSacked(start[i])) {
                continue; // arrived
            }
            start[keep] = start[i];
            end[keep] = end[i];
            sentBefore[keep] = sentBefore[i];
            if (Seq.gt(highestSacked, sentBefore[keep]) && (found < 0 || Seq.lt(start[keep], start[found]))) {
                found = keep;
            }
            keep++;
        }
        count = keep;
        if (found < 0) {
            return false;
        }
        lostStart = Seq.max(start[found], sndUna);
        lostEnd = end[found];
        System.arraycopy(start, found + 1, start, found, count - found - 1);
        System.arraycopy(end, found + 1, end, found, count - found - 1);
        System.arraycopy(sentBefore, found + 1, sentBefore, found, count - found - 1);
        count--;
        return true;
    }
}
