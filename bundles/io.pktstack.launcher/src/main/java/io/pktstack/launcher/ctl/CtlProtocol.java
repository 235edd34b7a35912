package io.pktstack.launcher.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The control socket's wire format.
 *
 * <p>Request, then the client shuts down its output: one kind byte, then
 * <ul>
 * <li>{@code 'V'}: an argument vector, each argument in UTF-8 followed by a NUL
 * (what a Unix command line can hold: no argument contains a NUL). The
 * instance runs it exactly as given: no quoting, variables or {@code ;}.
 * <li>{@code 'L'}: one command line in UTF-8, which the shell parses (tests and
 * the benchmark write whole lines).
 * </ul>
 * Requests are capped at {@value #MAX_REQUEST} bytes.
 *
 * <p>Answer: {@code 'A'} as soon as the request is read, then a {@code '.'}
 * every {@link #HEARTBEAT_MILLIS} ms while the command runs (the client knows
 * the instance lives, the instance learns from a failed write that the client
 * left and stops the command), then {@code 'R'}, a 4-byte exit status, a 4-byte
 * length and that many bytes of standard output, and standard error up to the
 * end of the stream. An instance that cannot take the request answers
 * {@code 'R'} at once, with status {@link #STATUS_REFUSED} and the reason.
 */
public final class CtlProtocol {

    static final int MAX_REQUEST = 64 * 1024;
    static final byte ARGV = 'V';
    static final byte LINE = 'L';
    static final byte ACCEPTED = 'A';
    static final byte HEARTBEAT = '.';
    static final byte RESPONSE = 'R';
    /** Sent while a command runs: the client gives up after several missed ones. */
    public static final int HEARTBEAT_MILLIS = 1000;
    /** Exit status of a request the instance did not run (malformed, too large, too many at once). */
    public static final int STATUS_REFUSED = 2;

    private CtlProtocol() {
    }

    /** A request as the instance reads it. */
    public sealed interface Request {
        /** What to show in messages about it. */
        String describe();
    }

    /** Arguments to run exactly as given; the first is the command. */
    public record Argv(List<String> args) implements Request {
        public Argv {
            args = List.copyOf(args);
        }

        @Override
        public String describe() {
            return String.join(" ", args);
        }
    }

    /** A command line for the shell to parse. */
    public record Line(String text) implements Request {
        @Override
        public String describe() {
            return text;
        }
    }

    /** A request's bytes. */
    public static byte[] encode(Request request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (request) {
            case Argv(List<String> args) -> {
                out.write(ARGV);
                for (String a : args) {
                    if (a.indexOf('\0') >= 0) {
                        throw new IllegalArgumentException("argument '" + a.replace('\0', '?') + "' contains a NUL");
                    }
                    out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
                    out.write(0);
                }
            }
            case Line(String text) -> {
                out.write(LINE);
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (out.size() > MAX_REQUEST) {
            throw new IllegalArgumentException("request of " + out.size() + " bytes; at most " + MAX_REQUEST);
        }
        return out.toByteArray();
    }

    /**
     * Reads a request's bytes.
     *
     * @throws IllegalArgumentException saying what is wrong with them
     */
    public static Request decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalArgumentException("empty request");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 1, bytes.length - 1)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("request is not UTF-8");
        }
        return switch (bytes[0]) {
            case LINE -> new Line(text.strip());
            case ARGV -> {
                if (!text.isEmpty() && !text.endsWith("\0")) { // an empty vector is the kind byte alone
                    throw new IllegalArgumentException("argument vector does not end with a NUL");
                }
                List<String> args = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < text.length(); i++) {
                    if (text.charAt(i) == '\0') {
                        args.add(text.substring(start, i));
                        start = i + 1;
                    }
                }
                yield new Argv(args);
            }
            default -> throw new IllegalArgumentException("unknown request kind 0x" + Integer.toHexString(bytes[0] & 0xff));
        };
    }

    /**
     * Reads a request to the end of the client's stream.
     *
     * @throws TooLarge if it is larger than {@value #MAX_REQUEST} bytes
     * @throws IllegalArgumentException if it is malformed, saying how
     * @throws IOException if reading fails
     */
    public static Request readRequest(ReadableByteChannel ch) throws IOException {
        return decode(readAll(ch, MAX_REQUEST));
    }

    /** The mark that the request was read and runs. */
    public static ByteBuffer accepted() {
        return ByteBuffer.wrap(new byte[] {ACCEPTED});
    }

    /** A sign of life while the command runs. */
    public static ByteBuffer heartbeat() {
        return ByteBuffer.wrap(new byte[] {HEARTBEAT});
    }

    /** The final part of an answer: {@code 'R'}, status, output length, output, error text. */
    public static ByteBuffer response(int status, String out, String err) {
        byte[] o = out.getBytes(StandardCharsets.UTF_8);
        byte[] e = err.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(9 + o.length + e.length).put(RESPONSE).putInt(status).putInt(o.length).put(o).put(e)
                .flip();
    }

    /**
     * Reads to the end of the stream, at most {@code max} bytes.
     *
     * @throws IOException if more arrive, or reading fails
     */
    static byte[] readAll(ReadableByteChannel ch, int max) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf) >= 0) {
            buf.flip();
            if (bos.size() + buf.remaining() > max) {
                throw new TooLarge(max);
            }
            bos.write(buf.array(), 0, buf.limit());
            buf.clear();
        }
        return bos.toByteArray();
    }

    /** A request beyond {@link #MAX_REQUEST}. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(int max) {
            super("request larger than " + max + " bytes");
        }
    }
}
