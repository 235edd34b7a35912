package io.pktstack.core.internal;

import io.pktstack.core.internal.time.StackTimer;
import io.pktstack.api.frame.Frame;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.NeighborEntry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The ARP table or the IPv6 neighbour cache: IP address -> MAC, with expiry,
 * and resolution that never blocks the sender.
 *
 * <p>A frame for a neighbour whose MAC is unknown is held in the neighbour's
 * incomplete entry (a few per destination, the oldest dropped and counted when
 * more come: BSD's {@code la_hold}, Linux's {@code unres_qlen}) while a request
 * goes out; the request is repeated every second up to {@link #MAX_PROBES}
 * times on the stack timer (RFC 4861 §7.2.2, RFC 1122 §2.3.2.2), and the held
 * frames are sent by whichever thread brings the answer, or dropped and
 * counted when none comes.
 *
 * <p>Entries are objects the data path may keep (a TCP connection caches its
 * next hop's entry) and check with {@link Entry#reachable}, so a cached
 * neighbour costs no lookup per segment.
 */
final class NeighborCache {

    /** Reachable time: 20 minutes for ARP as BSD's arpt_keep; 30 s would be ND's, kept equal for simplicity. */
    static final long LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(20);
    /** Requests sent for one resolution before it fails (RFC 4861 MAX_MULTICAST_SOLICIT). */
    static final int MAX_PROBES = 3;
    /** Between requests (RFC 4861 RETRANS_TIMER). */
    static final long RETRANS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Frames held per unresolved neighbour by default (sysctl net.inet.arp.maxhold). */
    static final int DEFAULT_MAX_HOLD = 4;
    /**
     * Entries at most by default, complete or not (sysctl net.inet.arp.maxentries,
     * net.inet6.icmp6.nd6_maxentries): a peer can make the stack learn a
     * neighbour per source address it sends from. Beyond it, new neighbours
     * are neither learned nor resolved, and each refusal is counted.
     */
    static final int DEFAULT_MAX_ENTRIES = 4096;
    /** A full table is swept of expired entries at most this often, so a peer sending from ever new addresses cannot make it sweep per packet. */
    static final long PURGE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Sends one request (ARP who-has or neighbour solicitation) for an entry being resolved. */
    interface Solicitor {
        void solicit(Routing.Route via, InetAddress target, PathContext ctx);
    }

    /** Transmits a frame whose destination MAC has just been filled in (out of its layer-3 interface). */
    interface Sender {
        void send(NetInterface l3, Frame f, PathContext ctx);
    }

    /** One neighbour. Fields other than the volatile ones are guarded by the cache's lock. */
    final class Entry extends StackTimer.Task {
        final InetAddress ip;
        volatile MacAddress mac;
        /** The layer-3 interface the neighbour is on. */
        volatile String ifName;
        volatile long expires;
        /** Removed from the table: a holder of this entry must look the neighbour up again. */
        volatile boolean gone;
        /** While resolving: the route requests go out by, and the frames waiting. */
        Routing.Route via;
        int probes;
        /** Frames waiting for the MAC, oldest first; made when resolution starts, sized by the tunable then. */
        private Frame[] held;
        private NetInterface[] heldVia;
        private int heldCount;

        Entry(InetAddress ip) {
            this.ip = ip;
        }

        /** True if the MAC is known, fresh at {@code now}, and the entry still in the table. */
        boolean reachable(long now) {
            return mac != null && !gone && expires - now > 0;
        }

        @Override
        protected void run(long now) {
            retry(this);
        }
    }

    private volatile long lifetimeNanos = LIFETIME_NANOS;
    private volatile int maxHold = DEFAULT_MAX_HOLD;
    private volatile int maxEntries = DEFAULT_MAX_ENTRIES;
    private final Map<InetAddress, Entry> entries = new HashMap<>();
    private final StackTimer timer;
    private final Solicitor solicitor;
    private final Sender sender;
    private final Supplier<PathContext> contexts;
    private final Drops drops;
    private final Runnable tableFull;
    private long lastPurge;
    private boolean purged;

    /** Told of each frame dropped because its next hop never answered (the router's host unreachable, RFC 1812 §5.2.7.1). */
    interface Unresolved {
        void dropped(Frame f);
    }

    private volatile Unresolved unresolved;

    void onUnresolved(Unresolved u) {
        this.unresolved = u;
    }

    /** Where failed and overflowing resolutions are counted (the output interface's drop counters). */
    interface Drops {
        void dropped(NetInterface nif, DropReason reason, int frames);
    }

    /** @param tableFull told each time a neighbour is not entered because the table is full of live ones */
    NeighborCache(StackTimer timer, Solicitor solicitor, Sender sender, Supplier<PathContext> contexts, Drops drops,
            Runnable tableFull) {
        this.timer = timer;
        this.solicitor = solicitor;
        this.sender = sender;
        this.contexts = contexts;
        this.drops = drops;
        this.tableFull = tableFull;
    }

    /** Learns or refreshes a neighbour (a reply, or a request addressed to us) and sends what was held for it. */
    void put(InetAddress ip, MacAddress mac, String ifName, PathContext ctx) {
        Entry e;
        Frame[] release = null;
        NetInterface[] via = null;
        int n;
        synchronized (this) {
            e = entries.get(ip);
            if (e == null) {
                if (!room()) {
                    tableFull.run();
                    return; // full of live neighbours: this one is learned when we need it
                }
                e = new Entry(ip);
                entries.put(ip, e);
            }
            e.mac = mac;
            e.ifName = ifName;
            e.expires = timer.now() + lifetimeNanos;
            n = e.heldCount;
            release = e.held;
            via = e.heldVia;
            e.held = null;
            e.heldVia = null;
            e.heldCount = 0;
            e.via = null;
            e.probes = 0;
        }
        timer.cancel(e);
        for (int i = 0; i < n; i++) {
            fillDestination(release[i], mac);
            sender.send(via[i], release[i], ctx);
        }
    }

    /** Updates an entry only if one exists (RFC 826's "merge" step for packets not addressed to us). */
    void refresh(InetAddress ip, MacAddress mac, String ifName, PathContext ctx) {
        boolean known;
        synchronized (this) {
            known = entries.containsKey(ip);
        }
        if (known) {
            put(ip, mac, ifName, ctx);
        }
    }

    /** The entry of {@code ip} if it is reachable now, else null. */
    Entry reachableEntry(InetAddress ip) {
        Entry e;
        synchronized (this) {
            e = entries.get(ip);
        }
        return e != null && e.reachable(timer.now()) ? e : null;
    }

    MacAddress lookup(InetAddress ip) {
        Entry e = reachableEntry(ip);
        return e == null ? null : e.mac;
    }

    /**
     * Sends {@code f} (a complete frame but for its destination MAC) to the
     * neighbour {@code nextHop} out of {@code via}'s interface, now if its MAC
     * is known, else once it resolves. Takes ownership of {@code f}.
     *
     * @return the neighbour's entry (reachable or being resolved), or null when
     *         the frame was dropped because the table is full
     */
    Entry resolveAndSend(Routing.Route via, InetAddress nextHop, Frame f, PathContext ctx) {
        long now = timer.now();
        Entry e;
        boolean solicit = false;
        synchronized (this) {
            e = entries.get(nextHop);
            if (e == null) {
                if (!room()) {
                    tableFull.run();
                    drops.dropped(via.nif(), DropReason.NEIGHBOR_TABLE_FULL, 1);
                    f.release();
                    return null;
                }
                e = new Entry(nextHop);
                entries.put(nextHop, e);
            }
            if (!e.reachable(now)) {
                if (e.via == null) { // not being resolved yet (new, or expired): start
                    e.mac = null;
                    e.via = via;
                    e.held = new Frame[maxHold];
                    e.heldVia = new NetInterface[e.held.length];
                    e.ifName = via.nif().name;
                    e.probes = 1;
                    solicit = true;
                }
                hold(e, via.nif(), f);
                f = null;
            }
        }
        if (f != null) {
            fillDestination(f, e.mac);
            sender.send(via.nif(), f, ctx);
            return e;
        }
        if (solicit) {
            timer.schedule(e, RETRANS_NANOS);
            solicitor.solicit(via, nextHop, ctx);
        }
        return e;
    }

    /** Queues a frame on an incomplete entry; a full queue drops its oldest frame. Caller holds the lock. */
    private void hold(Entry e, NetInterface nif, Frame f) {
        if (f.gso() != Frame.GSO_NONE) {
            // A large segment is not held: the large frames are few and shared (reassembly, TSO), and a peer
            // could keep them all waiting on addresses that never answer. TCP sends it again once resolved.
            drops.dropped(nif, DropReason.NO_NEIGHBOR, 1);
            f.release();
            return;
        }
        int cap = e.held.length;
        if (cap > 0 && e.heldCount >= cap) {
            Frame oldest = e.held[0];
            NetInterface oldestVia = e.heldVia[0];
            System.arraycopy(e.held, 1, e.held, 0, e.heldCount - 1);
            System.arraycopy(e.heldVia, 1, e.heldVia, 0, e.heldCount - 1);
            e.heldCount--;
            if (oldest != null) {
                drops.dropped(oldestVia, DropReason.NEIGHBOR_HOLD_FULL, 1);
                oldest.release();
            }
        }
        if (cap == 0) {
            drops.dropped(nif, DropReason.NEIGHBOR_HOLD_FULL, 1);
            f.release();
            return;
        }
        e.held[e.heldCount] = f;
        e.heldVia[e.heldCount] = nif;
        e.heldCount++;
    }

    /** The retry timer of an incomplete entry: ask again, or give up and drop what was held. */
    private void retry(Entry e) {
        Routing.Route via;
        synchronized (this) {
            if (e.via == null || e.gone) {
                return; // resolved (or removed) meanwhile
            }
            if (e.probes < MAX_PROBES) {
                e.probes++;
                via = e.via;
            } else {
                failLocked(e, DropReason.NO_NEIGHBOR);
                return;
            }
        }
        timer.schedule(e, RETRANS_NANOS);
        PathContext ctx = contexts.get();
        solicitor.solicit(via, e.ip, ctx);
        ctx.flush();
    }

    /** Removes an entry that did not resolve, dropping and counting its held frames. Caller holds the lock. */
    private void failLocked(Entry e, DropReason reason) {
        // Detached first: telling of a frame may send (an ICMP error), which may resolve another neighbour.
        Frame[] held = e.held;
        NetInterface[] heldVia = e.heldVia;
        int n = e.heldCount;
        e.held = null;
        e.heldVia = null;
        e.heldCount = 0;
        e.via = null;
        e.gone = true;
        entries.remove(e.ip, e);
        Unresolved u = reason == DropReason.NO_NEIGHBOR ? unresolved : null;
        for (int i = 0; i < n; i++) {
            drops.dropped(heldVia[i], reason, 1);
            if (u != null) {
                u.dropped(held[i]);
            }
            held[i].release();
        }
    }

    /** Drops expired entries that hold nothing; true if that made room. Caller holds the lock. */
    /** Whether a new entry fits, after sweeping expired ones if the table is full and was not swept lately. */
    private boolean room() {
        if (entries.size() < maxEntries) {
            return true;
        }
        long now = timer.now();
        if (purged && now - lastPurge < PURGE_INTERVAL_NANOS) {
            return false;
        }
        purged = true;
        lastPurge = now;
        return purgeExpired() && entries.size() < maxEntries;
    }

    private boolean purgeExpired() {
        long now = timer.now();
        int before = entries.size();
        entries.values().removeIf(e -> {
            boolean dead = e.via == null && e.expires - now <= 0;
            if (dead) {
                e.gone = true;
            }
            return dead;
        });
        return entries.size() < before;
    }

    /** Sets the lifetime of entries made or refreshed from now on; existing ones keep their expiry. */
    void setLifetimeSeconds(long seconds) {
        lifetimeNanos = TimeUnit.SECONDS.toNanos(seconds);
    }

    long lifetimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(lifetimeNanos);
    }

    void setMaxHold(int frames) {
        maxHold = frames;
    }

    int maxHold() {
        return maxHold;
    }

    void setMaxEntries(int n) {
        maxEntries = n;
    }

    int maxEntries() {
        return maxEntries;
    }

    /** Forgets the neighbours of an interface that went away; frames held for them are dropped and counted. */
    void removeInterface(String ifName) {
        List<Entry> cancelled = new ArrayList<>();
        synchronized (this) {
            for (Entry e : List.copyOf(entries.values())) {
                if (ifName.equals(e.ifName)) {
                    failLocked(e, DropReason.INTERFACE_DOWN);
                    cancelled.add(e);
                }
            }
        }
        for (Entry e : cancelled) {
            timer.cancel(e);
        }
    }

    /** Drops every entry and what it holds (the stack is stopping). */
    void clear() {
        List<Entry> all;
        synchronized (this) {
            all = List.copyOf(entries.values());
            for (Entry e : all) {
                failLocked(e, DropReason.INTERFACE_DOWN);
            }
        }
        for (Entry e : all) {
            timer.cancel(e);
        }
    }

    /** Reachable neighbours, by address. */
    List<NeighborEntry> snapshot() {
        long now = timer.now();
        List<NeighborEntry> out = new ArrayList<>();
        synchronized (this) {
            entries.forEach((ip, e) -> {
                if (e.reachable(now)) {
                    out.add(new NeighborEntry(ip, e.mac, e.ifName, TimeUnit.NANOSECONDS.toSeconds(e.expires - now)));
                }
            });
        }
        out.sort((a, b) -> a.address().getHostAddress().compareTo(b.address().getHostAddress()));
        return out;
    }

    /** Entries being resolved now (for tests). */
    synchronized int incomplete() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.via != null) {
                n++;
            }
        }
        return n;
    }

    private static void fillDestination(Frame f, MacAddress mac) {
        Forwarder.setDstMac(f, mac.bits());
    }
}
