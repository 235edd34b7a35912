package io.pktstack.api.tcp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/** A listening TCP port: connections that completed their handshake wait here to be accepted. */
@ProviderType
public interface TcpListener extends Closeable {

    InetSocketAddress localAddress();

    /**
     * Takes the next established connection, waiting for one (as {@link TcpSocket}
     * says for blocking calls).
     *
     * @param timeout how long to wait; zero waits for ever
     * @throws java.net.SocketTimeoutException if none came in time
     * @throws java.net.SocketException if the listener was closed
     */
    TcpSocket accept(Duration timeout) throws IOException;

    /** Stops listening; connections not yet accepted are reset. */
    @Override
    void close();
}
