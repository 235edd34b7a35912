package io.pktstack.sockets.internal;

import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import javax.net.ServerSocketFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The stack's {@link ServerSocketFactory} service: listening {@link ServerSocket}s on pktstack's TCP. */
@Component(service = ServerSocketFactory.class, property = "pktstack.tcp=true")
public final class PktServerSocketFactory extends ServerSocketFactory {

    private final TcpStack stack;

    @Activate
    public PktServerSocketFactory(@Reference TcpStack stack) {
        this.stack = stack;
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new PktServerSocket(stack);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        ServerSocket s = new PktServerSocket(stack);
        try {
            s.bind(ifAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(ifAddress, port), backlog);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }
}
