package io.pktstack.hostio;

import io.pktstack.api.frame.Frame;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An AF_PACKET socket bound to one existing Linux interface (a veth end, a
 * NIC), in promiscuous mode, moving batches with {@code recvmmsg} and
 * {@code sendmmsg} straight from and into frame slots. Frames Linux itself
 * sends out of the interface are not delivered back (PACKET_IGNORE_OUTGOING,
 * and the packet type as a fallback on kernels without it).
 *
 * <p>Offloads: a veth or NIC may hand up segments larger than the MTU when its
 * sender uses TSO/GSO; such frames do not fit a slot and are counted as
 * oversize. Turn segmentation offloads off on the sending side
 * ({@code ethtool -K DEV tso off gso off}) when TCP crosses this link.
 */
public final class PacketSocket extends HostDevice {

    private final int ifindex;
    private final Path carrierFile;
    private final MemorySegment rxVec;
    private final MemorySegment rxIov;
    private final MemorySegment rxNames;
    private final MemorySegment txVec;
    private final MemorySegment txIov;

    private PacketSocket(String name, int fd, int ifindex) {
        super(name, fd);
        this.ifindex = ifindex;
        this.carrierFile = Path.of("/sys/class/net", name, "carrier");
        rxVec = arena.allocate((long) MAX_BATCH * Libc.MMSGHDR_SIZE, 8);
        rxIov = arena.allocate((long) MAX_BATCH * Libc.IOVEC_SIZE, 8);
        rxNames = arena.allocate((long) MAX_BATCH * Libc.SOCKADDR_LL_SIZE, 8);
        txVec = arena.allocate((long) MAX_BATCH * Libc.MMSGHDR_SIZE, 8);
        txIov = arena.allocate((long) MAX_BATCH * Libc.IOVEC_SIZE, 8);
        for (int i = 0; i < MAX_BATCH; i++) {
            long m = (long) i * Libc.MMSGHDR_SIZE;
            rxVec.set(ValueLayout.JAVA_LONG, m + Libc.MSG_NAME, rxNames.address() + (long) i * Libc.SOCKADDR_LL_SIZE);
            rxVec.set(ValueLayout.JAVA_LONG, m + Libc.MSG_IOV, rxIov.address() + (long) i * Libc.IOVEC_SIZE);
            rxVec.set(ValueLayout.JAVA_LONG, m + Libc.MSG_IOVLEN, 1L);
            txVec.set(ValueLayout.JAVA_LONG, m + Libc.MSG_IOV, txIov.address() + (long) i * Libc.IOVEC_SIZE);
            txVec.set(ValueLayout.JAVA_LONG, m + Libc.MSG_IOVLEN, 1L);
        }
    }

