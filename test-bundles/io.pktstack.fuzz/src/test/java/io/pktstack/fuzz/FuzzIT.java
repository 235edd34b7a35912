package io.pktstack.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What CI runs: every target fuzzed for a few seconds
 * ({@code -Dpktstack.fuzz.seconds}, default 5), seeded with its corpus and
 * writing new inputs to a scratch folder, not the repository. A finding
 * fails the build with the reproducer's path (written under reproducers/).
 */
class FuzzIT {

    @Test
    void noTargetFindsAFailureInAShortRun() throws Exception {
        long seconds = Long.getLong("pktstack.fuzz.seconds", 5);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        List<Fuzz.Result> results = new Fuzz(FuzzRegressionTest.HOME, out).run(Targets.ALL, seconds, 0, true);
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        for (Fuzz.Result r : results) {
            assertTrue(r.ok(), r.target().name() + ": " + r.failure() + "\n" + report);
            // The fuzzer must really have run: a target that fails to start runs nothing.
            assertTrue(r.runs() > 0, r.target().name() + " ran no input (see " + r.log() + ")\n" + report);
        }
    }
}
