package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReportConverterTest {

    private final ReportConverter converter = new ReportConverter();

    @Test
    void rendersAReportWithoutItsLastNewline() {
        // Gogo adds the line end itself; a report's own would print an empty line.
        Report r = () -> "line 1\nline 2\n";
        assertEquals("line 1\nline 2", converter.format(r, 0, null).toString());
    }

    @Test
    void onlyOneNewlineIsTaken() {
        Report r = () -> "a\n\n";
        assertEquals("a\n", converter.format(r, 0, null).toString());
    }

    @Test
    void textWithoutNewlineIsKept() {
        Report r = () -> "no newline";
        assertEquals("no newline", converter.format(r, 0, null).toString());
        Report empty = () -> "";
        assertEquals("", converter.format(empty, 0, null).toString());
    }

    @Test
    void leavesEverythingElseToOtherConverters() throws Exception {
        assertNull(converter.format("a string\n", 0, null));
        assertNull(converter.format(42, 0, null));
        assertNull(converter.convert(Report.class, "text"));
    }
}
