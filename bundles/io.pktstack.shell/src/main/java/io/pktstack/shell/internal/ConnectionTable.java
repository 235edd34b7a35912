package io.pktstack.shell.internal;

import io.pktstack.api.tcp.TcpConnectionInfo;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/** {@code netstat -a -p tcp}: BSD's table of connections and listeners, addresses as a.b.c.d.port. */
record ConnectionTable(List<TcpConnectionInfo> connections) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder("Active Internet connections (including servers)\n");
        sb.append(String.format("%-6s %6s %6s  %-40s %-40s %s%n", "Proto", "Recv-Q", "Send-Q", "Local Address",
                "Foreign Address", "(state)"));
        for (TcpConnectionInfo c : connections) {
            String proto = c.local().getAddress() instanceof Inet6Address
                    ? (c.local().getAddress().isAnyLocalAddress() ? "tcp46" : "tcp6") : "tcp4";
            sb.append(String.format("%-6s %6d %6d  %-40s %-40s %s%n", proto, c.recvQ(), c.sendQ(), bsd(c.local()),
                    c.remote() == null ? "*.*" : bsd(c.remote()), c.state()));
        }
        return sb.toString();
    }

    /** BSD's address.port, with * for the wildcard address. */
    static String bsd(InetSocketAddress a) {
        String host = a.getAddress().isAnyLocalAddress() ? "*" : InterfaceList.format(a.getAddress());
        return host + "." + a.getPort();
    }
}
