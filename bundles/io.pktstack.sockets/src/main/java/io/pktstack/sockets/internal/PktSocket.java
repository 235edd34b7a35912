package io.pktstack.sockets.internal;

import java.net.Socket;
import java.net.SocketException;

/** A {@link Socket} whose bytes go through pktstack ({@code Socket(SocketImpl)} is protected, hence this class). */
final class PktSocket extends Socket {

    PktSocket(PktSocketImpl impl) throws SocketException {
        super(impl);
    }
}
