package io.pktstack.core.internal.tcp;

import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpSocketOptions;
import io.pktstack.api.tcp.TcpState;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The application's handle on a connection: options kept until connect, then
 * blocking reads and writes on the connection's buffers (see {@link TcpSocket}
 * for how callers wait and are woken).
 */
final class ConnectionSocket implements TcpSocket {

    private final Tcp tcp;
    private volatile TcpConnection conn;
    private InetSocketAddress bound;
    private boolean closed;
    // Options until connect; the connection keeps them after.
    private boolean noDelay;
    private boolean keepAlive;
    private int sendBuffer;
    private int recvBuffer;
    private int linger = -1;
    private int keepIdle;
    private int keepInterval;
    private int keepCount;
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;

    ConnectionSocket(Tcp tcp) {
        this.tcp = tcp;
        this.sendBuffer = tcp.config.sendSpace;
        this.recvBuffer = tcp.config.recvSpace;
        this.keepIdle = tcp.config.keepIdleSeconds;
        this.keepInterval = tcp.config.keepIntervalSeconds;
        this.keepCount = tcp.config.keepCount;
    }

    /** An accepted connection. */
    ConnectionSocket(TcpConnection c) {
        this(c.tcp);
        this.conn = c;
    }

    /** Hands the options set before connect to the new connection (before its SYN). */
    void applyTo(TcpConnection c) {
        c.noDelay = noDelay;
        c.keepAlive = keepAlive;
        c.sendBufSize = sendBuffer;
        c.recvBufSize = recvBuffer;
        c.lingerSeconds = linger;
        c.keepIdleSeconds = keepIdle;
        c.keepIntervalSeconds = keepInterval;
        c.keepCount = keepCount;
    }

    @Override
    public synchronized void bind(InetSocketAddress local) throws IOException {
        if (conn != null || closed) {
            throw new SocketException(closed ? "Socket is closed" : "Already connected");
        }
        if (bound != null) {
            throw new SocketException("Already bound");
        }
        bound = local == null ? new InetSocketAddress(0) : local;
    }

