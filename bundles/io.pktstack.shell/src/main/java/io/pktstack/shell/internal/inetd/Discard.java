package io.pktstack.shell.internal.inetd;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;

/** RFC 863 on TCP: "Once a connection is established any data received is thrown away. No response is sent." */
final class Discard {

    private Discard() {
    }

    static void serve(TcpSocket s, Counters c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Echo.BUFFER);
        int n;
        while ((n = s.read(buf.clear())) >= 0) {
            c.bytesIn.add(n);
        }
    }
}
