package io.pktstack.hostio;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Linux calls host I/O needs, each bound through the FFM API on its
 * first use. Calls that can fail capture {@code errno} into a per-caller
 * segment (see {@link #errnoSegment}); the calls made per frame ({@link
 * #readPlain}, {@link #writePlain}) do not, and a caller that needs to know
 * why one failed makes it again with capture.
 * Buffer pointers on the data path are passed as {@code long} addresses of
 * frame memory, which avoids making a slice object per frame.
 *
 * <p>Constants and structure layouts are those of Linux on x86-64 and aarch64
 * (LP64, glibc).
 */
final class Libc {

    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;

    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = O_NONBLOCK;
    static final int SOCK_CLOEXEC = O_CLOEXEC;
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_PACKET = 263;
    static final int PACKET_ADD_MEMBERSHIP = 1;
    static final int PACKET_MR_PROMISC = 1;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int PACKET_OUTGOING = 4;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_SNDBUF = 7;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;

    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;
    static final int IFNAMSIZ = 16;
    static final int IFREQ_SIZE = 40;

    static final int EFD_NONBLOCK = O_NONBLOCK;
    static final int EFD_CLOEXEC = O_CLOEXEC;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EPIPE = 32;
    static final int ECONNREFUSED = 111;

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    /** struct sockaddr_un: sa_family_t then a path of at most 107 bytes and its NUL. */
    static final int SOCKADDR_UN_SIZE = 110;
    static final int UNIX_PATH_MAX = 108;
    static final int SCM_RIGHTS = 1;
    static final int SO_PEERCRED = 17;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** struct msghdr (56 bytes): name, namelen, iov, iovlen, control, controllen, flags. */
    static final int MSGHDR_SIZE = 56;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    /** struct cmsghdr: size_t len, int level, int type, then the data (CMSG_DATA at 16). */
    static final int CMSG_HDR = 16;

    static final int MFD_CLOEXEC = 1;
    static final int MFD_ALLOW_SEALING = 2;
    static final int F_ADD_SEALS = 1033;
    static final int F_SEAL_SEAL = 1;
    static final int F_SEAL_SHRINK = 2;
    static final int F_SEAL_GROW = 4;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int SEEK_END = 2;

    /** struct sockaddr_ll: family, protocol, ifindex, hatype, pkttype, halen, addr[8]. */
    static final int SOCKADDR_LL_SIZE = 20;
    static final int SLL_PKTTYPE = 10;
    /** struct iovec: base, len. */
    static final int IOVEC_SIZE = 16;
    /** struct mmsghdr: struct msghdr (56 bytes) then unsigned msg_len, padded to 64. */
    static final int MMSGHDR_SIZE = 64;
    static final int MSG_NAME = 0;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_FLAGS = 48;
    static final int MSG_LEN = 56;
    /** struct pollfd: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    // One holder class per call, so that a handle is linked on its first use, not all at once when Libc
    // loads: linking spins a stub and about ten method-handle classes (3 to 10 ms of a start here, and
    // the class-file API they are spun with is then hot enough for C2), and an instance uses only some of
    // the calls (a guest never listens, accepts or opens a TAP). Final fields of an initialised class are
    // constants to the JIT, as the fields of Libc were.
    private static final class Open {
        static final MethodHandle H = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    private static final class Close {
        static final MethodHandle H = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
    }

    private static final class Ioctl {
        static final MethodHandle H = bind("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), true, Linker.Option.firstVariadicArg(2));
    }

    private static final class Read {
        static final MethodHandle H = bind("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), true);
    }

    private static final class Write {
        static final MethodHandle H = bind("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), true);
    }

    // read and write once more without errno capture, for the calls made per frame. A capturing call
    // slices the caller's capture segment (SharedUtils.checkCaptureSegment, not force-inlined); unless
    // C2 inlines that slice and removes it, each call allocates 40 bytes, which was seen once on the TAP
    // path. A failed call is made again through the capturing handle to learn why (see TapDevice).
    private static final class ReadPlain {
        static final MethodHandle H = bind("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), false);
    }

    private static final class WritePlain {
        static final MethodHandle H = bind("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), false);
    }

    private static final class Socket {
        static final MethodHandle H = bind("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), true);
    }

    private static final class Bind {
        static final MethodHandle H = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    private static final class Setsockopt {
        static final MethodHandle H = bind("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    private static final class Recvmmsg {
        static final MethodHandle H = bind("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG), true);
    }

    private static final class Sendmmsg {
        static final MethodHandle H = bind("sendmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), true);
    }

    private static final class Poll {
        static final MethodHandle H = bind("poll",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), true);
    }

    private static final class Eventfd {
        static final MethodHandle H = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
    }

    private static final class IfNametoindex {
        static final MethodHandle H = bind("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), true);
    }

    private static final class Listen {
        static final MethodHandle H = bind("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
    }

    private static final class Accept4 {
        static final MethodHandle H = bind("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), true);
    }

    private static final class Connect {
        static final MethodHandle H = bind("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    private static final class Socketpair {
        static final MethodHandle H = bind("socketpair",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), true);
    }

    private static final class Shutdown {
        static final MethodHandle H = bind("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
    }

    private static final class Sendmsg {
        static final MethodHandle H = bind("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), true);
    }

    private static final class Recvmsg {
        static final MethodHandle H = bind("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), true);
    }

    private static final class Getsockopt {
        static final MethodHandle H = bind("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), true);
    }

    private static final class MemfdCreate {
        static final MethodHandle H = bind("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
    }

    private static final class Ftruncate {
        static final MethodHandle H = bind("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), true);
    }

    private static final class Lseek {
        static final MethodHandle H = bind("lseek",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), true);
    }

    private static final class FcntlInt {
        static final MethodHandle H = bind("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), true, Linker.Option.firstVariadicArg(2));
    }

    private static final class Mmap {
        static final MethodHandle H = bind("mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), true);
    }

    private static final class Munmap {
        static final MethodHandle H = bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), true);
    }

    private static final class SchedSetaffinity {
        static final MethodHandle H = bind("sched_setaffinity",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), true);
    }

    private static final class Strerror {
        static final MethodHandle H = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT), false);
    }

    private Libc() {
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, boolean errno, Linker.Option... more) {
        MemorySegment symbol = LINKER.defaultLookup().findOrThrow(name);
        List<Linker.Option> options = new ArrayList<>(List.of(more));
        if (errno) {
            options.add(ERRNO_OPTION);
        }
        return LINKER.downcallHandle(symbol, fd, options.toArray(Linker.Option[]::new));
    }

    /** A segment to receive {@code errno}; one per thread that makes calls. */
    static MemorySegment errnoSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment errnoSegment) {
        return (int) ERRNO.get(errnoSegment, 0L);
    }

    /** The C library's text for an error number, e.g. "Operation not permitted". */
    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static int open(MemorySegment err, MemorySegment path, int flags) {
        try {
            return (int) Open.H.invokeExact(err, path, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) Close.H.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ioctl(MemorySegment err, int fd, long request, MemorySegment arg) {
        try {
            return (int) Ioctl.H.invokeExact(err, fd, request, arg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long read(MemorySegment err, int fd, long address, long length) {
        try {
            return (long) Read.H.invokeExact(err, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long write(MemorySegment err, int fd, long address, long length) {
        try {
            return (long) Write.H.invokeExact(err, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** read(2) without errno: a negative result says only that the call failed. */
    static long readPlain(int fd, long address, long length) {
        try {
            return (long) ReadPlain.H.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** write(2) without errno: a negative result says only that the call failed. */
    static long writePlain(int fd, long address, long length) {
        try {
            return (long) WritePlain.H.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int socket(MemorySegment err, int domain, int type, int protocol) {
        try {
            return (int) Socket.H.invokeExact(err, domain, type, protocol);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int bind(MemorySegment err, int fd, MemorySegment address) {
        try {
            return (int) Bind.H.invokeExact(err, fd, address, (int) address.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int setsockopt(MemorySegment err, int fd, int level, int name, MemorySegment value) {
        try {
            return (int) Setsockopt.H.invokeExact(err, fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int recvmmsg(MemorySegment err, int fd, long msgvec, int vlen, int flags) {
        try {
            return (int) Recvmmsg.H.invokeExact(err, fd, msgvec, vlen, flags, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int sendmmsg(MemorySegment err, int fd, long msgvec, int vlen, int flags) {
        try {
            return (int) Sendmmsg.H.invokeExact(err, fd, msgvec, vlen, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int poll(MemorySegment err, long fds, long nfds, int timeoutMillis) {
        try {
            return (int) Poll.H.invokeExact(err, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int schedSetaffinity(MemorySegment err, int pid, long size, long mask) {
        try {
            return (int) SchedSetaffinity.H.invokeExact(err, pid, size, mask);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfd(MemorySegment err, int initval, int flags) {
        try {
            return (int) Eventfd.H.invokeExact(err, initval, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ifNameToIndex(MemorySegment err, MemorySegment name) {
        try {
            return (int) IfNametoindex.H.invokeExact(err, name);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int listen(MemorySegment err, int fd, int backlog) {
        try {
            return (int) Listen.H.invokeExact(err, fd, backlog);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int accept4(MemorySegment err, int fd, int flags) {
        try {
            return (int) Accept4.H.invokeExact(err, fd, 0L, 0L, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static final int SHUT_WR = 1;

    static int socketpair(MemorySegment err, int domain, int type, int protocol, MemorySegment fds) {
        try {
            return (int) Socketpair.H.invokeExact(err, domain, type, protocol, fds);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int shutdown(MemorySegment err, int fd, int how) {
        try {
            return (int) Shutdown.H.invokeExact(err, fd, how);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int connect(MemorySegment err, int fd, MemorySegment address) {
        try {
            return (int) Connect.H.invokeExact(err, fd, address, (int) address.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long sendmsg(MemorySegment err, int fd, long msghdr, int flags) {
        try {
            return (long) Sendmsg.H.invokeExact(err, fd, msghdr, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long recvmsg(MemorySegment err, int fd, long msghdr, int flags) {
        try {
            return (long) Recvmsg.H.invokeExact(err, fd, msghdr, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getsockopt(MemorySegment err, int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) Getsockopt.H.invokeExact(err, fd, level, name, value, len);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int memfdCreate(MemorySegment err, MemorySegment name, int flags) {
        try {
            return (int) MemfdCreate.H.invokeExact(err, name, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int ftruncate(MemorySegment err, int fd, long length) {
        try {
            return (int) Ftruncate.H.invokeExact(err, fd, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long lseek(MemorySegment err, int fd, long offset, int whence) {
        try {
            return (long) Lseek.H.invokeExact(err, fd, offset, whence);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fcntl(MemorySegment err, int fd, int cmd, int arg) {
        try {
            return (int) FcntlInt.H.invokeExact(err, fd, cmd, arg);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Returns the mapping's address, or -1 (MAP_FAILED) with errno set. */
    static long mmap(MemorySegment err, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) Mmap.H.invokeExact(err, 0L, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int munmap(MemorySegment err, long address, long length) {
        try {
            return (int) Munmap.H.invokeExact(err, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
