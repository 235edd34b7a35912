package io.pktstack.sockets.internal;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocketOptions;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A {@link SocketImpl} over a pktstack TCP connection or listener: the JDK's
 * route for a {@link java.net.Socket} or {@link java.net.ServerSocket} whose
 * bytes go through another network stack ({@code Socket(SocketImpl)}). The
 * Socket classes call it under their own locks; options set before connect
 * wait here and go to the connection before its SYN.
 */
final class PktSocketImpl extends SocketImpl {

    private final TcpStack stack;
    private TcpSocket socket;
    private TcpListener listener;
    private InetSocketAddress bindTo;
    private int timeoutMillis;
    private final Map<SocketOption<?>, Object> pending = new LinkedHashMap<>();
    private InputStream in;
    private OutputStream out;
    private volatile boolean closed;

    PktSocketImpl(TcpStack stack) {
        this.stack = stack;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("pktstack sockets are TCP streams (for UDP use NetworkStack.openUdp)");
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(InetAddress.getByName(host), port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        if (!(address instanceof InetSocketAddress target)) {
            throw new IllegalArgumentException("unsupported address type " + address);
        }
        if (target.isUnresolved()) {
            throw new UnknownHostException(target.getHostName());
        }
        TcpSocket s = stack.open();
        try {
            for (Map.Entry<SocketOption<?>, Object> e : pending.entrySet()) {
                setOn(s, e.getKey(), e.getValue());
            }
            if (bindTo != null) {
                s.bind(bindTo);
            }
            s.connect(target, Duration.ofMillis(timeout));
        } catch (IOException | RuntimeException e) {
            s.abort();
            throw e;
        }
        attach(s);
    }

    @SuppressWarnings("unchecked")
    private static <T> void setOn(TcpSocket s, SocketOption<T> option, Object value) throws IOException {
        s.setOption(option, (T) value);
    }

    /** Takes a connected socket (from connect, or accept on a server). */
    private void attach(TcpSocket s) {
        socket = s;
        InetSocketAddress remote = s.remoteAddress();
        InetSocketAddress local = s.localAddress();
        this.address = remote.getAddress();
        this.port = remote.getPort();
        this.localport = local.getPort();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        bindTo = new InetSocketAddress(host, port);
        this.localport = port;
    }

    @Override
    protected void listen(int backlog) throws IOException {
        InetSocketAddress at = bindTo != null ? bindTo : new InetSocketAddress(0);
        listener = stack.listen(at, backlog < 1 ? 50 : backlog);
        this.localport = listener.localAddress().getPort();
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        if (listener == null) {
            throw new SocketException("not listening");
        }
        if (!(s instanceof PktSocketImpl target)) {
            throw new SocketException("cannot accept into " + s.getClass().getName());
        }
        target.attach(listener.accept(Duration.ofMillis(timeoutMillis)));
    }

    private TcpSocket connected() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        if (socket == null) {
            throw new SocketException("Socket is not connected");
        }
        return socket;
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        TcpSocket s = connected();
        if (in == null) {
            in = new InputStream() {
                private final byte[] one = new byte[1];

                @Override
                public int read() throws IOException {
                    int n = read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    java.util.Objects.checkFromIndexSize(off, len, b.length);
                    if (len == 0) {
                        return 0;
                    }
                    s.setReadTimeout(Duration.ofMillis(timeoutMillis));
                    return s.read(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public int available() {
                    return s.available();
                }
            };
        }
        return in;
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        TcpSocket s = connected();
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    java.util.Objects.checkFromIndexSize(off, len, b.length);
                    ByteBuffer src = ByteBuffer.wrap(b, off, len);
                    while (src.hasRemaining()) {
                        s.write(src);
                    }
                }
            };
        }
        return out;
    }

    @Override
    protected int available() throws IOException {
        return connected().available();
    }

    @Override
    protected void close() throws IOException {
        closed = true;
        if (socket != null) {
            socket.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        connected().shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        connected().shutdownOutput();
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported (RFC 6093 advises against it)");
    }

    // ---- options: the old int-keyed ones (java.net.Socket's setters use them) and SocketOption ones

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        switch (optID) {
            case SocketOptions.SO_TIMEOUT -> timeoutMillis = (Integer) value;
            case SocketOptions.TCP_NODELAY -> set(StandardSocketOptions.TCP_NODELAY, (Boolean) value);
            case SocketOptions.SO_KEEPALIVE -> set(StandardSocketOptions.SO_KEEPALIVE, (Boolean) value);
            case SocketOptions.SO_SNDBUF -> set(StandardSocketOptions.SO_SNDBUF, (Integer) value);
            case SocketOptions.SO_RCVBUF -> set(StandardSocketOptions.SO_RCVBUF, (Integer) value);
            case SocketOptions.SO_LINGER -> set(StandardSocketOptions.SO_LINGER,
                    value instanceof Integer i ? i : -1); // Boolean.FALSE turns lingering off
            case SocketOptions.SO_REUSEADDR -> set(StandardSocketOptions.SO_REUSEADDR, (Boolean) value);
            case SocketOptions.SO_OOBINLINE, SocketOptions.IP_TOS -> {
                // Accepted and without effect: no urgent data, no TOS marking.
            }
            default -> throw new SocketException("option " + optID + " not supported");
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        return switch (optID) {
            case SocketOptions.SO_TIMEOUT -> timeoutMillis;
            case SocketOptions.TCP_NODELAY -> get(StandardSocketOptions.TCP_NODELAY);
            case SocketOptions.SO_KEEPALIVE -> get(StandardSocketOptions.SO_KEEPALIVE);
            case SocketOptions.SO_SNDBUF -> get(StandardSocketOptions.SO_SNDBUF);
            case SocketOptions.SO_RCVBUF -> get(StandardSocketOptions.SO_RCVBUF);
            case SocketOptions.SO_LINGER -> {
                int l = get(StandardSocketOptions.SO_LINGER);
                yield l < 0 ? Boolean.FALSE : (Object) l;
            }
            case SocketOptions.SO_REUSEADDR -> get(StandardSocketOptions.SO_REUSEADDR);
            case SocketOptions.SO_OOBINLINE -> Boolean.FALSE;
            case SocketOptions.IP_TOS -> 0;
            case SocketOptions.SO_BINDADDR -> localAddress();
            default -> throw new SocketException("option " + optID + " not supported");
        };
    }

    private InetAddress localAddress() {
        if (socket != null) {
            return socket.localAddress().getAddress();
        }
        if (listener != null) {
            return listener.localAddress().getAddress();
        }
        return bindTo != null ? bindTo.getAddress() : new InetSocketAddress(0).getAddress();
    }

    private <T> void set(SocketOption<T> option, T value) throws SocketException {
        try {
            if (socket != null) {
                socket.setOption(option, value);
            } else {
                pending.put(option, value);
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new SocketException(option.name() + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T get(SocketOption<T> option) throws SocketException {
        try {
            if (socket != null) {
                return socket.getOption(option);
            }
            if (pending.containsKey(option)) {
                return (T) pending.get(option);
            }
            return stack.open().getOption(option); // the stack's defaults
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        SocketOption<?> ours = ours(name);
        if (!supportedOptions().contains(ours)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        set((SocketOption<Object>) ours, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        SocketOption<?> ours = ours(name);
        if (!supportedOptions().contains(ours)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return (T) get(ours);
    }

    /**
     * jdk.net's TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT (which HTTP
     * clients set) as pktstack's own keepalive options, matched by name so this
     * bundle needs no jdk.net import; others as they are.
     */
    private static SocketOption<?> ours(SocketOption<?> name) {
        return switch (name.name()) {
            case "TCP_KEEPIDLE" -> TcpSocketOptions.KEEPIDLE;
            case "TCP_KEEPINTERVAL" -> TcpSocketOptions.KEEPINTERVAL;
            case "TCP_KEEPCOUNT" -> TcpSocketOptions.KEEPCOUNT;
            default -> name;
        };
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
                StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.SO_REUSEADDR, TcpSocketOptions.KEEPIDLE, TcpSocketOptions.KEEPINTERVAL,
                TcpSocketOptions.KEEPCOUNT);
    }

    @Override
    public String toString() {
        return "pktstack " + (socket != null ? socket : listener != null ? listener : "unconnected socket");
    }
}
