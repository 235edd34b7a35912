package io.pktstack.board.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/** Runs a profile's commands one at a time in a fresh Gogo session, as a board's startup script would. */
final class CommandLines {

    /** What one line did: its printed output and returned value, or its error. */
    record Outcome(boolean ok, String out, String err) {
    }

    private final CommandProcessor processor;

    CommandLines(CommandProcessor processor) {
        this.processor = processor;
    }

    Outcome run(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream pout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream perr = new PrintStream(err, true, StandardCharsets.UTF_8);
        boolean ok = true;
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), pout, perr)) {
            Object result = session.execute(line);
            if (result != null) {
                pout.println(session.format(result, Converter.INSPECT));
            }
        } catch (Exception e) {
            perr.println(e.getMessage() != null ? e.getMessage() : e.toString());
            ok = false;
        }
        return new Outcome(ok, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
