package io.pktstack.core.internal;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.wire.Checksum;

/**
 * Partial transport checksums ({@link Frame#CSUM_PARTIAL}) completed in
 * software wherever a frame must carry a whole one: leaving through a link
 * that does not take partial ones ({@link io.pktstack.api.link.Link#OFFLOAD_CSUM}),
 * before pf rewrites it, before it is cut into fragments, before the impairer
 * corrupts it. A frame stays partial as long as it only crosses this host's
 * guest links, whose peers complete or trust it, so TCP between guests sums
 * its data nowhere.
 */
final class ChecksumOffload {

    private ChecksumOffload() {
    }

    /** Completes the partial checksums in {@code batch}. */
    static void complete(FrameBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i));
        }
    }

    /**
     * Completes {@code f}'s checksum if it is partial; it is then
     * {@link Frame#CSUM_VALID}. Offsets a peer gave were checked where the frame
     * came in; should they not fit the frame, it is left as it is and a receiver
     * will find the checksum bad.
     */
    static void complete(Frame f) {
        if (f.checksum() != Frame.CSUM_PARTIAL) {
            return;
        }
        Checksum.completePartial(f.segment(), f.offset(), f.length(), f.csumStart(), f.csumOffset());
        f.checksum(Frame.CSUM_VALID);
    }

    /** Makes {@code f} a frame as a wire has it: its checksum whole, and nothing vouched for. */
    static void toWire(Frame f) {
        complete(f);
        f.checksum(Frame.CSUM_NONE);
    }
}
