package io.pktstack.fuzz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bin/pktstack fuzz [--list] [--seconds N] [--runs N] [--scratch] [TARGET...]}:
 * fuzzes each target (all without names) in a Jazzer process of its own, one
 * after the other, for N seconds or N runs each. New inputs that reach new
 * code go to the target's corpus in the repository ({@code corpus/NAME}; with
 * {@code --scratch} to a temporary folder, the repository's corpus only
 * seeding the run, as CI does); a failing input is written to
 * {@code reproducers/NAME}, its path printed, and the command exits 1 once
 * every target ran. Progress and Jazzer's own output go to
 * {@code target/fuzz-logs/NAME.log}.
 */
public final class Fuzz {

    private static final Pattern EXECUTED = Pattern.compile("stat::number_of_executed_units: (\\d+)");
    private static final Pattern WRITTEN = Pattern.compile("Test unit written to (\\S+)");
    private static final Pattern EXCEPTION = Pattern.compile("== Java Exception: (.*)");

    /** What one target's run did. */
    public record Result(FuzzTarget target, int exitCode, long runs, long seconds, int corpusBefore, int corpusAfter,
            Path reproducer, String failure, Path log) {
        public boolean ok() {
            return exitCode == 0 && reproducer == null;
        }
    }

    private final Path home;
    private final PrintStream out;

    public Fuzz(Path home, PrintStream out) {
        this.home = home;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        long seconds = 0;
        long runs = 0;
        boolean scratch = false;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--list" -> {
                    for (FuzzTarget t : Targets.ALL) {
                        System.out.printf("%-18s %s%n", t.name(), t.what());
                    }
                    return;
                }
                case "--seconds" -> seconds = number(args, ++i, "--seconds");
                case "--runs" -> runs = number(args, ++i, "--runs");
                case "--scratch" -> scratch = true;
                case "-h", "--help" -> {
                    System.out.println("usage: pktstack fuzz [--list] [--seconds N] [--runs N] [--scratch] [TARGET...]");
                    return;
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        usage("unknown option '" + args[i] + "'");
                    }
                    names.add(args[i]);
                }
            }
        }
        if (seconds == 0 && runs == 0) {
            seconds = 60;
        }
        List<FuzzTarget> targets = new ArrayList<>();
        for (String n : names) {
            targets.add(Targets.ALL.stream().filter(t -> t.name().equals(n)).findFirst()
                    .orElseGet(() -> usage("unknown target '" + n + "' (bin/pktstack fuzz --list names them)")));
        }
        if (targets.isEmpty()) {
            targets = Targets.ALL;
        }
        Path home = Path.of(System.getProperty("pktstack.fuzz.home", "test-bundles/io.pktstack.fuzz"));
        Fuzz f = new Fuzz(home, System.out);
        List<Result> results = f.run(targets, seconds, runs, scratch);
        System.exit(results.stream().allMatch(Result::ok) ? 0 : 1);
    }

    private static long number(String[] args, int i, String option) {
        try {
            long v = Long.parseLong(i < args.length ? args[i] : "");
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            return usage("option '" + option + "' needs a whole number above 0"
                    + (i < args.length ? " (got '" + args[i] + "')" : ""));
        }
    }

    private static <T> T usage(String message) {
        System.err.println("pktstack fuzz: " + message);
        System.err.println("usage: pktstack fuzz [--list] [--seconds N] [--runs N] [--scratch] [TARGET...]");
        System.exit(2);
        return null;
    }

    /** Fuzzes the targets one after the other; prints a line per target and one for the findings. */
    public List<Result> run(List<FuzzTarget> targets, long seconds, long runs, boolean scratch) throws IOException,
            InterruptedException {
        List<Result> results = new ArrayList<>();
        for (FuzzTarget t : targets) {
            Result r = run(t, seconds, runs, scratch);
            results.add(r);
            out.printf("fuzz: %-18s %6d s %,14d runs  corpus %d -> %d  %s%n", t.name(), r.seconds(), r.runs(),
                    r.corpusBefore(), r.corpusAfter(), r.ok() ? "ok" : "FAILED: " + r.failure());
            if (r.reproducer() != null) {
                out.println("fuzz: " + t.name() + ": reproducer " + r.reproducer().toAbsolutePath());
            }
            out.flush();
        }
        long failed = results.stream().filter(r -> !r.ok()).count();
        out.println("fuzz: " + (results.size() - failed) + " passed, " + failed + " failed"
                + (failed == 0 ? "" : " (reproducers above; they replay in FuzzRegressionTest once committed)"));
        return results;
    }

    Result run(FuzzTarget t, long seconds, long runs, boolean scratch) throws IOException, InterruptedException {
        Path corpus = Files.createDirectories(home.resolve("corpus").resolve(t.name()));
        Path reproducers = Files.createDirectories(home.resolve("reproducers").resolve(t.name()));
        Path logs = Files.createDirectories(home.resolve("target").resolve("fuzz-logs"));
        Path javaReproducers = Files.createTempDirectory("pktstack-fuzz-java");
        Path work = scratch ? Files.createTempDirectory("pktstack-fuzz-" + t.name()) : corpus;
        int before = count(corpus);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+EnableDynamicAgentLoading", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx1g", "-XX:+UseParallelGC",
                "-Dpktstack.fuzz.home=" + home.toAbsolutePath(),
                "-Djava.util.logging.config.file=" + home.resolve("logging.properties").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"),
                "com.code_intelligence.jazzer.Jazzer",
                "--target_class=" + t.className(),
                "--instrumentation_includes=io.pktstack.**",
                "--reproducer_path=" + javaReproducers,
                "-print_final_stats=1", "-timeout=30", "-rss_limit_mb=2560", "-len_control=50",
                "-artifact_prefix=" + reproducers.toAbsolutePath() + "/"));
        Path dict = home.resolve("dictionaries").resolve(t.name() + ".dict");
        if (Files.isRegularFile(dict)) {
            cmd.add("-dict=" + dict.toAbsolutePath());
        }
        if (seconds > 0) {
            cmd.add("-max_total_time=" + seconds);
        }
        if (runs > 0) {
            cmd.add("-runs=" + runs);
        }
        cmd.add(work.toAbsolutePath().toString());
        if (scratch) {
            cmd.add(corpus.toAbsolutePath().toString()); // seeds only: libFuzzer writes to the first folder
        }
        Path log = logs.resolve(t.name() + ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long executed = 0;
        Path reproducer = null;
        String failure = "";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var w = Files.newBufferedWriter(log)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
                Matcher m = EXECUTED.matcher(line);
                if (m.find()) {
                    executed = Long.parseLong(m.group(1));
                }
                m = WRITTEN.matcher(line);
                if (m.find()) {
                    reproducer = Path.of(m.group(1));
                }
                m = EXCEPTION.matcher(line);
                if (m.find() && failure.isEmpty()) {
                    failure = m.group(1);
                }
                if (failure.isEmpty() && (line.startsWith("==") && line.contains("ERROR: libFuzzer"))) {
                    failure = line;
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 && failure.isEmpty()) {
            failure = "Jazzer exited with status " + code + " (see " + log + ")";
        }
        if (scratch) {
            deleteTree(work);
        }
        deleteTree(javaReproducers);
        return new Result(t, code, executed, (System.nanoTime() - t0) / 1_000_000_000L, before, count(corpus),
                reproducer, failure, log);
    }

    static int count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(Files::isRegularFile).count();
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