    /**
     * Opens a packet socket on interface {@code name}.
     *
     * @throws HostIoException naming the interface and what to do (no such
     *         interface, missing CAP_NET_RAW)
     */
    public static PacketSocket open(String name) throws HostIoException {
        checkInterfaceName("if", name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(a);
            int index = Libc.ifNameToIndex(err, a.allocateFrom(name));
            if (index == 0) {
                throw new HostIoException("if=" + name + ": no such interface (see 'ip link show'; "
                        + "for a TAP device use tap=" + name + ")", Libc.ENODEV);
            }
            int protocol = Short.reverseBytes((short) Libc.ETH_P_ALL) & 0xffff;
            int fd = Libc.socket(err, Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                int e = Libc.errno(err);
                throw HostIoException.of("if=" + name + ": cannot open a packet socket", e,
                        e == Libc.EPERM || e == Libc.EACCES ? "needs CAP_NET_RAW: run as root" : null);
            }
            try {
                MemorySegment one = a.allocate(ValueLayout.JAVA_INT);
                one.set(ValueLayout.JAVA_INT, 0, 1);
                // Before bind, so no frame of ours is queued back to us; older kernels say ENOPROTOOPT.
                Libc.setsockopt(err, fd, Libc.SOL_PACKET, Libc.PACKET_IGNORE_OUTGOING, one);
                MemorySegment buf = a.allocate(ValueLayout.JAVA_INT);
                buf.set(ValueLayout.JAVA_INT, 0, 4 << 20);
                Libc.setsockopt(err, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, buf);
                Libc.setsockopt(err, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, buf);

                MemorySegment sll = a.allocate(Libc.SOCKADDR_LL_SIZE, 4);
                sll.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_PACKET);
                sll.set(ValueLayout.JAVA_SHORT, 2, (short) protocol);
                sll.set(ValueLayout.JAVA_INT, 4, index);
                if (Libc.bind(err, fd, sll) < 0) {
                    throw HostIoException.of("if=" + name + ": cannot bind the packet socket", Libc.errno(err), null);
                }
                // struct packet_mreq { int ifindex; unsigned short type, alen; unsigned char address[8]; }
                MemorySegment mreq = a.allocate(16, 4);
                mreq.set(ValueLayout.JAVA_INT, 0, index);
                mreq.set(ValueLayout.JAVA_SHORT, 4, (short) Libc.PACKET_MR_PROMISC);
                if (Libc.setsockopt(err, fd, Libc.SOL_PACKET, Libc.PACKET_ADD_MEMBERSHIP, mreq) < 0) {
                    throw HostIoException.of("if=" + name + ": cannot enter promiscuous mode", Libc.errno(err), null);
                }
            } catch (HostIoException | RuntimeException e) {
                Libc.close(fd);
                throw e;
            }
            return new PacketSocket(name, fd, index);
        }
    }

    @Override
    public String kind() {
        return "if";
    }

    public int ifindex() {
        return ifindex;
    }

    @Override
    public int receive(Frame[] frames, int n) throws HostIoException {
        int k = Math.min(n, MAX_BATCH);
        for (int i = 0; i < k; i++) {
            Frame f = frames[i];
            long iov = (long) i * Libc.IOVEC_SIZE;
            rxIov.set(ValueLayout.JAVA_LONG, iov, receiveAddress(f));
            rxIov.set(ValueLayout.JAVA_LONG, iov + 8, receiveCapacity(f));
            long m = (long) i * Libc.MMSGHDR_SIZE;
            rxVec.set(ValueLayout.JAVA_INT, m + Libc.MSG_NAMELEN, Libc.SOCKADDR_LL_SIZE);
            rxVec.set(ValueLayout.JAVA_INT, m + Libc.MSG_FLAGS, 0);
        }
        rxCalls++;
        int got = Libc.recvmmsg(rxErrno, fd, rxVec.address(), k, Libc.MSG_DONTWAIT);
        if (got < 0) {
            int e = Libc.errno(rxErrno);
            if (e == Libc.EAGAIN || e == Libc.EINTR) {
                return 0;
            }
            throw HostIoException.of("if=" + name + ": recvmmsg", e, null);
        }
        int good = 0;
        for (int j = 0; j < got; j++) {
            long m = (long) j * Libc.MMSGHDR_SIZE;
            int len = rxVec.get(ValueLayout.JAVA_INT, m + Libc.MSG_LEN);
            int flags = rxVec.get(ValueLayout.JAVA_INT, m + Libc.MSG_FLAGS);
            byte pkttype = rxNames.get(ValueLayout.JAVA_BYTE, (long) j * Libc.SOCKADDR_LL_SIZE + Libc.SLL_PKTTYPE);
            Frame f = frames[j];
            if (pkttype == Libc.PACKET_OUTGOING) {
                continue;
            }
            if ((flags & Libc.MSG_TRUNC) != 0 || len > receiveCapacity(f)) {
                rxOversize++;
                continue;
            }
            if (len < 14) {
                rxRunts++;
                continue;
            }
            f.length(len);
            keep(frames, good++, j);
        }
        return good;
    }

    @Override
    public int send(Frame[] frames, int n) {
        int k = Math.min(n, MAX_BATCH);
        for (int i = 0; i < k; i++) {
            Frame f = frames[i];
            long iov = (long) i * Libc.IOVEC_SIZE;
            txIov.set(ValueLayout.JAVA_LONG, iov, frameAddress(f));
            txIov.set(ValueLayout.JAVA_LONG, iov + 8, f.length());
        }
        txCalls++;
        int sent = Libc.sendmmsg(txErrno, fd, txVec.address(), k, Libc.MSG_DONTWAIT);
        if (sent >= 0) {
            return sent;
        }
        int e = Libc.errno(txErrno);
        if (e == Libc.EAGAIN || e == Libc.ENOBUFS || e == Libc.EINTR) {
            return 0;
        }
        txErrors++; // ENETDOWN, ENXIO: the first frame can never go; later ones are tried next call
        return 1;
    }

    @Override
    public boolean carrier() {
        try {
            return Files.readString(carrierFile).trim().equals("1");
        } catch (IOException | RuntimeException e) {
            return false; // gone, or administratively down (reading carrier then fails with EINVAL)
        }
    }
}
