package io.pktstack.shell.internal;

import io.pktstack.api.shell.CommandLines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
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

    private static final System.Logger LOG = System.getLogger(GogoCommandLines.class.getName());

    /** What {@link #run(List)} takes as a command name: a Gogo command, optionally scoped ({@code net:ping}). */
    private static final Pattern COMMAND = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?");
    /** Session variables carrying the arguments of {@link #run(List)}. */
    private static final String ARG = "_pktstack_arg";

    private final CommandProcessor processor;

    @Activate
    public GogoCommandLines(@Reference CommandProcessor processor, @Reference NetCommands commands,
            @Reference RouterCommands routerCommands) {
        this.processor = processor;
    }

    @Override
    public Outcome run(String line) {
        return execute(line, null);
    }

    /**
     * Runs an argument vector exactly: each argument goes into a session
     * variable and the line names only those variables. Gogo hands a
     * variable's value to the command as one object, unparsed (no quotes,
     * {@code ;}, {@code $} or braces are interpreted), so what reaches the
     * command is what the caller gave.
     */
    @Override
    public Outcome run(List<String> argv) {
        if (argv.isEmpty()) {
            return new Outcome(1, "", "no command given\n");
        }
        String command = argv.get(0);
        if (!COMMAND.matcher(command).matches()) {
            return new Outcome(1, "", "'" + command + "' is not a command name (help lists the commands)\n");
        }
        StringBuilder line = new StringBuilder(command);
        for (int i = 1; i < argv.size(); i++) {
            line.append(" $").append(ARG).append(i);
        }
        return execute(line.toString(), argv);
    }

    /**
     * What the operator is told of a failed command: the message of one that
     * says why (a refused argument); for one that does not (a defect, such as a
     * NullPointerException in a command), the exception and where it was
     * thrown, and its whole trace goes to the instance's log.
     */
    static String describe(Exception e) {
        if (e.getMessage() != null) {
            return e.getMessage();
        }
        LOG.log(System.Logger.Level.WARNING, "command failed", e);
        for (StackTraceElement at : e.getStackTrace()) {
            String c = at.getClassName();
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) { // the command, not the JDK
                return e + " in " + at + " (its trace is in the log)";
            }
        }
        return e + " (its trace is in the log)";
    }

    private Outcome execute(String line, List<String> argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream pout = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream perr = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = 0;
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), pout, perr)) {
            if (argv != null) {
                for (int i = 1; i < argv.size(); i++) {
                    session.put(ARG + i, argv.get(i));
                }
            }
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                if (text != null && !text.isEmpty()) {
                    pout.println(text);
                }
            }
        } catch (Exception e) {
            perr.println(describe(e));
            status = 1;
        }
        pout.flush();
        perr.flush();
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
