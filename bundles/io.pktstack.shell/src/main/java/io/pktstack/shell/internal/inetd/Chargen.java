package io.pktstack.shell.internal.inetd;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RFC 864's "popular pattern": the 95 printing ASCII characters in a ring,
 * 72-character lines each starting one character further round, each followed
 * by CR LF. On TCP the lines go on until the client closes; on UDP each
 * datagram is answered with the next line (BSD inetd's chargen_dg; the RFC
 * allows any 0 to 512 characters).
 */
final class Chargen {

    static final int LINE = 72;
    private static final int RING = 95;
    /** One whole turn of the pattern, 95 lines of 74 bytes: sent again and again, never rebuilt. */
    private static final ByteBuffer TURN;
    private static final AtomicInteger NEXT_DATAGRAM_LINE = new AtomicInteger();

    static {
        byte[] b = new byte[RING * (LINE + 2)];
        int i = 0;
        for (int line = 0; line < RING; line++) {
            for (int k = 0; k < LINE; k++) {
                b[i++] = (byte) (' ' + (line + k) % RING);
            }
            b[i++] = '\r';
            b[i++] = '\n';
        }
        TURN = ByteBuffer.wrap(b).asReadOnlyBuffer();
    }

    private Chargen() {
    }

    /** Line {@code n} of the pattern (CR LF included), as a read-only view. */
    static ByteBuffer line(int n) {
        int at = Math.floorMod(n, RING) * (LINE + 2);
        return TURN.slice(at, LINE + 2);
    }

    static void nextLine(ByteBuffer out) {
        out.put(line(NEXT_DATAGRAM_LINE.getAndIncrement()));
    }

    static void serve(TcpSocket s, Counters c) throws IOException {
        ByteBuffer turn = TURN.duplicate();
        while (true) {
            turn.rewind();
            while (turn.hasRemaining()) {
                c.bytesOut.add(s.write(turn)); // ends with an exception once the client has gone
            }
        }
    }
}
