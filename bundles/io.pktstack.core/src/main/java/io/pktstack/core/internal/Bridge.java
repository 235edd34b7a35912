package io.pktstack.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A learning bridge (IEEE 802.1D transparent bridging, as NetBSD's
 * {@code bridge(4)}): learns source addresses per member, forwards known
 * unicast to its member, floods unknown unicast and broadcast to every other
 * member, and never sends a frame back out of the member it came in on.
 *
 * <p>The members array is replaced on change (copy on write) so the data path
 * reads it without a lock; the address table is guarded by one lock taken once
 * per batch.
 */
final class Bridge {

    /** brconfig's defaults (NetBSD): maxaddr 100, timeout 1200 s. */
    static final int DEFAULT_MAX_ADDRESSES = 100;
    static final int MAX_ADDRESSES_LIMIT = 4096;
    static final long DEFAULT_TIMEOUT_SECONDS = 1200;

    private final String name;
    final MacTable table = new MacTable(DEFAULT_MAX_ADDRESSES, TimeUnit.SECONDS.toNanos(DEFAULT_TIMEOUT_SECONDS));
    final ReentrantLock lock = new ReentrantLock();
    private volatile NetInterface[] members = new NetInterface[0];
    /** The bridge's interface followed by its members: where the segment's addresses live. */
    private volatile NetInterface[] segment = new NetInterface[0];
    /** The bridge's own interface (for addresses and its MAC). */
    NetInterface self;

    Bridge(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    NetInterface[] members() {
        return members;
    }

    NetInterface[] segment() {
        return segment;
    }

    private void membersChanged() {
        NetInterface[] m = members;
        NetInterface[] seg = new NetInterface[m.length + 1];
        seg[0] = self;
        System.arraycopy(m, 0, seg, 1, m.length);
        segment = seg;
    }

    synchronized void setSelf(NetInterface self) {
        this.self = self;
        membersChanged();
    }

    synchronized void add(NetInterface member) {
        NetInterface[] m = Arrays.copyOf(members, members.length + 1);
        m[m.length - 1] = member;
        members = m;
        member.memberOf = this;
        membersChanged();
    }

    synchronized void remove(NetInterface member, long now) {
        List<NetInterface> l = new ArrayList<>(Arrays.asList(members));
        l.remove(member);
        members = l.toArray(new NetInterface[0]);
        member.memberOf = null;
        membersChanged();
        lock.lock();
        try {
            table.removePort(member.index, now);
        } finally {
            lock.unlock();
        }
    }

    /** True if {@code mac} belongs to the bridge itself or one of its members (frames for the stack). */
    boolean isLocalMac(long mac) {
        if (self != null && self.mac.bits() == mac) {
            return true;
        }
        for (NetInterface m : members) {
            if (m.mac.bits() == mac) {
                return true;
            }
        }
        return false;
    }

    NetInterface member(int ifIndex) {
        for (NetInterface m : members) {
            if (m.index == ifIndex) {
                return m;
            }
        }
        return null;
    }
}
