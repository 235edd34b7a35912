package io.pktstack.hostio;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * A Unix domain stream socket through the FFM API: listening, accepting,
 * connecting, and messages that carry file descriptors ({@code SCM_RIGHTS}),
 * which {@code java.nio} cannot pass. vhost-user runs over one of these
 * (vhost-user.rst "Communication"). Descriptors are non-blocking: callers wait
 * with a {@link Poller}, so a stalled peer never blocks a thread that must
 * stop.
 *
 * <p>Thread safety: one thread receives; {@link #send} is synchronized.
 */
public final class UnixSocket implements AutoCloseable {

    /** Most descriptors one message may carry (vhost-user: 8 memory regions). */
    public static final int MAX_FDS = 8;
    /**
     * Longest path a socket may have, in bytes: {@code sun_path} holds 108
     * with the terminating NUL (unix(7)).
     *
     * @since 1.2
     */
    public static final int MAX_PATH = Libc.UNIX_PATH_MAX - 1;

    /**
     * Why a socket cannot live at {@code path}, or null when it can: for
     * configuration checks that must refuse such a path before anything
     * starts.
     *
     * @since 1.2
     */
    public static String pathProblem(Path path) {
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        return bytes <= MAX_PATH ? null : "the socket path " + path + " is " + bytes
                + " bytes long; a Unix socket's path takes at most " + MAX_PATH + " (use a shorter --root)";
    }

    // Small syscall buffers in an automatic arena, freed by the collector: closing a shared arena is a handshake
    // with every thread of the JVM, paid at every link reset (and per input by the vhost-messages fuzz target),
    // and the calls pass raw addresses, which a closed arena would not protect anyway.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment err = Libc.errnoSegment(arena);
    private final MemorySegment sendErr = Libc.errnoSegment(arena);
    private final MemorySegment msghdr = arena.allocate(Libc.MSGHDR_SIZE, 8);
    private final MemorySegment iov = arena.allocate(Libc.IOVEC_SIZE, 8);
    private final MemorySegment control = arena.allocate(Libc.CMSG_HDR + 4L * (MAX_FDS + 1), 8);
    private final MemorySegment sendMsghdr = arena.allocate(Libc.MSGHDR_SIZE, 8);
    private final MemorySegment sendIov = arena.allocate(Libc.IOVEC_SIZE, 8);
    private final MemorySegment sendControl = arena.allocate(Libc.CMSG_HDR + 4L * MAX_FDS, 8);
    private final int fd;
    private final Path path;
    private volatile boolean closed;
    private int receivedFds;
    private boolean controlTruncated;

    private UnixSocket(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Binds {@code path} (which must not exist) and listens there; the node gets
     * {@code mode}. Accept with {@link #accept()} once a {@link Poller} says the
     * socket is readable.
     */
    public static UnixSocket listen(Path path, Set<PosixFilePermission> mode) throws IOException {
        int fd = newSocket(path);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment e = Libc.errnoSegment(tmp);
            if (Libc.bind(e, fd, address(tmp, path)) != 0) {
                throw HostIoException.of("bind " + path, Libc.errno(e), null);
            }
            Files.setPosixFilePermissions(path, mode);
            if (Libc.listen(e, fd, 8) != 0) {
                throw HostIoException.of("listen " + path, Libc.errno(e), null);
            }
            return new UnixSocket(fd, path);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Connects to a listening socket.
     *
     * @throws HostIoException with errno ENOENT (nothing there) or ECONNREFUSED (nobody
     *         listening) among others; callers retry
     */
    public static UnixSocket connect(Path path) throws HostIoException {
        int fd = newSocket(path);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment e = Libc.errnoSegment(tmp);
            if (Libc.connect(e, fd, address(tmp, path)) != 0) {
                // A Unix stream connect completes at once or fails; EAGAIN is a full backlog: try later.
                throw HostIoException.of("connect " + path, Libc.errno(e), null);
            }
            return new UnixSocket(fd, null);
        } catch (HostIoException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * Two connected sockets (socketpair): a connection with no node, for a
     * harness that plays both ends in one process.
     *
     * @since 1.2
     */
    public static UnixSocket[] pair() throws HostIoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment e = Libc.errnoSegment(tmp);
            MemorySegment fds = tmp.allocate(ValueLayout.JAVA_INT, 2);
            if (Libc.socketpair(e, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0, fds) != 0) {
                throw HostIoException.of("socketpair(AF_UNIX)", Libc.errno(e), null);
            }
            return new UnixSocket[] {new UnixSocket(fds.getAtIndex(ValueLayout.JAVA_INT, 0), null),
                new UnixSocket(fds.getAtIndex(ValueLayout.JAVA_INT, 1), null)};
        }
    }

    /**
     * Ends this side's sending (shutdown SHUT_WR): the peer reads the end of
     * the stream once it has read what was sent, and can still send.
     *
     * @since 1.2
     */
    public void shutdownOutput() throws HostIoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment e = Libc.errnoSegment(tmp);
            if (Libc.shutdown(e, fd, Libc.SHUT_WR) != 0) {
                throw HostIoException.of("shutdown", Libc.errno(e), null);
            }
        }
    }

    private static int newSocket(Path path) throws HostIoException {
        String problem = pathProblem(path);
        if (problem != null) {
            throw new HostIoException(problem, Libc.EINVAL);
        }
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment e = Libc.errnoSegment(tmp);
            int fd = Libc.socket(e, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw HostIoException.of("socket(AF_UNIX)", Libc.errno(e), null);
            }
            return fd;
        }
    }

    private static MemorySegment address(Arena arena, Path path) {
        MemorySegment sa = arena.allocate(Libc.SOCKADDR_UN_SIZE, 8);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    /** Accepts a waiting connection, or returns null if none is waiting. */
    public UnixSocket accept() throws HostIoException {
        int c = Libc.accept4(err, fd, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
        if (c < 0) {
            int errno = Libc.errno(err);
            if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                return null;
            }
            throw HostIoException.of("accept on " + path, errno, null);
        }
        return new UnixSocket(c, null);
    }

    public int fd() {
        return fd;
    }

    /**
     * Sends {@code length} bytes of {@code data}, with {@code fds[0..nfds)} as
     * SCM_RIGHTS on the first byte, waiting up to {@code timeoutMillis} for room.
     *
     * @throws HostIoException if the peer is gone (EPIPE, ECONNRESET) or the time ran out
     */
    public synchronized void send(MemorySegment data, long length, int[] fds, int nfds, int timeoutMillis)
            throws HostIoException {
        if (nfds < 0 || nfds > MAX_FDS) {
            throw new IllegalArgumentException(nfds + " descriptors in one message");
        }
        long sent = 0;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (sent < length) {
            sendMsghdr.fill((byte) 0);
            sendIov.set(ValueLayout.JAVA_LONG, 0, data.address() + sent);
            sendIov.set(ValueLayout.JAVA_LONG, 8, length - sent);
            sendMsghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_IOV, sendIov.address());
            sendMsghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_IOVLEN, 1);
            if (sent == 0 && nfds > 0) {
                long len = Libc.CMSG_HDR + 4L * nfds;
                sendControl.set(ValueLayout.JAVA_LONG, 0, len);
                sendControl.set(ValueLayout.JAVA_INT, 8, Libc.SOL_SOCKET);
                sendControl.set(ValueLayout.JAVA_INT, 12, Libc.SCM_RIGHTS);
                for (int i = 0; i < nfds; i++) {
                    sendControl.set(ValueLayout.JAVA_INT, Libc.CMSG_HDR + 4L * i, fds[i]);
                }
                sendMsghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_CONTROL, sendControl.address());
                sendMsghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_CONTROLLEN, (len + 7) & ~7L);
            }
            long n = Libc.sendmsg(sendErr, fd, sendMsghdr.address(), Libc.MSG_NOSIGNAL);
            if (n > 0) {
                sent += n;
                continue;
            }
            int errno = n < 0 ? Libc.errno(sendErr) : Libc.EPIPE;
            if (errno != Libc.EAGAIN && errno != Libc.EINTR) {
                throw HostIoException.of("sendmsg", errno, null);
            }
            if (System.nanoTime() > deadline) {
                throw new HostIoException("sendmsg: the peer took no data for " + timeoutMillis + " ms", Libc.EAGAIN);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostIoException("sendmsg interrupted", Libc.EINTR);
            }
        }
    }

    /**
     * Reads what is waiting, up to {@code length} bytes into {@code into}, and any
     * descriptors that came with it into {@code fds} (see {@link #receivedFds()}).
     * Descriptors beyond {@link #MAX_FDS} are closed by the kernel and flagged by
     * {@link #controlTruncated()}; the caller owns (and must close) the ones it got.
     *
     * @return bytes read; 0 at end of stream; -1 if nothing is waiting
     */
    public long receive(MemorySegment into, long length, int[] fds) throws HostIoException {
        msghdr.fill((byte) 0);
        iov.set(ValueLayout.JAVA_LONG, 0, into.address());
        iov.set(ValueLayout.JAVA_LONG, 8, length);
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_IOV, iov.address());
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_IOVLEN, 1);
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_CONTROL, control.address());
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSG_CONTROLLEN, control.byteSize());
        receivedFds = 0;
        controlTruncated = false;
        long n = Libc.recvmsg(err, fd, msghdr.address(), Libc.MSG_CMSG_CLOEXEC);
        if (n < 0) {
            int errno = Libc.errno(err);
            if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
                return -1;
            }
            throw HostIoException.of("recvmsg", errno, null);
        }
        int flags = msghdr.get(ValueLayout.JAVA_INT, Libc.MSG_FLAGS);
        controlTruncated = (flags & Libc.MSG_CTRUNC) != 0;
        long controlLen = msghdr.get(ValueLayout.JAVA_LONG, Libc.MSG_CONTROLLEN);
        // One SCM_RIGHTS header at most: every descriptor sent with one sendmsg arrives in it.
        if (controlLen >= Libc.CMSG_HDR) {
            long len = control.get(ValueLayout.JAVA_LONG, 0);
            int level = control.get(ValueLayout.JAVA_INT, 8);
            int type = control.get(ValueLayout.JAVA_INT, 12);
            if (level == Libc.SOL_SOCKET && type == Libc.SCM_RIGHTS && len >= Libc.CMSG_HDR && len <= controlLen) {
                int count = (int) ((len - Libc.CMSG_HDR) / 4);
                for (int i = 0; i < count; i++) {
                    int got = control.get(ValueLayout.JAVA_INT, Libc.CMSG_HDR + 4L * i);
                    if (i < fds.length) {
                        fds[receivedFds++] = got;
                    } else {
                        Libc.close(got); // more than the caller has room for: never leak one
                        controlTruncated = true;
                    }
                }
            }
        }
        return n;
    }

    /** Descriptors that came with the last {@link #receive}; the caller owns them. */
    public int receivedFds() {
        return receivedFds;
    }

    /** Whether the last {@link #receive} came with more descriptors than it could take. */
    public boolean controlTruncated() {
        return controlTruncated;
    }

    /** The process at the other end (SO_PEERCRED), or -1 if Linux does not say. */
    public long peerPid() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment cred = tmp.allocate(12, 4);
            MemorySegment len = tmp.allocateFrom(ValueLayout.JAVA_INT, 12);
            MemorySegment e = Libc.errnoSegment(tmp);
            if (Libc.getsockopt(e, fd, Libc.SOL_SOCKET, Libc.SO_PEERCRED, cred, len) != 0) {
                return -1;
            }
            return cred.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Closes the socket; a listening socket also removes its node. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(fd);
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a stale node is replaced at the next bind
            }
        }
    }

    /** Closes descriptors a message brought that nobody took (so none leaks). */
    public static void closeAll(int[] fds, int from, int to) {
        for (int i = from; i < to; i++) {
            if (fds[i] >= 0) {
                Libc.close(fds[i]);
                fds[i] = -1;
            }
        }
    }
}
