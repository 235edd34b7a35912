package io.pktstack.itest;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.ops4j.pax.exam.MavenUtils;
import org.ops4j.pax.exam.Option;

/**
 * The framework every in-framework test runs in: the runtime bundles of
 * {@code bndrun/pktstack.bndrun} without the launcher (it needs the bnd
 * launcher's arguments service), jline and gogo.jline (no terminal here), plus
 * Pax Exam's JUnit bundles.
 *
 * <p>Runs in the failsafe JVM, where Pax Exam calls the tests'
 * {@code @Configuration} methods; the tests themselves run inside the framework
 * and read {@link #ROOT} and {@link #NAME} back from their bundle context.
 */
public final class ItestOptions {

    /** Framework property: folder device paths are mapped under (as the launcher sets it). */
    public static final String ROOT = "pktstack.root";
    /** Framework property: this stack's system name; a guest's virtio-net binds {@code /dev/qvm/NAME/p2p}. */
    public static final String NAME = "pktstack.name";
    public static final String SYSTEM_NAME = "itest";

    private static final String MVN = "org.ops4j.pax.url.mvn.";

    private ItestOptions() {
    }

    /**
     * The pktstack runtime with a fresh device root. bin/pktstack passes
     * {@code pktstack.root} and {@code pktstack.name} as {@code -D} system
     * properties; here they are framework properties, because every test class
     * shares the failsafe JVM. The core reads them through
     * {@code BundleContext.getProperty}, which sees either.
     */
    public static Option[] pktstackRuntime() {
        return pktstackRuntime(true);
    }

    /**
     * The runtime, with or without the vdevpeer-net driver bundle (without it,
     * a test can install it as a user would).
     */
    public static Option[] pktstackRuntime(boolean withVdevpeer) {
        return options(
                localArtifactsOnly(),
                frameworkProperty(ROOT).value(freshRoot().toString()),
                frameworkProperty(NAME).value(SYSTEM_NAME),
                // Same order as the bndrun's -runbundles.
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.command").versionAsInProject(),
                // The shell's iperf3 reads and writes JSON (and the board profiles' reader needs it too).
                mavenBundle("org.glassfish", "jakarta.json").versionAsInProject(),
                mavenBundle("io.pktstack", "io.pktstack.api").versionAsInProject(),
                mavenBundle("io.pktstack", "io.pktstack.core").versionAsInProject(),
                mavenBundle("io.pktstack", "io.pktstack.shell").versionAsInProject(),
                mavenBundle("io.pktstack", "io.pktstack.hostio").versionAsInProject(), // vhost-user's sockets and memory
                mavenBundle("io.pktstack", "io.pktstack.vdev").versionAsInProject(),
                withVdevpeer ? mavenBundle("io.pktstack", "io.pktstack.driver.vdevpeer").versionAsInProject() : composite(),
                mavenBundle("io.pktstack", "io.pktstack.driver.virtio").versionAsInProject(),
                junitBundles());
    }

    /**
     * The runtime bin/pktstack starts: the guest-link drivers plus the board
     * profiles (feature reader and its JSON stack; the Linux-link drivers come
     * from the driver repository on demand).
     */
    public static Option[] boardRuntime() {
        return options(
                composite(pktstackRuntime(true)),
                mavenBundle("org.osgi", "org.osgi.util.converter").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.cm.json").versionAsInProject(),
                mavenBundle("org.osgi", "org.osgi.service.feature").versionAsInProject(),
                mavenBundle("org.apache.felix", "org.apache.felix.feature").versionAsInProject(),
                mavenBundle("io.pktstack", "io.pktstack.board").versionAsInProject());
    }

    /** The jar this build made for one of its bundles (the reactor copy, else the local repository). */
    public static Path builtBundle(String artifactId) {
        String version = MavenUtils.getArtifactVersion("io.pktstack", artifactId);
        for (String repo : List.of(System.getProperty("pktstack.itest.reactorRepository", "target/reactor-repo"),
                System.getProperty("pktstack.itest.localRepository",
                        Path.of(System.getProperty("user.home"), ".m2", "repository").toString()))) {
            Path jar = Path.of(repo, "io", "pktstack", artifactId, version, artifactId + "-" + version + ".jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("no built jar of " + artifactId + " " + version);
    }

    /**
     * pax-url resolves {@code mvn:} URLs from the bundles this build made
     * (the reactor copy, first) and the local repository, and never downloads:
     * the pom has Maven fetch everything beforehand, so a missing artifact is a
     * build mistake and must fail at once rather than hang on a remote lookup.
     */
    private static Option localArtifactsOnly() {
        String local = System.getProperty("pktstack.itest.localRepository",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        String reactor = System.getProperty("pktstack.itest.reactorRepository",
                Path.of("target", "reactor-repo").toAbsolutePath().toString());
        return composite(
                systemProperty(MVN + "localRepository").value(local),
                systemProperty(MVN + "defaultRepositories").value(
                        "file:" + reactor + "@id=reactor@snapshots,file:" + local + "@id=local@snapshots"),
                systemProperty(MVN + "repositories").value(""),
                systemProperty(MVN + "useFallbackRepositories").value("false"),
                systemProperty(MVN + "offline").value("true"));
    }

    /**
     * A new, empty device root each time a test class is configured, deleted
     * when the failsafe JVM exits. Under the system temp folder, not
     * target/, because a Unix socket path must fit in 108 bytes and the
     * checkout may lie deep.
     */
    private static Path freshRoot() {
        try {
            Path root = Files.createTempDirectory("pktstack-itest-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}
