package io.pktstack.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Gogo console on a terminal is a real one: jline found its terminal
 * providers, so line editing works.
 */
class ConsoleIT {

    /** What the console prints while it edits a line on a real terminal: bracketed paste on. */
    static final String LINE_EDITING = "\u001b[?2004h";

    @Test
    void onATerminalTheConsoleEditsLines() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) (util-linux) is not installed");
        Path root = Files.createTempDirectory("pktstack-e2e-console");
        // script(1) runs the instance on a pseudo-terminal, given a size as a terminal window has one.
        Process p = new ProcessBuilder("/usr/bin/script", "-qfec",
                "stty cols 120 rows 40; exec '" + StackProcess.LAUNCHER + "' --root '" + root + "' --name console",
                "/dev/null").redirectErrorStream(true).start();
        StringBuffer out = new StringBuffer();
        Thread reader = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        try {
            OutputStream in = p.getOutputStream();
            await(out, "pktstack console: ready", p);
            await(out, "pktstack> ", p);
            in.write("netstat -i\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            await(out, "Ipkts", p);
            in.write("stop 0\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the instance did not stop:\n" + out);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the instance, if the test failed before it stopped
            p.destroyForcibly();
            reader.join(Duration.ofSeconds(5));
        }
        String text = out.toString();
        assertFalse(text.contains("dumb terminal"), text);
        assertTrue(text.contains(LINE_EDITING), "no line editing on the terminal:\n" + text);
    }

    private static void await(StringBuffer out, String text, Process p) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!out.toString().contains(text)) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                throw new AssertionError("no '" + text + "' from the console:\n" + out);
            }
            StackProcess.sleep(50);
        }
    }

    private static void copy(InputStream from, StringBuffer to) {
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = from.read(buf)) > 0; ) {
                to.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
