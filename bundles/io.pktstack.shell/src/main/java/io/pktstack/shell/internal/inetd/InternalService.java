package io.pktstack.shell.internal.inetd;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * One of the services BSD's inetd runs itself ("internal", inetd.conf), on a
 * TCP connection or per UDP datagram.
 */
public enum InternalService {

    /** RFC 862: what arrives is sent back. */
    ECHO(7, "RFC 862") {
        @Override
        Stream stream() {
            return Echo::serve;
        }

        @Override
        boolean answer(ByteBuffer in, ByteBuffer out) {
            out.put(in);
            return true;
        }
    },
    /** RFC 863: what arrives is dropped. */
    DISCARD(9, "RFC 863") {
        @Override
        Stream stream() {
            return Discard::serve;
        }

        @Override
        boolean answer(ByteBuffer in, ByteBuffer out) {
            return false;
        }
    },
    /** RFC 867: the date and time as text, then the connection closes. */
    DAYTIME(13, "RFC 867") {
        @Override
        Stream stream() {
            return Daytime::serve;
        }

        @Override
        boolean answer(ByteBuffer in, ByteBuffer out) {
            out.put(Daytime.now());
            return true;
        }
    },
    /** RFC 864: characters for as long as the client reads; one line per datagram. */
    CHARGEN(19, "RFC 864") {
        @Override
        Stream stream() {
            return Chargen::serve;
        }

        @Override
        boolean answer(ByteBuffer in, ByteBuffer out) {
            Chargen.nextLine(out);
            return true;
        }
    };

    /** Serves one TCP connection to its end; counts bytes in {@code counters}. */
    @FunctionalInterface
    interface Stream {
        void serve(TcpSocket socket, Counters counters) throws IOException;
    }

    final int port;
    final String rfc;

    InternalService(int port, String rfc) {
        this.port = port;
        this.rfc = rfc;
    }

    /** The name as inetd.conf and services(5) write it. */
    public String serviceName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public int port() {
        return port;
    }

    public String rfc() {
        return rfc;
    }

    abstract Stream stream();

    /**
     * The answer to one datagram: writes it to {@code out} and returns true,
     * or returns false when the service answers none (discard).
     */
    abstract boolean answer(ByteBuffer in, ByteBuffer out);

    /** The service named {@code name}, or null. */
    public static InternalService named(String name) {
        for (InternalService s : values()) {
            if (s.serviceName().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