    @Override
    public void connect(InetSocketAddress remote, Duration timeout) throws IOException {
        TcpConnection c = startConnect(remote);
        long nanos = timeout == null || timeout.isZero() ? 0 : timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        c.lock.lock();
        try {
            while (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
                if (nanos == 0) {
                    c.changed.await(c.lock, 0);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        c.reset("connect timed out");
                        throw new SocketTimeoutException("Connect timed out");
                    }
                    c.changed.await(c.lock, left);
                }
            }
            if (c.error != null) {
                throw copy(c.error);
            }
            if (c.state == TcpState.CLOSED) {
                throw new SocketException("Connection closed during the handshake");
            }
        } catch (InterruptedException e) {
            c.reset("connect interrupted");
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("connect interrupted");
        } finally {
            c.flushAndUnlock();
        }
    }

    /** Sends the SYN and returns at once; {@link #connect} then waits for the handshake. */
    TcpConnection startConnect(InetSocketAddress remote) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (conn != null) {
                throw new SocketException("Already connected");
            }
            conn = tcp.openConnection(remote, bound, this);
            return conn;
        }
    }

    @Override
    public boolean isConnected() {
        TcpConnection c = conn;
        return c != null && !closed && c.state != TcpState.SYN_SENT && c.state != TcpState.SYN_RECEIVED;
    }

    private TcpConnection connected() throws SocketException {
        TcpConnection c = conn;
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (c == null) {
            throw new SocketException("Socket is not connected");
        }
        return c;
    }

    @Override
    public InetSocketAddress localAddress() {
        TcpConnection c = conn;
        if (c == null) {
            return bound;
        }
        FlowKey k = c.key;
        return Addresses.socket(k.v6, k.localHi, k.localLo, k.localPort);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        TcpConnection c = conn;
        if (c == null) {
            return null;
        }
        FlowKey k = c.key;
        return Addresses.socket(k.v6, k.remoteHi, k.remoteLo, k.remotePort);
    }

    @Override
    public TcpState state() {
        TcpConnection c = conn;
        if (c == null) {
            return TcpState.CLOSED;
        }
        c.lock.lock();
        try {
            return c.state;
        } finally {
            c.lock.unlock();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        TcpConnection c = connected();
        if (!dst.hasRemaining()) {
            return 0;
        }
        long timeout = readTimeoutNanos;
        long deadline = System.nanoTime() + timeout;
        c.lock.lock();
        try {
            while (true) {
                if (c.recvBuf != null && c.recvBuf.size() > 0 && !c.inputShutdown) {
                    int n = c.recvBuf.read(dst);
                    c.windowOpened = true;
                    c.output(); // a window update once the window opened enough
                    return n;
                }
                if (c.inputShutdown || c.peerFinReceived) {
                    return -1;
                }
                if (c.error != null) {
                    throw copy(c.error);
                }
                if (c.state == TcpState.CLOSED) {
                    return -1;
                }
                await(c, timeout, deadline, "Read timed out");
            }
        } finally {
            c.flushAndUnlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        TcpConnection c = connected();
        long timeout = writeTimeoutNanos;
        long deadline = System.nanoTime() + timeout;
        int total = 0;
        c.lock.lock();
        try {
            while (src.hasRemaining()) {
                if (c.error != null) {
                    throw copy(c.error);
                }
                if (c.outputShutdown) {
                    throw new SocketException("Socket output is shutdown");
                }
                if (c.state != TcpState.ESTABLISHED && c.state != TcpState.CLOSE_WAIT) {
                    throw new SocketException(c.state == TcpState.CLOSED ? "Connection closed" : "Broken pipe");
                }
                int n = c.sendBuf.write(src);
                total += n;
                if (n > 0) {
                    c.output();
                    continue;
                }
                tcp.network.flush(); // what we queued must leave before we wait for its acknowledgments
                try {
                    await(c, timeout, deadline, "Write timed out");
                } catch (SocketTimeoutException e) {
                    if (total > 0) {
                        return total;
                    }
                    throw e;
                }
            }
            return total;
        } finally {
            c.flushAndUnlock();
        }
    }

    private static void await(TcpConnection c, long timeout, long deadline, String what) throws IOException {
        try {
            if (timeout == 0) {
                c.changed.await(c.lock, 0);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException(what);
                }
                c.changed.await(c.lock, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what.replace("timed out", "interrupted"));
        }
    }

    /** A fresh exception with the connection's message, so each caller gets its own stack trace. */
    private static IOException copy(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return new java.net.ConnectException(e.getMessage());
        }
        return new SocketException(e.getMessage());
    }

    @Override
    public int available() {
        TcpConnection c = conn;
        if (c == null) {
            return 0;
        }
        c.lock.lock();
        try {
            return c.inputShutdown ? 0 : c.recvQueued();
        } finally {
            c.lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        TcpConnection c = connected();
        c.lock.lock();
        try {
            c.queueFin();
        } finally {
            c.flushAndUnlock();
        }
    }

    @Override
    public void shutdownInput() {
        TcpConnection c = conn;
        if (c == null) {
            return;
        }
        c.lock.lock();
        try {
            c.inputShutdown = true;
            if (c.recvBuf != null) {
                c.recvBuf.consume(c.recvBuf.size());
            }
            c.changed.wakeAll();
        } finally {
            c.lock.unlock();
        }
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        readTimeoutNanos = timeout == null ? 0 : timeout.toNanos();
    }

    @Override
    public Duration readTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    @Override
    public void setWriteTimeout(Duration timeout) {
        writeTimeoutNanos = timeout == null ? 0 : timeout.toNanos();
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        if (value == null) {
            throw new IllegalArgumentException("null value for " + option);
        }
        TcpConnection c = conn;
        if (c != null) {
            c.lock.lock();
        }
        try {
            set(c, option, value);
        } finally {
            if (c != null) {
                c.flushAndUnlock();
            }
        }
    }

    private synchronized <T> void set(TcpConnection c, SocketOption<T> option, T value) throws IOException {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            noDelay = (Boolean) value;
            if (c != null) {
                c.noDelay = noDelay;
                c.output(); // what Nagle held may go now
            }
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
            if (c != null) {
                c.keepAlive = keepAlive;
            }
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            sendBuffer = positive(option, (Integer) value);
            if (c != null && c.sendBuf == null) {
                c.sendBufSize = sendBuffer;
            }
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            recvBuffer = positive(option, (Integer) value);
            if (c != null && c.recvBuf == null && c.state == TcpState.CLOSED) {
                c.recvBufSize = recvBuffer;
            }
        } else if (option == StandardSocketOptions.SO_LINGER) {
            linger = (Integer) value < 0 ? -1 : (Integer) value;
            if (c != null) {
                c.lingerSeconds = linger;
            }
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            // Accepted for compatibility: TIME_WAIT never blocks a new connection to a different peer here.
        } else if (option == TcpSocketOptions.KEEPIDLE) {
            keepIdle = positive(option, (Integer) value);
            if (c != null) {
                c.keepIdleSeconds = keepIdle;
            }
        } else if (option == TcpSocketOptions.KEEPINTERVAL) {
            keepInterval = positive(option, (Integer) value);
            if (c != null) {
                c.keepIntervalSeconds = keepInterval;
            }
        } else if (option == TcpSocketOptions.KEEPCOUNT) {
            keepCount = positive(option, (Integer) value);
            if (c != null) {
                c.keepCount = keepCount;
            }
        } else {
            throw new UnsupportedOperationException("'" + option.name() + "' not supported");
        }
        if (c != null && option == StandardSocketOptions.SO_KEEPALIVE && keepAlive) {
            c.lastRecvTime = c.timer.now();
            c.armKeepaliveNow();
        }
    }

    private static int positive(SocketOption<?> option, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(option.name() + " must be positive: " + v);
        }
        return v;
    }

    @Override
    @SuppressWarnings("unchecked")
    public synchronized <T> T getOption(SocketOption<T> option) throws IOException {
        TcpConnection c = conn;
        Object v;
        if (option == StandardSocketOptions.TCP_NODELAY) {
            v = noDelay;
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            v = keepAlive;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            v = c != null && c.sendBuf != null ? c.sendBuf.capacity() : sendBuffer;
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            v = c != null && c.recvBuf != null ? c.recvBuf.capacity() : recvBuffer;
        } else if (option == StandardSocketOptions.SO_LINGER) {
            v = linger;
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            v = Boolean.TRUE;
        } else if (option == TcpSocketOptions.KEEPIDLE) {
            v = keepIdle;
        } else if (option == TcpSocketOptions.KEEPINTERVAL) {
            v = keepInterval;
        } else if (option == TcpSocketOptions.KEEPCOUNT) {
            v = keepCount;
        } else {
            throw new UnsupportedOperationException("'" + option.name() + "' not supported");
        }
        return (T) v;
    }

    @Override
    public void close() {
        TcpConnection c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = conn;
        }
        if (c == null) {
            return;
        }
        c.lock.lock();
        try {
            if (c.state == TcpState.CLOSED) {
                return;
            }
            boolean unread = c.recvBuf != null && c.recvBuf.size() > 0 && !c.inputShutdown;
            if (unread || c.lingerSeconds == 0) {
                // RFC 9293 §3.10.4 / RFC 2525 §2.17: data the application will never read: reset, do not lie with a FIN.
                abortLocked(c);
            } else if (c.state == TcpState.SYN_SENT) {
                c.close("closed");
            } else {
                c.orphan();
                c.changed.wakeAll();
            }
        } finally {
            c.flushAndUnlock();
        }
    }

    @Override
    public void abort() {
        TcpConnection c;
        synchronized (this) {
            closed = true;
            c = conn;
        }
        if (c == null) {
            return;
        }
        c.lock.lock();
        try {
            abortLocked(c);
        } finally {
            c.flushAndUnlock();
        }
    }

    private void abortLocked(TcpConnection c) {
        if (c.state == TcpState.CLOSED) {
            return;
        }
        if (c.state != TcpState.SYN_SENT && c.state != TcpState.TIME_WAIT) {
            tcp.sendResetFor(c);
        }
        c.error = new SocketException("Socket closed");
        c.close("aborted");
    }

    static long nanos(long seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }

    @Override
    public String toString() {
        TcpConnection c = conn;
        return c == null ? "unconnected tcp socket" : c.toString();
    }
}
