package io.pktstack.shell.internal.iperf3;

import io.pktstack.api.tcp.TcpSocket;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * iperf3's control connection framing (iperf_api.c): a state is one signed
 * byte (iperf_set_send_state), a JSON message is a 32-bit big-endian length
 * and that many bytes of JSON text (JSON_write, JSON_read), a test starts with
 * the client's 37-byte cookie (iperf_connect), and SERVER_ERROR is followed by
 * two 32-bit numbers (iperf_exchange_parameters).
 */
final class ControlChannel {

    /** The blocking byte stream the framing runs on: a {@link TcpSocket}, or bytes in memory in tests. */
    interface Link {
        int read(ByteBuffer dst) throws IOException;

        int write(ByteBuffer src) throws IOException;
    }

    /** Longest JSON message taken; iperf3 sets none, but a length from a confused peer must not allocate gigabytes. */
    static final int MAX_JSON = 16 * 1024 * 1024;

    private final Link link;
    private final ByteBuffer small = ByteBuffer.allocate(8);

    ControlChannel(Link link) {
        this.link = link;
    }

    static ControlChannel over(TcpSocket socket) {
        return new ControlChannel(new Link() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                return socket.read(dst);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return socket.write(src);
            }
        });
    }

    void sendState(ControlState s) throws IOException {
        small.clear().put(s.code).flip();
        writeFully(small);
    }

    /** The next state; end of stream is iperf3's IECTRLCLOSE. */
    ControlState readState() throws IOException {
        small.clear().limit(1);
        readFully(small, "the control connection closed");
        return ControlState.of(small.get(0));
    }

    void sendCookie(byte[] cookie) throws IOException {
        writeFully(ByteBuffer.wrap(cookie));
    }

    byte[] readCookie() throws IOException {
        byte[] c = new byte[Iperf3Protocol.COOKIE_SIZE];
        readFully(ByteBuffer.wrap(c), "the connection closed before its cookie");
        return c;
    }

    void sendJson(JsonObject message) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter w = Json.createWriter(text)) {
            w.writeObject(message); // compact, as cJSON_PrintUnformatted
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        small.clear().putInt(body.length).flip();
        writeFully(small);
        writeFully(ByteBuffer.wrap(body));
    }

    JsonObject readJson() throws IOException {
        small.clear().limit(4);
        readFully(small, "the control connection closed before a message");
        int length = small.getInt(0);
        if (length < 0 || length > MAX_JSON) {
            throw new ProtocolException("control message of " + Integer.toUnsignedString(length)
                    + " bytes refused (at most " + MAX_JSON + ")");
        }
        byte[] body = new byte[length];
        readFully(ByteBuffer.wrap(body), "the control connection closed within a message");
        try (JsonReader r = Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
            return r.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new ProtocolException("control message is not a JSON object: " + e.getMessage());
        }
    }

    /** SERVER_ERROR, iperf3's error number and the system's (0: none). */
    void sendServerError(int iErrno, int errno) throws IOException {
        small.clear().put(ControlState.SERVER_ERROR.code).flip();
        writeFully(small);
        small.clear().putInt(iErrno).putInt(errno).flip();
        writeFully(small);
    }

    /** The two numbers after SERVER_ERROR: i_errno and errno. */
    int[] readServerError() throws IOException {
        small.clear();
        readFully(small, "the control connection closed within an error");
        return new int[] {small.getInt(0), small.getInt(4)};
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            link.write(b);
        }
    }

    private void readFully(ByteBuffer b, String eof) throws IOException {
        while (b.hasRemaining()) {
            if (link.read(b) < 0) {
                throw new EOFException(eof);
            }
        }
    }
}
