package io.pktstack.shell.internal;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/** Datagrams sent or received by {@code udp}: one line each, the payload as text (when printable) and hex. */
record UdpReport(List<Datagram> datagrams) implements Report {

    record Datagram(String direction, InetAddress peer, int port, byte[] data) {
    }

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Datagram d : datagrams) {
            String host = d.peer().getHostAddress();
            sb.append(d.direction()).append(' ').append(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                    .append(':').append(d.port()).append(' ').append(d.data().length).append(" bytes");
            if (printable(d.data())) {
                sb.append(" text \"").append(new String(d.data(), StandardCharsets.US_ASCII)).append('"');
            }
            sb.append(" hex ").append(HexFormat.of().formatHex(d.data())).append('\n');
        }
        return sb.toString();
    }

    private static boolean printable(byte[] b) {
        for (byte x : b) {
            if (x < 0x20 || x > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
