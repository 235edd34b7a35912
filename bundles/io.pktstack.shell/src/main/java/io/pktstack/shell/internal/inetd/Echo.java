package io.pktstack.shell.internal.inetd;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;

/** RFC 862 on TCP: "Once a connection is established any data received is sent back. This continues until the calling user terminates the connection." */
final class Echo {

    /** Per connection: 500 echo connections take 8 MB. */
    static final int BUFFER = 16 * 1024;

    private Echo() {
    }

    static void serve(TcpSocket s, Counters c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        while (true) {
            buf.clear();
            int n = s.read(buf);
            if (n < 0) {
                return; // the caller finished; the connection closes behind what was echoed
            }
            c.bytesIn.add(n);
            buf.flip();
            while (buf.hasRemaining()) {
                c.bytesOut.add(s.write(buf));
            }
        }
    }
}
