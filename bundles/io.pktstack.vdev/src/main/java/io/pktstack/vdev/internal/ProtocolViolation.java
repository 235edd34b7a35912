package io.pktstack.vdev.internal;

/**
 * The peer broke a vhost-user rule: a message of the wrong size, a missing or
 * extra descriptor, a field out of range, a request out of order. The message
 * names the request and the offending value; the link is reset.
 */
final class ProtocolViolation extends Exception {

    private static final long serialVersionUID = 1L;

    ProtocolViolation(String message) {
        super(message);
    }
}
