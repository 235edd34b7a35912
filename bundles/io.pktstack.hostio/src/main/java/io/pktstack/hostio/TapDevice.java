package io.pktstack.hostio;

import io.pktstack.api.frame.Frame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TAP device (IFF_TAP | IFF_NO_PI): what the stack writes, Linux
 * receives on the TAP interface, and what Linux sends out of it, the stack
 * reads. Opening a name that does not exist creates the device, which then
 * lives as long as this descriptor (unless it was made persistent with
 * {@code ip tuntap add}). A TAP descriptor moves one frame per
 * {@code read}/{@code write}, so a batch costs one call per frame but one
 * wake-up per batch.
 */
public final class TapDevice extends HostDevice {

    private TapDevice(String name, int fd) {
        super(name, fd);
    }

    /**
     * Creates or opens TAP device {@code name}.
     *
     * @throws HostIoException naming the device and what to do (missing
     *         /dev/net/tun, missing CAP_NET_ADMIN, device busy)
     */
    public static TapDevice open(String name) throws HostIoException {
        checkInterfaceName("tap", name);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(a);
            int fd = Libc.open(err, a.allocateFrom("/dev/net/tun"), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) {
                int e = Libc.errno(err);
                throw HostIoException.of("tap=" + name + ": cannot open /dev/net/tun", e,
                        e == Libc.ENOENT || e == Libc.ENODEV ? "load the tun module: modprobe tun"
                                : e == Libc.EACCES || e == Libc.EPERM ? "run as root or give the user access to /dev/net/tun"
                                : null);
            }
            MemorySegment ifr = a.allocate(Libc.IFREQ_SIZE);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
            ifr.set(ValueLayout.JAVA_SHORT, Libc.IFNAMSIZ, (short) (Libc.IFF_TAP | Libc.IFF_NO_PI));
            if (Libc.ioctl(err, fd, Libc.TUNSETIFF, ifr) < 0) {
                int e = Libc.errno(err);
                Libc.close(fd);
                throw HostIoException.of("tap=" + name + ": cannot attach the TAP device", e,
                        e == Libc.EPERM ? "creating a TAP device needs CAP_NET_ADMIN: run as root, or create it first with "
                                + "'ip tuntap add dev " + name + " mode tap user USER'"
                                : e == Libc.EBUSY ? "another program holds " + name
                                : e == Libc.EINVAL ? name + " exists and is not a TAP device" : null);
            }
            return new TapDevice(name, fd);
        }
    }

    @Override
    public String kind() {
        return "tap";
    }

    @Override
    public int receive(Frame[] frames, int n) throws HostIoException {
        int good = 0;
        int j = 0;
        boolean readSome = false;
        while (j < n) {
            Frame f = frames[j];
            int cap = receiveCapacity(f);
            rxCalls++;
            long r = Libc.readPlain(fd, receiveAddress(f), cap);
            if (r < 0 && readSome) {
                break; // the end of what was queued (EAGAIN); an error that lasts shows on the next call's first read
            }
            if (r < 0) {
                // Nothing read yet: once more with errno captured (the first call's is gone) to tell EAGAIN
                // from an error; if a frame came in between, it is read now.
                rxCalls++;
                r = Libc.read(rxErrno, fd, receiveAddress(f), cap);
            }
            if (r < 0) {
                int e = Libc.errno(rxErrno);
                if (e == Libc.EAGAIN || e == Libc.EINTR) {
                    break;
                }
                throw HostIoException.of("tap=" + name + ": read", e, null);
            }
            if (r == 0) {
                break;
            }
            readSome = true;
            if (r >= cap) {
                rxOversize++; // the kernel cut it to the slot: drop, reuse the slot
                continue;
            }
            if (r < 14) {
                rxRunts++;
                continue;
            }
            f.length((int) r);
            keep(frames, good++, j++);
        }
        return good;
    }

    @Override
    public int send(Frame[] frames, int n) {
        int i = 0;
        for (; i < n; i++) {
            Frame f = frames[i];
            txCalls++;
            long w = Libc.writePlain(fd, frameAddress(f), f.length());
            if (w < 0) {
                txCalls++;
                w = Libc.write(txErrno, fd, frameAddress(f), f.length()); // once more, to learn why
            }
            if (w < 0) {
                int e = Libc.errno(txErrno);
                if (e == Libc.EAGAIN || e == Libc.ENOBUFS) {
                    break;
                }
                txErrors++; // EIO and friends: the frame is lost for good
            }
        }
        return i;
    }

    @Override
    public boolean carrier() {
        return true;
    }
}
