package io.pktstack.vdev.internal;

import io.pktstack.hostio.UnixSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One vhost-user message in a reusable buffer: the 12-byte header (u32
 * request, u32 flags, u32 size), up to {@value #MAX_PAYLOAD} bytes of payload,
 * all little-endian (vhost-user.rst "Message specification"), and the
 * descriptors that came with it. Payload readers take offsets into the
 * payload and check them against the size the header gave, so a field is
 * never read from beyond the message.
 *
 * <p>Descriptors: whoever handles a received message takes the ones it keeps
 * with {@link #takeFd}; {@link #closeUntakenFds()} closes the rest, so no
 * descriptor a peer sent can leak.
 */
final class VhostMessage {

    /** Largest payload accepted; QEMU's largest (a memory table of 8 regions) is 264 bytes. */
    static final int MAX_PAYLOAD = 4096;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final MemorySegment buf;
    final int[] fds = new int[UnixSocket.MAX_FDS];
    int fdCount;

    VhostMessage(Arena arena) {
        buf = arena.allocate(VhostUser.HEADER_SIZE + MAX_PAYLOAD, 8);
    }

    int request() {
        return buf.get(U32, 0);
    }

    int flags() {
        return buf.get(U32, 4);
    }

    /** Payload size as the header gives it (checked by the reader to be at most {@link #MAX_PAYLOAD}). */
    int size() {
        return buf.get(U32, 8);
    }

    /** Total bytes on the wire. */
    int length() {
        return VhostUser.HEADER_SIZE + size();
    }

    boolean needsReply() {
        return (flags() & VhostUser.FLAG_NEED_REPLY) != 0;
    }

    long u64(int offset) {
        checkField(offset, 8);
        return buf.get(U64, VhostUser.HEADER_SIZE + offset);
    }

    int u32(int offset) {
        checkField(offset, 4);
        return buf.get(U32, VhostUser.HEADER_SIZE + offset);
    }

    byte u8(int offset) {
        checkField(offset, 1);
        return buf.get(ValueLayout.JAVA_BYTE, VhostUser.HEADER_SIZE + offset);
    }

    private void checkField(int offset, int width) {
        if (offset < 0 || offset > size() - width) {
            // A handler bug, not a peer's: handlers check size() before reading fields.
            throw new IndexOutOfBoundsException(VhostUser.name(request()) + ": field at " + offset
                    + " beyond a payload of " + size());
        }
    }

    // ---- building ----------------------------------------------------------------

    /** Starts a message with an empty payload. */
    VhostMessage start(int request, int flags) {
        buf.set(U32, 0, request);
        buf.set(U32, 4, flags);
        buf.set(U32, 8, 0);
        fdCount = 0;
        return this;
    }

    VhostMessage putU64(long v) {
        int s = grow(8);
        buf.set(U64, VhostUser.HEADER_SIZE + s, v);
        return this;
    }

    VhostMessage putU32(int v) {
        int s = grow(4);
        buf.set(U32, VhostUser.HEADER_SIZE + s, v);
        return this;
    }

    VhostMessage putBytes(byte[] b) {
        int s = grow(b.length);
        MemorySegment.copy(b, 0, buf, ValueLayout.JAVA_BYTE, VhostUser.HEADER_SIZE + s, b.length);
        return this;
    }

    /** Attaches a descriptor (still owned by the caller) to the message being built. */
    VhostMessage attach(int fd) {
        fds[fdCount++] = fd;
        return this;
    }

    private int grow(int n) {
        int s = size();
        if (s + n > MAX_PAYLOAD) {
            throw new IllegalStateException("message larger than " + MAX_PAYLOAD);
        }
        buf.set(U32, 8, s + n);
        return s;
    }

    // ---- received descriptors ----------------------------------------------------

    /** Takes received descriptor {@code i}; the caller owns it from now on. */
    int takeFd(int i) {
        int fd = fds[i];
        if (i >= fdCount || fd < 0) {
            throw new IllegalStateException("descriptor " + i + " of " + fdCount + " already taken");
        }
        fds[i] = -1;
        return fd;
    }

    /** Closes every received descriptor nobody took. */
    void closeUntakenFds() {
        UnixSocket.closeAll(fds, 0, fdCount);
        fdCount = 0;
    }

    @Override
    public String toString() {
        return VhostUser.name(request()) + " flags=0x" + Integer.toHexString(flags()) + " size=" + size()
                + " fds=" + fdCount;
    }
}
