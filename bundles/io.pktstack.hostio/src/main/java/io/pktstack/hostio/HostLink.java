package io.pktstack.hostio;

import io.pktstack.api.frame.Frame;
import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Link} over a {@link HostDevice}: one receive thread that sleeps in
 * {@code poll} until Linux has frames and then moves them in batches, and a
 * transmit path that hands whole batches to the kernel. The link owns its
 * device and its {@link DeviceClaim}; {@link #close()} gives both back.
 */
public final class HostLink implements Link, AutoCloseable {

    /** Frames read per receive call; a batch goes up the stack as soon as it is read. */
    static final int RX_BATCH = 64;
    /** How often carrier is re-read while nothing arrives. */
    private static final int IDLE_POLL_MILLIS = 1000;
    /** How long to wait for frames to come back to an empty pool before asking the device again. */
    private static final int STARVED_POLL_MILLIS = 1;

    private final HostDevice device;
    private final DeviceClaim claim;
    private final MacAddress mac;
    private final boolean macAssigned;
    private final int mtu;
    private final Map<String, Object> extraDetails;
    private final ReentrantLock txLock = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollfds = arena.allocate(2L * Libc.POLLFD_SIZE, 8);
    private final MemorySegment wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
    /** Where the receive thread reads the wake-up counter into (wakeValue belongs to the waking thread). */
    private final MemorySegment drainValue = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment pollErrno = Libc.errnoSegment(arena);
    private final int wakeFd;

    private volatile LinkPort port;
    private volatile boolean running;
    private volatile boolean carrier;
    private volatile String lastProblem = "";
    private Thread receiver;
    private long txTooBig;

    /**
     * @param device an open device; the link owns it from now on
     * @param claim the device's claim, released with the link (may be null)
     * @param mtu largest frame sent or accepted, Ethernet header included
     */
    public HostLink(HostDevice device, DeviceClaim claim, MacAddress mac, boolean macAssigned, int mtu,
            Map<String, Object> extraDetails) throws HostIoException {
        this.device = device;
        this.claim = claim;
        this.mac = mac;
        this.macAssigned = macAssigned;
        this.mtu = mtu;
        this.extraDetails = Map.copyOf(extraDetails);
        int efd = Libc.eventfd(pollErrno, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (efd < 0) {
            arena.close();
            throw HostIoException.of("eventfd", Libc.errno(pollErrno), null);
        }
        this.wakeFd = efd;
        // The wake-up descriptor first, so a failing device can be left out of poll by asking for one entry.
        pollfds.set(ValueLayout.JAVA_INT, 0, wakeFd);
        pollfds.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        pollfds.set(ValueLayout.JAVA_INT, Libc.POLLFD_SIZE, device.fd());
        pollfds.set(ValueLayout.JAVA_SHORT, Libc.POLLFD_SIZE + 4, Libc.POLLIN);
    }

    public HostDevice device() {
        return device;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public boolean macAssigned() {
        return macAssigned;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public synchronized void attach(LinkPort port) {
        if (this.port != null) {
            throw new IllegalStateException(device.name() + " is already attached");
        }
        this.port = port;
        running = true;
        carrier = device.carrier();
        port.carrierChanged(carrier);
        receiver = Thread.ofPlatform().daemon().name("pktstack-rx-" + device.name()).start(this::receiveLoop);
    }

    @Override
    public synchronized void detach() {
        if (port == null) {
            return;
        }
        running = false;
        wake();
        boolean interrupted = false;
        while (receiver.isAlive()) {
            try {
                receiver.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        receiver = null;
        port = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        Libc.write(pollErrno, wakeFd, wakeValue.address(), 8);
    }

    /** The receive thread: frames it holds between rounds go back to the pool when it ends. */
    private void receiveLoop() {
        LinkPort p = port;
        FramePool pool = p.pool();
        Frame[] slots = new Frame[RX_BATCH];
        Frame[] fresh = new Frame[RX_BATCH];
        FrameBatch batch = new FrameBatch(RX_BATCH);
        MemorySegment err = Libc.errnoSegment(arena);
        int have = 0;
        boolean failing = false;
        boolean starved = false;
        try {
            while (running) {
                // While the device fails or the pool is empty, poll the wake-up descriptor only: the
                // device stays readable meanwhile and would make poll return at once, round after round.
                int r = Libc.poll(err, pollfds.address(), failing || starved ? 1 : 2,
                        starved ? STARVED_POLL_MILLIS : IDLE_POLL_MILLIS);
                if (!running) {
                    break;
                }
                if ((pollfds.get(ValueLayout.JAVA_SHORT, 6) & Libc.POLLIN) != 0) {
                    // Consume the wake-up: left unread it keeps poll returning at once after a re-attach.
                    Libc.read(err, wakeFd, drainValue.address(), 8);
                }
                if (failing || starved) {
                    failing = false; // woken or timed out: try the device again
                    starved = false;
                    continue;
                }
                if (r <= 0) {
                    checkCarrier(p);
                    continue;
                }
                short revents = pollfds.get(ValueLayout.JAVA_SHORT, Libc.POLLFD_SIZE + 6);
                if ((revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (revents & Libc.POLLIN) == 0) {
                    problem(p, device.kind() + "=" + device.name() + ": the device reports an error; retrying every second");
                    failing = true; // poll the wake-up descriptor only, with a timeout, until it heals
                    continue;
                }
                // Drain what is waiting, a batch at a time, then sleep again.
                for (int round = 0; round < 16 && running; round++) {
                    if (have < RX_BATCH) {
                        int k = pool.take(fresh, RX_BATCH - have);
                        System.arraycopy(fresh, 0, slots, have, k);
                        Arrays.fill(fresh, 0, k, null);
                        have += k;
                    }
                    if (have == 0) {
                        starved = true; // the kernel keeps the frames (or drops and counts) meanwhile
                        break;
                    }
                    int good;
                    try {
                        good = device.receive(slots, have);
                    } catch (HostIoException e) {
                        problem(p, e.getMessage());
                        failing = true;
                        break;
                    }
                    if (good == 0) {
                        break;
                    }
                    if (!carrier) {
                        checkCarrier(p);
                    }
                    for (int i = 0; i < good; i++) {
                        batch.add(slots[i]);
                    }
                    System.arraycopy(slots, good, slots, 0, have - good);
                    Arrays.fill(slots, have - good, have, null);
                    boolean drained = good < have; // the device had fewer: asking again would only say EAGAIN
                    have -= good;
                    p.receive(batch); // takes the frames and empties the batch
                    if (drained) {
                        break;
                    }
                }
            }
        } finally {
            pool.release(slots, have);
        }
    }

    private void checkCarrier(LinkPort p) {
        boolean now = device.carrier();
        if (now != carrier) {
            carrier = now;
            p.carrierChanged(now);
        }
    }

    private void problem(LinkPort p, String message) {
        if (!message.equals(lastProblem)) {
            lastProblem = message;
            p.event(message);
        }
        if (carrier) {
            carrier = false;
            p.carrierChanged(false);
        }
    }

    @Override
    public int transmit(FrameBatch batch) {
        int sent = 0;
        txLock.lock();
        try {
            Frame[] frames = batch.array();
            while (!batch.isEmpty()) {
                int n = 0;
                int size = batch.size();
                while (n < size && n < HostDevice.MAX_BATCH && fits(frames[n])) {
                    n++;
                }
                if (n == 0) {
                    txTooBig++; // can never go: drop it and carry on with the rest
                    batch.releaseFirst(1);
                    continue;
                }
                int k = device.send(frames, n);
                batch.releaseFirst(k); // the kernel copied them
                sent += k;
                if (k < n) {
                    break; // no room: the rest stays with the caller
                }
            }
        } finally {
            txLock.unlock();
        }
        return sent;
    }

    private boolean fits(Frame f) {
        return f.length() >= 14 && f.length() <= mtu;
    }

    @Override
    public boolean carrier() {
        return carrier;
    }

    @Override
    public io.pktstack.api.link.DriverCounters counters() {
        return new io.pktstack.api.link.DriverCounters(device.rxOversize(), device.rxRunts(), 0,
                device.txErrors() + txTooBig);
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device.kind() + "=" + device.name());
        if (claim != null) {
            m.put("claimed by", claim.owner());
        }
        m.put("rx system calls", device.rxCalls());
        m.put("tx system calls", device.txCalls());
        m.put("rx drops: too long for a slot", device.rxOversize());
        m.put("rx drops: runt", device.rxRunts());
        m.put("tx drops: refused by Linux", device.txErrors());
        m.put("tx drops: larger than mtu", txTooBig);
        m.putAll(extraDetails);
        if (!lastProblem.isEmpty()) {
            m.put("last problem", lastProblem);
        }
        return m;
    }

    /** Detaches, closes the device and releases the claim. */
    @Override
    public void close() {
        detach();
        txLock.lock();
        try {
            device.close();
            Libc.close(wakeFd);
        } finally {
            txLock.unlock();
        }
        if (claim != null) {
            claim.close();
        }
        arena.close();
    }
}
