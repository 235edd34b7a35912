package io.pktstack.launcher.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/** Runs one shell command line in a fresh Gogo session and captures what it printed and returned. */
final class CommandRunner {

    /** The outcome: exit status 0 for success, 1 when the command failed. */
    record Outcome(int status, String out, String err) {
    }

    private final CommandProcessor processor;

    CommandRunner(CommandProcessor processor) {
        this.processor = processor;
    }

    Outcome run(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream pout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream perr = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = 0;
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), pout, perr)) {
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                if (text != null && !text.isEmpty()) {
                    pout.println(text);
                }
            }
        } catch (Exception e) {
            String msg = e.getMessage() != null ? e.getMessage() : e.toString();
            perr.println(msg);
            status = 1;
        }
        pout.flush();
        perr.flush();
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
