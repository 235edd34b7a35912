package io.pktstack.vdev.internal;

import io.pktstack.hostio.EventFd;
import io.pktstack.hostio.HostIoException;
import io.pktstack.hostio.Poller;
import io.pktstack.hostio.UnixSocket;

/**
 * A vhost-user connection: reads whole messages, checking the header before
 * it reads the payload, and writes messages with their descriptors. Reads
 * wait with poll on the socket and on a wake-up eventfd, so closing the link
 * ends a wait on a stalled peer at once (but for a session's last exchange,
 * {@link #ignoreWake}).
 */
final class MessageChannel implements AutoCloseable {

    /** How long the rest of a message may take once its first byte arrived. */
    static final int MESSAGE_MILLIS = 5000;

    private final UnixSocket socket;
    private final EventFd wake;
    private final Poller poller = new Poller(2);
    private final int[] got = new int[UnixSocket.MAX_FDS];
    /** Fds the reads wait on: 2 (socket and wake-up), or 1 once the wake-up is ignored. */
    private int waitOn = 2;

    /** Thrown when the wake-up eventfd fired while waiting: the link is being closed. */
    static final class Woken extends Exception {
        private static final long serialVersionUID = 1L;

        Woken() {
            super("closing", null, false, false);
        }
    }

    /** Thrown when the peer closed the connection. */
    static final class PeerClosed extends Exception {
        private static final long serialVersionUID = 1L;

        PeerClosed(String where) {
            super(where, null, false, false);
        }
    }

    MessageChannel(UnixSocket socket, EventFd wake) {
        this.socket = socket;
        this.wake = wake;
        poller.set(0, socket.fd());
        poller.set(1, wake.fd());
    }

    /**
     * Reads from now on wait on the socket alone: a session that was woken to
     * close still has a last exchange with its peer (a front-end stopping the
     * back-end's rings before it takes back the buffers on them).
     */
    void ignoreWake() {
        waitOn = 1;
    }

    UnixSocket socket() {
        return socket;
    }

    /**
     * Reads one message, waiting up to {@code firstByteMillis} for it to start
     * (-1: no limit) and {@link #MESSAGE_MILLIS} for the rest.
     *
     * @return false if no message started in time
     * @throws ProtocolViolation if the header is malformed, the size too large, more
     *         descriptors arrived than a message may carry, or the message stalled
     * @throws PeerClosed if the peer closed the connection
     * @throws HostIoException if the socket failed
     * @throws Woken if the link is being closed
     */
    boolean read(VhostMessage m, int firstByteMillis) throws ProtocolViolation, HostIoException, Woken, PeerClosed {
        m.fdCount = 0;
        try {
            long n = fill(m, 0, VhostUser.HEADER_SIZE, firstByteMillis, true);
            if (n == 0) {
                return false;
            }
            int flags = m.flags();
            if ((flags & VhostUser.VERSION_MASK) != VhostUser.VERSION) {
                throw new ProtocolViolation(VhostUser.name(m.request()) + " with flags 0x" + Integer.toHexString(flags)
                        + ": protocol version " + (flags & VhostUser.VERSION_MASK) + ", expected 1");
            }
            int size = m.size();
            if (size < 0 || size > VhostMessage.MAX_PAYLOAD) {
                throw new ProtocolViolation(VhostUser.name(m.request()) + " announces a payload of "
                        + Integer.toUnsignedString(size) + " bytes (at most " + VhostMessage.MAX_PAYLOAD + ")");
            }
            if (size > 0) {
                fill(m, VhostUser.HEADER_SIZE, size, MESSAGE_MILLIS, false);
            }
            return true;
        } catch (ProtocolViolation | HostIoException | Woken | PeerClosed | RuntimeException e) {
            m.closeUntakenFds();
            throw e;
        }
    }

    /** Reads exactly {@code len} bytes at {@code off}; returns 0 only for a clean end before the first byte. */
    private long fill(VhostMessage m, int off, int len, int firstMillis, boolean mayEnd)
            throws ProtocolViolation, HostIoException, Woken, PeerClosed {
        int have = 0;
        int timeout = firstMillis;
        long deadline = firstMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + firstMillis * 1_000_000L;
        while (have < len) {
            long n = socket.receive(m.buf.asSlice(off + have), len - have, got);
            int k = socket.receivedFds();
            if (k > 0 || socket.controlTruncated()) {
                if (off != 0 || m.fdCount + k > m.fds.length || socket.controlTruncated()) {
                    UnixSocket.closeAll(got, 0, k);
                    throw new ProtocolViolation(VhostUser.name(m.request())
                            + ": descriptors arrived " + (off != 0 ? "with the payload" : "beyond "
                            + m.fds.length + " in one message"));
                }
                System.arraycopy(got, 0, m.fds, m.fdCount, k);
                m.fdCount += k;
            }
            if (n > 0) {
                have += (int) n;
                if (have < len) { // the rest of a started message comes soon or the peer stalls
                    timeout = MESSAGE_MILLIS;
                    deadline = System.nanoTime() + MESSAGE_MILLIS * 1_000_000L;
                }
                continue;
            }
            if (n == 0) {
                throw new PeerClosed(mayEnd && have == 0 ? "between messages" : "in the middle of a message");
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (timeout >= 0 && left <= 0) {
                if (mayEnd && have == 0) {
                    return 0;
                }
                throw new ProtocolViolation("a message stalled after " + (off + have) + " bytes");
            }
            poller.poll(waitOn, timeout < 0 ? -1 : (int) Math.min(left, Integer.MAX_VALUE));
            if (waitOn > 1 && poller.readable(1)) {
                throw new Woken();
            }
        }
        return have;
    }

    /** Sends a message with the descriptors attached to it (which stay the caller's). */
    void write(VhostMessage m) throws HostIoException {
        socket.send(m.buf, m.length(), m.fds, m.fdCount, MESSAGE_MILLIS);
    }

    @Override
    public void close() {
        poller.close();
        socket.close();
    }
}
