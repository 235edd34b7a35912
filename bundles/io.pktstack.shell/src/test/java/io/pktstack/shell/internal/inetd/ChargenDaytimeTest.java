package io.pktstack.shell.internal.inetd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class ChargenDaytimeTest {

    static String text(ByteBuffer b) {
        return StandardCharsets.US_ASCII.decode(b.duplicate()).toString();
    }

    /** RFC 864's sample: the first lines of the pattern, each starting one printing character further. */
    @Test
    void chargenLinesAreRfc864sRing() {
        assertEquals(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n",
                text(Chargen.line(0)));
        assertEquals("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n",
                text(Chargen.line(1)));
        // line 94 starts with the last printing character, '~', and wraps to the space
        assertEquals("~ !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdef\r\n",
                text(Chargen.line(94)));
        assertEquals(text(Chargen.line(0)), text(Chargen.line(95)));
        assertEquals(74, Chargen.line(7).remaining());
    }

    @Test
    void daytimeIsCtimeWithCrLf() {
        assertEquals("Tue Dec  1 15:30:07 2026\r\n",
                text(Daytime.format(ZonedDateTime.of(2026, 12, 1, 15, 30, 7, 0, ZoneOffset.UTC))));
        assertEquals("Sat Dec 12 09:05:00 2026\r\n",
                text(Daytime.format(ZonedDateTime.of(2026, 12, 12, 9, 5, 0, 0, ZoneOffset.UTC))));
    }

    @Test
    void datagramAnswers() {
        ByteBuffer in = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer out = ByteBuffer.allocate(600);
        assertTrue(InternalService.ECHO.answer(in, out));
        assertEquals("hello", text(out.flip()));
        assertFalse(InternalService.DISCARD.answer(in.rewind(), out.clear()));
        assertTrue(InternalService.CHARGEN.answer(in.rewind(), out.clear()));
        assertEquals(74, out.flip().remaining());
        assertTrue(InternalService.DAYTIME.answer(in.rewind(), out.clear()));
        assertTrue(text(out.flip()).matches("[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n"),
                text(out));
        assertEquals(InternalService.CHARGEN, InternalService.named("chargen"));
        assertEquals(null, InternalService.named("time"));
    }
}
