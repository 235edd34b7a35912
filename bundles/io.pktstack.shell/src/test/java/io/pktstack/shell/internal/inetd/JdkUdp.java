package io.pktstack.shell.internal.inetd;

import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.UdpSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A {@link NetworkStack} whose only working part is {@code openUdp}, on the JDK's loopback UDP. */
final class JdkUdp {

    private JdkUdp() {
    }

    static NetworkStack stack() {
        return (NetworkStack) Proxy.newProxyInstance(JdkUdp.class.getClassLoader(), new Class<?>[] {NetworkStack.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("openUdp")) {
                        return open((Integer) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    static UdpSocket open(int port) {
        DatagramSocket s;
        try {
            s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (SocketException e) {
            throw new IllegalArgumentException("UDP port " + port + " is in use");
        }
        return new UdpSocket() {
            @Override
            public int localPort() {
                return s.getLocalPort();
            }

            @Override
            public void send(InetAddress destination, int p, ByteBuffer payload) {
                byte[] b = new byte[payload.remaining()];
                payload.get(b);
                try {
                    s.send(new DatagramPacket(b, b.length, destination, p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Datagram receive(ByteBuffer into, Duration timeout) {
                byte[] b = new byte[65536];
                DatagramPacket p = new DatagramPacket(b, b.length);
                try {
                    s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                } catch (IOException e) {
                    return null; // closed
                }
                into.put(b, 0, Math.min(p.getLength(), into.remaining()));
                return new Datagram(p.getAddress(), p.getPort(), p.getLength());
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
