package io.pktstack.sockets.internal;

import io.pktstack.api.tcp.TcpStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The stack's {@link SocketFactory} service: {@link Socket}s whose TCP is
 * pktstack's, for libraries that take a SocketFactory (HTTP clients, the JDK's
 * own TLS layered over a socket). Service property {@code pktstack.stack}
 * names the instance. Host names are resolved by the JVM's resolver; numeric
 * addresses never leave the stack.
 */
@Component(service = SocketFactory.class, property = "pktstack.tcp=true")
public final class PktSocketFactory extends SocketFactory {

    private final TcpStack stack;

    @Activate
    public PktSocketFactory(@Reference TcpStack stack) {
        this.stack = stack;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new PktSocket(new PktSocketImpl(stack));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return createSocket(InetAddress.getByName(host), port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(InetAddress.getByName(host), port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }
}
