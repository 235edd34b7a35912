package io.pktstack.shell.internal;

import io.pktstack.api.shell.CommandLines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs a command line in a fresh Gogo session and captures what it printed
 * and returned. It requires {@link NetCommands} and {@link RouterCommands}, so
 * it is registered only once the operator's commands are: a startup script
 * cannot race them.
 */
@Component
public final class GogoCommandLines implements CommandLines {

    private final CommandProcessor processor;

    @Activate
    public GogoCommandLines(@Reference CommandProcessor processor, @Reference NetCommands commands,
            @Reference RouterCommands routerCommands) {
        this.processor = processor;
    }

    @Override
    public Outcome run(String line) {
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
            perr.println(e.getMessage() != null ? e.getMessage() : e.toString());
            status = 1;
        }
        pout.flush();
        perr.flush();
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
