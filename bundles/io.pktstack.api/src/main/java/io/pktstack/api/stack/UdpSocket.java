package io.pktstack.api.stack;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/** A UDP endpoint on the stack, for bundles that speak UDP over pktstack's interfaces. */
@ProviderType
public interface UdpSocket extends AutoCloseable {

    /** The bound local port. */
    int localPort();

    /**
     * Sends the remaining bytes of {@code payload} as one datagram.
     *
     * @throws java.io.UncheckedIOException if the destination cannot be resolved or reached
     */
    void send(InetAddress destination, int port, ByteBuffer payload);

    /**
     * Waits for one datagram and copies it into {@code into}; truncates what does
     * not fit.
     *
     * @return the sender, or {@code null} on timeout
     */
    Datagram receive(ByteBuffer into, Duration timeout);

    /** Sender of a received datagram and its full length. */
    record Datagram(InetAddress source, int sourcePort, int length) {
    }

    @Override
    void close();
}
