package io.pktstack.api.tcp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A TCP connection on a pktstack instance.
 *
 * <p>Blocking and waking: {@link #read}, {@link #write} and a listener's
 * accept block the calling thread, platform or virtual, on a condition of the
 * connection's lock; no thread of the stack waits for the caller. The stack's
 * receive thread signals the condition when data, a FIN, an acknowledgment
 * that frees send-buffer space, or a reset arrives, and the stack timer when a
 * retransmission or keepalive gives up. A blocked call ends early with
 * {@link java.io.InterruptedIOException} when its thread is interrupted, and
 * with {@link java.net.SocketTimeoutException} when its timeout passes. Reads
 * and writes may come from different threads at once; two concurrent reads
 * (or writes) are serialized.
 *
 * <p>Errors: a reset by the peer fails the next read or write with
 * {@code java.net.SocketException("Connection reset")}; a connection the stack
 * gave up after unanswered retransmissions or keepalives with
 * {@code java.net.SocketException("Connection timed out")}.
 */
@ProviderType
public interface TcpSocket extends Closeable {

    /**
     * Chooses the local address and port before {@link #connect} (port 0: a
     * free ephemeral port). Without it, connect takes the address of the route
     * and a free port.
     *
     * @throws java.net.BindException if the address is not the stack's, or the port is in use
     */
    void bind(InetSocketAddress local) throws IOException;

    /**
     * Opens the connection and waits for the handshake; options set before
     * (buffer sizes, NODELAY, keepalive) apply from the SYN on.
     *
     * @param timeout how long the handshake may take; zero uses the stack's SYN retries only
     * @throws java.net.ConnectException if the peer refused (answered with a reset)
     * @throws java.net.NoRouteToHostException if there is no route to {@code remote}
     * @throws java.net.SocketTimeoutException if the handshake did not complete in time
     */
    void connect(InetSocketAddress remote, Duration timeout) throws IOException;

    /** True once {@link #connect} succeeded (or the socket came from accept), until it is closed. */
    boolean isConnected();

    /** The local address: the bound one before connect, null if neither bound nor connected. */
    InetSocketAddress localAddress();

    /** The peer, or null before connect. */
    InetSocketAddress remoteAddress();

    /** The connection's state; {@link TcpState#CLOSED} before connect and after the end. */
    TcpState state();

    /**
     * Copies received bytes into {@code dst}, waiting until at least one is
     * there or the peer has finished sending.
     *
     * @return bytes copied, or -1 when the peer has closed its side and every byte was read
     * @throws java.net.SocketTimeoutException if the read timeout passed first
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Queues every remaining byte of {@code src} for sending, waiting while the
     * send buffer is full.
     *
     * @return the bytes queued (all of them, unless the write timeout passed with some queued)
     * @throws java.net.SocketTimeoutException if the write timeout passed before any byte was queued
     */
    int write(ByteBuffer src) throws IOException;

    /** Bytes that {@link #read} can return without waiting. */
    int available();

    /** Sends a FIN after the queued data: the peer reads end of stream; this side may still read (half-close). */
    void shutdownOutput() throws IOException;

    /** Discards what arrives from now on; reads return -1. */
    void shutdownInput();

    /** Timeout of each {@link #read}; zero (the default) waits for ever. */
    void setReadTimeout(Duration timeout);

    Duration readTimeout();

    /** Timeout of each {@link #write} while the send buffer is full; zero (the default) waits for ever. */
    void setWriteTimeout(Duration timeout);

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    /**
     * Closes the connection: a FIN after the queued data, as {@link #shutdownOutput},
     * and the socket is given up (the stack finishes the close). If received
     * data was left unread, or {@code SO_LINGER} is zero, the connection is
     * reset instead (RFC 9293 §3.10.4, RFC 2525 §2.17).
     */
    @Override
    void close() throws IOException;

    /** Resets the connection at once (sends RST, drops what is queued). */
    void abort();
}
