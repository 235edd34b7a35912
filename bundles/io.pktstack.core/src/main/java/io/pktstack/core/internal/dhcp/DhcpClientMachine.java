package io.pktstack.core.internal.dhcp;

import io.pktstack.core.internal.wire.Addresses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * A DHCP client's state machine (RFC 2131 §4.4, Figure 5) for one interface,
 * free of frames and timers: events come in ({@link #start}, {@link #received},
 * {@link #timer}, {@link #release}) with the stack clock's time in
 * nanoseconds, and it answers through {@link Actions}: messages to send,
 * the address to install or remove, when to wake it next.
 *
 * <p>INIT sends a DISCOVER and goes SELECTING; the first OFFER is requested
 * (REQUESTING); its ACK binds (BOUND: address, prefix and default route
 * installed). At T1 it renews with its server by unicast (RENEWING), at T2
 * with any server by broadcast (REBINDING), and at the end of the lease it
 * gives the address up and starts over; a NAK starts over at once.
 * Retransmissions back off 4, 8, 16, 32, then 64 seconds, each ±1 s
 * (§4.1); while renewing or rebinding, half the time left to T2 or to the
 * end of the lease, at least 60 s (§4.4.5). Requests ask for broadcast
 * replies (the interface has no address to receive unicast on yet).
 */
public final class DhcpClientMachine {

    public enum State { INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING, RELEASED }

    /** What the machine asks its owner to do. */
    public interface Actions {
        /** Sends {@code m} from {@code m.ciaddr()} (0.0.0.0 before an address is bound) to {@code to}; -1 broadcasts. */
        void send(DhcpMessage m, int to);

        /** Installs the bound address, its prefix, and a default route through {@code router} (0: none). */
        void configure(int address, int prefixLength, int router);

        /** Removes what {@link #configure} installed. */
        void unconfigure(int address, int prefixLength, int router);

        /** Calls {@link DhcpClientMachine#timer} at {@code nanos} on the stack clock (replacing an earlier wake-up). */
        void wakeAt(long nanos);
    }

    /** The lease as the client holds it. */
    public record Lease(int address, int prefixLength, int router, List<Integer> dns, int server, long leaseSeconds) {
    }

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final int REQUEST_ATTEMPTS = 4;
    /** The parameter request list: mask, router, DNS, lease, server, T1, T2 (RFC 2132 §9.8). */
    private static final byte[] PARAMETERS = {1, 3, 6, 51, 54, 58, 59};

    private final long mac;
    private final String hostname;
    private final Actions actions;
    private final RandomGenerator random;
    private State state = State.INIT;
    private int xid;
    private long startedAt;
    private int attempt;
    private int offered;
    private int offeringServer;
    private Lease lease;
    private long t1;
    private long t2;
    private long expiry;
    private long wake;

    public DhcpClientMachine(long mac, String hostname, Actions actions, RandomGenerator random) {
        this.mac = mac;
        this.hostname = hostname;
        this.actions = actions;
        this.random = random;
    }

    public State state() {
        return state;
    }

    public Lease lease() {
        return lease;
    }

    /** Seconds left of the bound lease at {@code now}, or -1. */
    public long secondsLeft(long now) {
        return lease == null ? -1 : Math.max(0, (expiry - now) / SECOND);
    }

    /** Seconds until T1 (renewal) at {@code now}, or -1. */
    public long secondsToRenewal(long now) {
        return lease == null || state != State.BOUND ? -1 : Math.max(0, (t1 - now) / SECOND);
    }

    /** Starts acquiring an address (from INIT, or again after a release). */
    public void start(long now) {
        if (lease != null) {
            return;
        }
        discover(now);
    }

    private void discover(long now) {
        state = State.SELECTING;
        xid = random.nextInt();
        startedAt = now;
        attempt = 0;
        sendDiscover(now);
    }

    private void sendDiscover(long now) {
        DhcpOptions o = common(DhcpMessage.DISCOVER).build();
        actions.send(message(0, o, now), -1);
        backOff(now);
    }

    /** 4, 8, 16, 32, 64, 64, ... seconds, each randomised by ±1 s (RFC 2131 §4.1). */
    private void backOff(long now) {
        long base = SECOND * (4L << Math.min(attempt, 4));
        attempt++;
        wakeAt(now + base + random.nextLong(-SECOND, SECOND + 1));
    }

    private DhcpOptions.Builder common(int type) {
        DhcpOptions.Builder b = DhcpOptions.builder(type).parameters(PARAMETERS).maxSize(1500);
        if (hostname != null && !hostname.isEmpty()) {
            b.hostname(hostname);
        }
        return b;
    }

    private DhcpMessage message(int ciaddr, DhcpOptions o, long now) {
        int secs = (int) Math.min(0xFFFF, (now - startedAt) / SECOND);
        return new DhcpMessage(DhcpMessage.BOOTREQUEST, xid, secs, DhcpMessage.FLAG_BROADCAST, ciaddr, 0, 0, 0, mac, o);
    }

    private void wakeAt(long t) {
        wake = t;
        actions.wakeAt(t);
    }

    /** A reply arrived for this interface; one that is not for this exchange is ignored (returns false). */
    public boolean received(DhcpMessage m, long now) {
        if (m.op() != DhcpMessage.BOOTREPLY || m.xid() != xid || m.chaddr() != mac) {
            return false;
        }
        DhcpOptions o = m.options();
        switch (state) {
            case SELECTING -> {
                if (m.type() != DhcpMessage.OFFER || m.yiaddr() == 0 || o.serverId() == 0) {
                    return false;
                }
                offered = m.yiaddr();
                offeringServer = o.serverId();
                state = State.REQUESTING;
                attempt = 0;
                sendRequest(now);
                return true;
            }
            case REQUESTING, RENEWING, REBINDING -> {
                if (m.type() == DhcpMessage.NAK) {
                    if (state == State.REQUESTING && o.serverId() != 0 && o.serverId() != offeringServer) {
                        return false;
                    }
                    drop();
                    discover(now); // RFC 2131 §4.4.1: restart the configuration process
                    return true;
                }
                if (m.type() != DhcpMessage.ACK || m.yiaddr() == 0 || o.leaseSeconds() < 0) {
                    return false;
                }
                bind(m, now);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private void sendRequest(long now) {
        DhcpOptions o = common(DhcpMessage.REQUEST).requestedIp(offered).serverId(offeringServer).build();
        actions.send(message(0, o, now), -1);
        backOff(now);
    }

    private void bind(DhcpMessage ack, long now) {
        DhcpOptions o = ack.options();
        int prefix = o.subnetMask() != 0 ? Addresses.prefixLength(o.subnetMask()) : -1;
        if (prefix < 0) {
            prefix = natural(ack.yiaddr()); // no (or a non-contiguous) mask: the class's, as RFC 2131 §3.3 allows
        }
        int router = o.routers().length > 0 ? o.routers()[0] : 0;
        List<Integer> dns = new ArrayList<>();
        for (int d : o.dns()) {
            dns.add(d);
        }
        int server = o.serverId() != 0 ? o.serverId() : lease != null ? lease.server() : offeringServer;
        Lease next = new Lease(ack.yiaddr(), prefix, router, dns, server, o.leaseSeconds());
        if (lease != null && (lease.address() != next.address() || lease.prefixLength() != next.prefixLength()
                || lease.router() != next.router())) {
            actions.unconfigure(lease.address(), lease.prefixLength(), lease.router());
            lease = null;
        }
        if (lease == null) {
            actions.configure(next.address(), next.prefixLength(), next.router());
        }
        lease = next;
        state = State.BOUND;
        long l = o.leaseSeconds();
        long r1 = o.renewalSeconds() >= 0 && o.renewalSeconds() < l ? o.renewalSeconds() : l / 2;
        long r2 = o.rebindingSeconds() >= 0 && o.rebindingSeconds() < l && o.rebindingSeconds() >= r1
                ? o.rebindingSeconds() : l * 7 / 8;
        expiry = now + l * SECOND;
        t1 = now + r1 * SECOND;
        t2 = now + r2 * SECOND;
        wakeAt(t1);
    }

    private static int natural(int a) {
        int first = a >>> 24;
        return first < 128 ? 8 : first < 192 ? 16 : 24;
    }

    /** The timer came due. */
    public void timer(long now) {
        if (now - wake < 0) {
            return; // an earlier wake-up that was replaced
        }
        switch (state) {
            case SELECTING -> sendDiscover(now);
            case REQUESTING -> {
                if (attempt >= REQUEST_ATTEMPTS) {
                    discover(now); // no ACK: start over
                } else {
                    sendRequest(now);
                }
            }
            case BOUND -> {
                state = State.RENEWING;
                xid = random.nextInt();
                startedAt = now;
                renewOrRebind(now);
            }
            case RENEWING, REBINDING -> {
                if (now - expiry >= 0) {
                    drop(); // the lease ran out (RFC 2131 §4.4.5)
                    discover(now);
                    return;
                }
                if (state == State.RENEWING && now - t2 >= 0) {
                    state = State.REBINDING;
                }
                renewOrRebind(now);
            }
            default -> { }
        }
    }

    /** RENEWING: unicast to the server; REBINDING: broadcast; next try at half the time left, at least 60 s. */
    private void renewOrRebind(long now) {
        DhcpOptions o = common(DhcpMessage.REQUEST).build();
        actions.send(message(lease.address(), o, now), state == State.RENEWING ? lease.server() : -1);
        long until = state == State.RENEWING ? t2 : expiry;
        long next = now + Math.max(60 * SECOND, (until - now) / 2);
        wakeAt(next - until > 0 ? until : next);
    }

    /** {@code dhcpcd -k}: gives the address back to the server (RFC 2131 §4.4.6) and removes it. */
    public void release(long now) {
        if (lease != null) {
            DhcpOptions o = DhcpOptions.builder(DhcpMessage.RELEASE).serverId(lease.server()).build();
            xid = random.nextInt();
            actions.send(new DhcpMessage(DhcpMessage.BOOTREQUEST, xid, 0, 0, lease.address(), 0, 0, 0, mac, o),
                    lease.server());
        }
        drop();
        state = State.RELEASED;
        wake = Long.MAX_VALUE;
    }

    private void drop() {
        if (lease != null) {
            actions.unconfigure(lease.address(), lease.prefixLength(), lease.router());
            lease = null;
        }
        state = State.INIT;
    }
}
