package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.shell.CommandLines;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Commands run by argument vector get their arguments exactly as given (ctl relies on it). */
class GogoCommandLinesTest {

    /** A command that shows what it received, one argument per bracket. */
    public static final class Echo {
        public String show(String... args) {
            StringBuilder sb = new StringBuilder();
            for (String a : args) {
                sb.append('[').append(a).append(']');
            }
            return sb.toString();
        }

        /** A defective command: a NullPointerException without a message, as Gogo's own refresh throws. */
        public String broken() {
            return java.util.Arrays.asList((Object[]) null).toString();
        }
    }

    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final GogoCommandLines lines;

    GogoCommandLinesTest() {
        threadIo.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIo);
        processor.addCommand("net", new Echo(), "show");
        processor.addCommand("net", new Echo(), "broken");
        lines = new GogoCommandLines(processor, null, null);
    }

    @AfterEach
    void stop() {
        threadIo.stop();
    }

    @Test
    void argumentsReachTheCommandExactlyAsGiven() {
        List<String> tricky = List.of("x;y", "$HOME", "'q'", "a b", "\"dq\"", "{x}", "", "a\\b", "${x}", "$(echo hi)",
                "l1\nl2", "| grep", "> /tmp/x", "#c", "\\\\", "-c", "010", "echo; stop 0");
        List<String> argv = new ArrayList<>(List.of("show"));
        argv.addAll(tricky);
        CommandLines.Outcome o = lines.run(argv);
        assertEquals(0, o.status(), o.err());
        StringBuilder expected = new StringBuilder();
        for (String a : tricky) {
            expected.append('[').append(a).append(']');
        }
        assertEquals(expected + "\n", o.out());
    }

    @Test
    void aLineIsParsedByTheShell() {
        CommandLines.Outcome o = lines.run("show 'a b' c");
        assertEquals("[a b][c]\n", o.out());
    }

    @Test
    void aCommandNameMustBeOne() {
        for (String bad : List.of("show;show", "$x", "'show'", "", "{show}", "show x")) {
            CommandLines.Outcome o = lines.run(List.of(bad, "a"));
            assertEquals(1, o.status(), bad);
            assertTrue(o.err().contains("'" + bad + "' is not a command name"), o.err());
        }
        CommandLines.Outcome none = lines.run(List.of());
        assertEquals(1, none.status());
        assertTrue(none.err().contains("no command given"), none.err());
        assertEquals("[a]\n", lines.run(List.of("net:show", "a")).out());
    }

    @Test
    void aDefectSaysWhereItHappenedNotJustItsClass() {
        CommandLines.Outcome o = lines.run(List.of("broken"));
        assertEquals(1, o.status());
        assertTrue(o.err().startsWith("java.lang.NullPointerException in " + Echo.class.getName() + ".broken("), o.err());
    }
}
