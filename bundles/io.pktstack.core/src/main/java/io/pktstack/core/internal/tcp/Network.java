package io.pktstack.core.internal.tcp;

import io.pktstack.api.frame.Frame;

/**
 * What TCP needs of the IP layer below it, implemented by the core. Frames
 * are built from their start: Ethernet and IP header room first
 * ({@link #l4Offset}), then the segment; {@link Path#send} fills the headers in.
 */
public interface Network {

    /** A frame from the pool, or null when it is empty. */
    Frame take();

    /** A large frame, for a segment to be cut where it leaves (TSO), or null when none is free. */
    default Frame takeLarge() {
        return null;
    }

    /**
     * Where segments to the remote address go, from {@code local} if it is
     * given ({@code localGiven}), else from the address the route chooses.
     * Null when there is no route, or {@code local} is not an address of the stack.
     */
    Path path(boolean v6, long remoteHi, long remoteLo, boolean localGiven, long localHi, long localLo);

    /** True if the address is one of the stack's own (any interface). */
    boolean isLocal(boolean v6, long hi, long lo);

    /**
     * Transmits what the calling thread queued. TCP calls it while it holds a
     * connection's lock, so that the connection's segments leave in the order
     * they were built (see {@code TcpConnection.flushAndUnlock}); it must
     * therefore never deliver into TCP's input on the calling thread.
     */
    void flush();

    /** Offset of the transport header in a frame built from its start. */
    static long l4Offset(Frame f, boolean v6) {
        return f.offset() + 14 + (v6 ? 40 : 20);
    }

    /** Room for a segment (header and data) in a frame behind the Ethernet and IP headers. */
    static int l4Capacity(Frame f, boolean v6) {
        return f.capacity() - f.offset() - 14 - (v6 ? 40 : 20);
    }

    /** A route kept by a connection: its local address, MTU and the way out. */
    interface Path {
        long localHi();

        long localLo();

        /** The largest IP packet the outgoing interface carries. */
        int ipMtu();

        /**
         * Whether a segment of several MSS may leave as one frame
         * ({@code Frame.GSO_TCPV4/6}), cut only where a link needs it: the
         * way out takes large segments whole (a guest link that took TSO, a
         * bridge with such a member).
         */
        default boolean largeSegments() {
            return false;
        }

        /**
         * Sends the {@code l4Length} bytes at {@link Network#l4Offset} (a TCP
         * segment with its checksum filled) to the remote address: builds the
         * IP and Ethernet headers, resolves the next hop (holding the frame
         * while it resolves), and follows route changes. Takes ownership.
         *
         * @return false if there is no route any more (the frame was dropped)
         */
        boolean send(Frame f, int l4Length);
    }
}
