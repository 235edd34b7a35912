package io.pktstack.core.internal.tcp;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening port (RFC 9293 LISTEN): the half-open connections made from its
 * SYNs (the SYN queue, bounded) and the established ones waiting for
 * {@link #accept} (the accept queue, bounded by the backlog).
 *
 * <p>Lock order: a connection's lock may be held when this listener's lock is
 * taken, never the other way round.
 */
final class TcpListenerImpl implements TcpListener {

    final Tcp tcp;
    /** The local address, or null for every address (IPv4 and IPv6, or IPv4 only if {@link #v4Only}). */
    final InetAddress address;
    final boolean v4Only;
    final int port;
    final int backlog;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<TcpConnection> ready = new ArrayDeque<>();
    /** Half-open connections (SYN_RECEIVED) from this listener. */
    private int synQueue;
    private boolean closed;
    /**
     * The cookie slot ({@link Tcp#cookieSlot}) of the last SYN this listener answered with a cookie, or -1: a cookie
     * handshake can still complete while the slot is the current or the previous one.
     */
    volatile int lastCookieSlot = -1;

    TcpListenerImpl(Tcp tcp, InetAddress address, boolean v4Only, int port, int backlog) {
        this.tcp = tcp;
        this.address = address;
        this.v4Only = v4Only;
        this.port = port;
        this.backlog = Math.max(1, backlog);
    }

    /** True if this listener takes a segment to the given local address. */
    boolean matches(boolean v6, long hi, long lo) {
        if (address == null) {
            return !(v6 && v4Only);
        }
        return Addresses.isV6(address) == v6 && Addresses.hi(address) == hi && Addresses.lo(address) == lo;
    }

    /** Takes a new half-open connection if the SYN queue has room. */
    boolean offerSyn() {
        lock.lock();
        try {
            if (closed || synQueue >= tcp.config.synQueueLimit) {
                return false;
            }
            synQueue++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A half-open connection ended (established, reset or timed out). */
    void synGone() {
        lock.lock();
        try {
            synQueue = Math.max(0, synQueue - 1);
        } finally {
            lock.unlock();
        }
    }

    /** True if the accept queue has room for one more (checked before the final ACK is taken). */
    boolean admit(TcpConnection c) {
        lock.lock();
        try {
            return !closed && ready.size() < backlog;
        } finally {
            lock.unlock();
        }
    }

    /** A connection completed its handshake: queue it for accept. */
    void ready(TcpConnection c) {
        if (c.inSynQueue) {
            c.inSynQueue = false;
            synGone();
        }
        lock.lock();
        try {
            ready.add(c);
            arrived.signal();
        } finally {
            lock.unlock();
        }
        tcp.stats.count(TcpStats.Stat.CONN_ACCEPTS);
    }

    int queued() {
        lock.lock();
        try {
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress(address == null ? tcp.wildcard(v4Only) : address, port);
    }

    @Override
    public TcpSocket accept(Duration timeout) throws java.io.IOException {
        long nanos = timeout == null || timeout.isZero() ? Long.MAX_VALUE : timeout.toNanos();
        TcpConnection c;
        lock.lock();
        try {
            long deadline = nanos == Long.MAX_VALUE ? 0 : System.nanoTime() + nanos;
            while ((c = ready.poll()) == null) {
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (nanos == Long.MAX_VALUE) {
                    arrived.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Accept timed out");
                    }
                    arrived.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("accept interrupted");
        } finally {
            lock.unlock();
        }
        c.lock.lock();
        try {
            c.listener = null;
        } finally {
            c.lock.unlock();
        }
        return new ConnectionSocket(c);
    }

    @Override
    public void close() {
        List<TcpConnection> pending;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            pending = new ArrayList<>(ready);
            ready.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        tcp.unlisten(this);
        for (TcpConnection c : pending) {
            c.lock.lock();
            try {
                c.listener = null;
                tcp.sendResetFor(c);
                c.reset(null);
            } finally {
                c.lock.unlock();
            }
        }
        tcp.network.flush();
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "listener " + localAddress();
    }

    static long nanos(Duration d) {
        return d == null ? 0 : TimeUnit.NANOSECONDS.convert(d);
    }
}
