package io.pktstack.sockets.internal;

import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link ServerSocket} over a pktstack listener. {@link #accept} hands the
 * JDK a socket with our own impl to fill: a custom server impl cannot accept
 * into the JDK's platform sockets (nor into none, unless a process-wide
 * SocketImplFactory is set, which a bundle must not do).
 */
final class PktServerSocket extends ServerSocket {

    private final TcpStack stack;

    PktServerSocket(TcpStack stack) throws IOException {
        super(new PktSocketImpl(stack));
        this.stack = stack;
    }

    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        Socket s = new PktSocket(new PktSocketImpl(stack));
        implAccept(s);
        return s;
    }
}
