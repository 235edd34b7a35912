package io.pktstack.board.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.board.internal.BoardPlan.BundleId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

/** Where a feature's bundle comes from, and which versions count as the one it names. */
class BundleLocatorTest {

    @TempDir
    Path dir;

    @Test
    void snapshotMatchesAnyBuildOfThatRelease() {
        assertTrue(BundleLocator.matches("0.1.0-SNAPSHOT", Version.parseVersion("0.1.0.202611251047")));
        assertTrue(BundleLocator.matches("0.1.0-SNAPSHOT", Version.parseVersion("0.1.0")));
        assertFalse(BundleLocator.matches("0.1.0-SNAPSHOT", Version.parseVersion("0.1.1.202611251047")));
        assertTrue(BundleLocator.matches("1.2.3", Version.parseVersion("1.2.3")));
        assertFalse(BundleLocator.matches("1.2.3", Version.parseVersion("1.2.3.q")));
        assertTrue(BundleLocator.matches("1.2.3-q", Version.parseVersion("1.2.3.q")));
        assertFalse(BundleLocator.matches("not-a-version", Version.parseVersion("1.0.0")));
    }

    @Test
    void theDriverRepositoryIsSearchedByManifestThenMaven() throws IOException {
        Path repo = Files.createDirectories(dir.resolve("drivers"));
        Path maven = Files.createDirectories(dir.resolve("m2"));
        Path jar = bundle(repo.resolve("anything.jar"), "io.pktstack.driver.e1000", "0.1.0.20261125");
        Path inMaven = maven.resolve("io/pktstack/io.pktstack.driver.x/0.1.0-SNAPSHOT/io.pktstack.driver.x-0.1.0-SNAPSHOT.jar");
        Files.createDirectories(inMaven.getParent());
        bundle(inMaven, "io.pktstack.driver.x", "0.1.0.1");
        BundleLocator l = new BundleLocator(List.of(), repo, maven);

        assertEquals(jar, l.find(new BundleId("io.pktstack", "io.pktstack.driver.e1000", "0.1.0-SNAPSHOT")).file());
        assertEquals(inMaven, l.find(new BundleId("io.pktstack", "io.pktstack.driver.x", "0.1.0-SNAPSHOT")).file());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> l.find(new BundleId("io.pktstack", "io.pktstack.driver.e1000", "0.2.0-SNAPSHOT")));
        assertTrue(e.getMessage().contains("'io.pktstack:io.pktstack.driver.e1000:0.2.0-SNAPSHOT' not found"),
                e.getMessage());
        assertTrue(e.getMessage().contains(repo.toString()) && e.getMessage().contains(maven.toString()), e.getMessage());
    }

    private static Path bundle(Path at, String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
        m.getMainAttributes().putValue("Bundle-Version", version);
        try (OutputStream out = Files.newOutputStream(at); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return at;
    }
}
