package io.pktstack.launcher.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The control socket's wire format. Request: the command line in UTF-8, then
 * the client shuts down its output. Response: a 4-byte exit status, a 4-byte
 * length and that many bytes of standard output, then standard error up to the
 * end of the stream. Requests are capped so a stray client cannot fill memory.
 */
public final class CtlProtocol {

    static final int MAX_REQUEST = 64 * 1024;

    private CtlProtocol() {
    }

    public static String readRequest(SocketChannel ch) throws IOException {
        byte[] all = readAll(ch, MAX_REQUEST);
        return new String(all, StandardCharsets.UTF_8).strip();
    }

    public static ByteBuffer[] response(int status, String out, String err) {
        byte[] o = out.getBytes(StandardCharsets.UTF_8);
        byte[] e = err.getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(8).putInt(status).putInt(o.length).flip();
        return new ByteBuffer[] {head, ByteBuffer.wrap(o), ByteBuffer.wrap(e)};
    }

    static byte[] readAll(SocketChannel ch, int max) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf) >= 0) {
            buf.flip();
            bos.write(buf.array(), 0, buf.limit());
            buf.clear();
            if (bos.size() > max) {
                throw new IOException("request larger than " + max + " bytes");
            }
        }
        return bos.toByteArray();
    }
}
