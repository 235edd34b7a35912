package io.pktstack.shell.internal.inetd;

import io.pktstack.api.tcp.TcpSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * RFC 867: "the current date and time is sent out the connection as a ASCII
 * character string (and any data received is thrown away). The service
 * closes the connection after sending the quote." The string is BSD inetd's
 * (daytime_stream: ctime(3) in local time, then CR LF); the RFC leaves the
 * syntax free.
 */
final class Daytime {

    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
            Locale.ENGLISH);

    private Daytime() {
    }

    /** "Tue Dec  1 15:30:00 2026\r\n" */
    static ByteBuffer now() {
        return format(ZonedDateTime.now());
    }

    static ByteBuffer format(ZonedDateTime t) {
        return ByteBuffer.wrap((CTIME.format(t) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    static void serve(TcpSocket s, Counters c) throws IOException {
        ByteBuffer text = now();
        while (text.hasRemaining()) {
            c.bytesOut.add(s.write(text));
        }
        s.shutdownOutput();
        // Drain what the client may have sent, so that closing does not reset the connection before the date.
        s.setReadTimeout(java.time.Duration.ofSeconds(5));
        ByteBuffer sink = ByteBuffer.allocate(512);
        int n;
        while ((n = s.read(sink.clear())) >= 0) {
            c.bytesIn.add(n);
        }
    }
}
