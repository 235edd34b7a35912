package io.pktstack.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every target's corpus and every reproducer ever found, replayed in the
 * build's own JVM without the fuzzer: a fixed finding stays fixed, and the
 * inputs that reach deep code keep being run. Plus, per target, the empty
 * input and a few thousand seeded random ones, so a target without a corpus
 * yet is still run.
 */
class FuzzRegressionTest {

    static final Path HOME = Path.of(System.getProperty("pktstack.fuzz.home", "."));

    @TestFactory
    List<DynamicTest> everyCorpusInputAndReproducerPasses() {
        List<DynamicTest> tests = new ArrayList<>();
        for (FuzzTarget t : Targets.ALL) {
            tests.add(DynamicTest.dynamicTest(t.name(), () -> replay(t)));
        }
        return tests;
    }

    static MethodHandle entry(FuzzTarget t) throws ReflectiveOperationException {
        Class<?> c = Class.forName(t.className());
        try {
            MethodHandles.lookup().findStatic(c, "fuzzerInitialize", MethodType.methodType(void.class)).invoke();
        } catch (NoSuchMethodException e) {
            // no one-time set-up
        } catch (Throwable e) {
            throw new AssertionError(t.name() + ": fuzzerInitialize failed", e);
        }
        return MethodHandles.lookup().findStatic(c, "fuzzerTestOneInput", MethodType.methodType(void.class, byte[].class));
    }

    private static void replay(FuzzTarget t) throws Throwable {
        MethodHandle run = entry(t);
        int n = 0;
        for (String dir : List.of("corpus", "reproducers")) {
            for (Path f : files(HOME.resolve(dir).resolve(t.name()))) {
                byte[] input;
                try {
                    input = Files.readAllBytes(f);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // A fuzz run going on beside the build (bin/pktstack fuzz) replaces inputs it added with smaller
                    // ones that reach the same code and deletes them: gone between listing and reading, nothing to
                    // replay.
                    continue;
                }
                runOne(t, run, input, f.toString());
                n++;
            }
        }
        Random rnd = new Random(t.name().hashCode());
        runOne(t, run, new byte[0], "the empty input");
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            runOne(t, run, b, "random input " + i);
        }
        assertTrue(n > 0, t.name() + ": no corpus input or reproducer replayed (corpus/" + t.name() + " missing?)");
    }

    private static void runOne(FuzzTarget t, MethodHandle run, byte[] input, String what) {
        try {
            run.invoke(input);
        } catch (Throwable e) {
            fail(t.name() + " fails on " + what + " (" + HexFormat.of().formatHex(input, 0, Math.min(64, input.length))
                    + (input.length > 64 ? "..." : "") + ")", e);
        }
    }

    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }
}
