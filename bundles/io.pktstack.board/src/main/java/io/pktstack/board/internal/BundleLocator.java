package io.pktstack.board.internal;

import io.pktstack.board.internal.BoardPlan.BundleId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/**
 * Finds the bundle a feature names by Maven coordinates: first among the
 * installed bundles, then in the driver repository, then in the local Maven
 * repository. The artifact id is the bundle's symbolic name (as in every
 * pktstack bundle); a {@code -SNAPSHOT} version matches any build of that
 * release, whatever bnd put in the qualifier.
 */
final class BundleLocator {

    /** Where a bundle was found: installed already ({@code bundle}) or a jar to install ({@code file}). */
    record Found(BundleId id, Bundle bundle, Path file) {
    }

    private final List<Bundle> installed;
    private final Path driverRepository;
    private final Path mavenRepository;

    BundleLocator(List<Bundle> installed, Path driverRepository, Path mavenRepository) {
        this.installed = installed;
        this.driverRepository = driverRepository;
        this.mavenRepository = mavenRepository;
    }

    /**
     * @throws IllegalArgumentException naming the bundle and where it was looked for, or the
     *         installed version when another version of it is installed
     */
    Found find(BundleId id) {
        for (Bundle b : installed) {
            if (id.artifactId().equals(b.getSymbolicName())) {
                if (!matches(id.version(), b.getVersion())) {
                    throw new IllegalArgumentException("bundle '" + id + "': version " + b.getVersion()
                            + " is installed; the file asks for " + id.version());
                }
                return new Found(id, b, null);
            }
        }
        Path jar = inDriverRepository(id);
        if (jar == null) {
            jar = inMavenRepository(id);
        }
        if (jar == null) {
            throw new IllegalArgumentException("bundle '" + id + "' not found: not installed, not in the driver repository ("
                    + (driverRepository == null ? "none set" : driverRepository) + "), not in the Maven repository ("
                    + mavenRepository + ")");
        }
        return new Found(id, null, jar);
    }

    /** Maven {@code 1.2.3-SNAPSHOT} matches OSGi 1.2.3 with any qualifier; others match exactly. */
    static boolean matches(String mavenVersion, Version osgi) {
        if (mavenVersion.endsWith("-SNAPSHOT")) {
            Version v = osgiVersion(mavenVersion.substring(0, mavenVersion.length() - "-SNAPSHOT".length()));
            return v != null && v.getMajor() == osgi.getMajor() && v.getMinor() == osgi.getMinor()
                    && v.getMicro() == osgi.getMicro();
        }
        Version v = osgiVersion(mavenVersion);
        return osgi.equals(v);
    }

    /** {@code 1.2.3-q} as OSGi writes it ({@code 1.2.3.q}); null if it is no version at all. */
    static Version osgiVersion(String maven) {
        String s = maven.replaceFirst("-", ".");
        try {
            return Version.parseVersion(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Path inDriverRepository(BundleId id) {
        if (driverRepository == null || !Files.isDirectory(driverRepository)) {
            return null;
        }
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(driverRepository)) {
            s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        } catch (IOException e) {
            return null;
        }
        for (Path p : jars) {
            try (JarFile j = new JarFile(p.toFile())) {
                Manifest m = j.getManifest();
                if (m == null) {
                    continue;
                }
                String bsn = m.getMainAttributes().getValue("Bundle-SymbolicName");
                String version = m.getMainAttributes().getValue("Bundle-Version");
                if (bsn != null && bsn.split(";")[0].strip().equals(id.artifactId()) && version != null
                        && matches(id.version(), Version.parseVersion(version))) {
                    return p;
                }
            } catch (IOException | IllegalArgumentException e) {
                // not a bundle: not ours to install
            }
        }
        return null;
    }

    private Path inMavenRepository(BundleId id) {
        if (mavenRepository == null) {
            return null;
        }
        Path p = mavenRepository.resolve(id.groupId().replace('.', '/')).resolve(id.artifactId()).resolve(id.version())
                .resolve(id.artifactId() + "-" + id.version() + ".jar");
        return Files.isRegularFile(p) ? p : null;
    }
}
