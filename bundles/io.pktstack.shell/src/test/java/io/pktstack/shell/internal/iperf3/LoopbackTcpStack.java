package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpConnectionInfo;
import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.api.tcp.TcpState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * {@link TcpStack} on the JDK's sockets over loopback, so that the iperf3
 * protocol code can be tried against itself and against Linux's iperf3 in a
 * unit test. It knows no TCP facts ({@link #connections} is empty), as a stack
 * without retransmission counts would.
 */
public final class LoopbackTcpStack implements TcpStack {

    @Override
    public TcpSocket open() {
        return new JdkSocket(new Socket());
    }

    @Override
    public TcpSocket connect(InetSocketAddress remote, InetSocketAddress local, Duration timeout) throws IOException {
        Socket s = new Socket();
        if (local != null) {
            s.bind(local);
        }
        s.connect(remote, (int) timeout.toMillis());
        return new JdkSocket(s);
    }

    @Override
    public TcpListener listen(InetSocketAddress local, int backlog) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(local, backlog);
        return new TcpListener() {
            @Override
            public InetSocketAddress localAddress() {
                return (InetSocketAddress) ss.getLocalSocketAddress();
            }

            @Override
            public TcpSocket accept(Duration timeout) throws IOException {
                ss.setSoTimeout((int) timeout.toMillis());
                return new JdkSocket(ss.accept());
            }

            @Override
            public void close() {
                try {
                    ss.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    @Override
    public List<TcpConnectionInfo> connections() {
        return List.of();
    }

    private static final class JdkSocket implements TcpSocket {
        private final Socket s;
        private Duration readTimeout = Duration.ZERO;

        JdkSocket(Socket s) {
            this.s = s;
        }

        @Override
        public void bind(InetSocketAddress local) throws IOException {
            s.bind(local);
        }

        @Override
        public void connect(InetSocketAddress remote, Duration timeout) throws IOException {
            s.connect(remote, (int) timeout.toMillis());
        }

        @Override
        public boolean isConnected() {
            return s.isConnected() && !s.isClosed();
        }

        @Override
        public InetSocketAddress localAddress() {
            return (InetSocketAddress) s.getLocalSocketAddress();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return (InetSocketAddress) s.getRemoteSocketAddress();
        }

        @Override
        public TcpState state() {
            return s.isClosed() ? TcpState.CLOSED : TcpState.ESTABLISHED;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            s.setSoTimeout((int) readTimeout.toMillis());
            int n = s.getInputStream().read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (src.hasArray()) {
                s.getOutputStream().write(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
            } else { // read-only or direct
                byte[] copy = new byte[n];
                src.get(copy);
                s.getOutputStream().write(copy);
            }
            return n;
        }

        @Override
        public int available() {
            try {
                return s.getInputStream().available();
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            s.shutdownOutput();
        }

        @Override
        public void shutdownInput() {
            try {
                s.shutdownInput();
            } catch (IOException e) {
                // closed already
            }
        }

        @Override
        public void setReadTimeout(Duration timeout) {
            readTimeout = timeout;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public void setWriteTimeout(Duration timeout) {
            // JDK socket writes block; the loopback peer always reads
        }

        @Override
        public <T> void setOption(SocketOption<T> option, T value) throws IOException {
            s.setOption(option, value);
        }

        @Override
        public <T> T getOption(SocketOption<T> option) throws IOException {
            return s.getOption(option);
        }

        @Override
        public void close() throws IOException {
            s.close();
        }

        @Override
        public void abort() {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException e) {
                // gone already
            }
        }

        @Override
        public String toString() {
            return "jdk " + s;
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket ss = new ServerSocket(0)) {
            return ss.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
