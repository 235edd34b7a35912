package io.pktstack.api.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * TCP on one pktstack instance (RFC 9293), for IPv4 and IPv6. The core
 * registers one per stack; bundles that need standard sockets use the
 * {@code javax.net.SocketFactory} and {@code javax.net.ServerSocketFactory}
 * services instead, which are built on this.
 */
@ProviderType
public interface TcpStack {

    /** An unconnected socket, to set options on, bind and connect (as {@link java.net.Socket}). */
    TcpSocket open();

    /**
     * Opens a connection and waits for the handshake: {@link #open}, bind to
     * {@code local} if given, {@link TcpSocket#connect}.
     *
     * @param remote the peer (a resolved address)
     * @param local the local address and port to use, or null: the address of
     *        the route to {@code remote} and a free ephemeral port (port 0 also
     *        picks one)
     * @param timeout how long the handshake may take; zero uses the stack's SYN retries only
     * @throws java.net.ConnectException if the peer refused (answered with a reset)
     * @throws java.net.NoRouteToHostException if there is no route to {@code remote}
     * @throws java.net.SocketTimeoutException if the handshake did not complete in time
     * @throws java.net.BindException if {@code local} is not an address of the stack or its port is in use
     */
    TcpSocket connect(InetSocketAddress remote, InetSocketAddress local, Duration timeout) throws IOException;

    /**
     * Listens on {@code local}: its address may be the wildcard ({@code 0.0.0.0}
     * for IPv4 only, {@code ::} for both families), its port 0 for a free one.
     *
     * @param backlog completed connections that may wait for {@link TcpListener#accept}; more are refused
     * @throws java.net.BindException if the port is in use on that address or the address is not the stack's
     */
    TcpListener listen(InetSocketAddress local, int backlog) throws IOException;

    /** Every listener and connection, TIME_WAIT included. */
    List<TcpConnectionInfo> connections();
}
