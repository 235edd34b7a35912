package io.pktstack.vdev;

/**
 * The peer broke a virtqueue rule: an index, length or address read from shared
 * memory is out of range or inconsistent with what was posted.
 *
 * <p>The message names the rule and the offending value. The queue that threw
 * is in an undefined state afterwards: the caller resets the link (and with it
 * the queue) rather than trying to continue.
 */
public final class RingViolation extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message the rule broken and the offending value */
    public RingViolation(String message) {
        super(message);
    }
}
