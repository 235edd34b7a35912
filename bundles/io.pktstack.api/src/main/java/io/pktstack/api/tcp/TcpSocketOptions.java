package io.pktstack.api.tcp;

import java.net.SocketOption;

/**
 * Socket options of pktstack's TCP beyond {@link java.net.StandardSocketOptions}
 * (which {@link TcpSocket} also takes: {@code TCP_NODELAY}, {@code SO_KEEPALIVE},
 * {@code SO_SNDBUF}, {@code SO_RCVBUF}, {@code SO_LINGER}). Values in seconds,
 * as Linux's {@code TCP_KEEPIDLE} family.
 */
public final class TcpSocketOptions {

    /** Idle seconds before the first keepalive probe (defaults to sysctl net.inet.tcp.keepidle). */
    public static final SocketOption<Integer> KEEPIDLE = new Option<>("KEEPIDLE", Integer.class);
    /** Seconds between unanswered keepalive probes (net.inet.tcp.keepintvl). */
    public static final SocketOption<Integer> KEEPINTERVAL = new Option<>("KEEPINTERVAL", Integer.class);
    /** Unanswered probes before the connection is dropped (net.inet.tcp.keepcnt). */
    public static final SocketOption<Integer> KEEPCOUNT = new Option<>("KEEPCOUNT", Integer.class);

    private TcpSocketOptions() {
    }

    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }
}
