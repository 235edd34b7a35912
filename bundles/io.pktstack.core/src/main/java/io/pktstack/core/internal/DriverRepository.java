package io.pktstack.core.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Version;

/**
 * A folder of driver bundles, io-pkt's search path for {@code devnp-*.so}: when
 * {@code -d NAME} or {@code mount NAME} names a driver that no installed bundle
 * provides, the bundle whose {@value #HEADER} header names it is installed from
 * here. Reading the folder only opens each jar's manifest; nothing is installed
 * until a driver is asked for.
 */
final class DriverRepository {

    /** Manifest header a driver bundle carries: the driver name it provides. */
    static final String HEADER = "Pktstack-Driver";
    /** Framework property naming the folder. */
    static final String FOLDER_PROPERTY = "pktstack.driver.repository";

    /** One driver bundle in the folder. */
    record Entry(String driver, String symbolicName, Version version, Path file) {
    }

    private final Path folder;

    DriverRepository(Path folder) {
        this.folder = folder;
    }

    Path folder() {
        return folder;
    }

    /** Every driver bundle in the folder; a newer version of a bundle hides older ones. */
    List<Entry> entries() {
        List<Entry> all = new ArrayList<>();
        if (folder == null || !Files.isDirectory(folder)) {
            return all;
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(folder, "*.jar")) {
            for (Path jar : jars) {
                Entry e = read(jar);
                if (e != null) {
                    all.removeIf(o -> o.symbolicName.equals(e.symbolicName) && o.version.compareTo(e.version) < 0);
                    if (all.stream().noneMatch(o -> o.symbolicName.equals(e.symbolicName))) {
                        all.add(e);
                    }
                }
            }
        } catch (IOException e) {
            // an unreadable folder offers nothing; the caller names the driver it could not find
        }
        all.sort((a, b) -> a.driver.compareTo(b.driver));
        return all;
    }

    /** The bundle providing {@code driver}, or null. */
    Entry find(String driver) {
        for (Entry e : entries()) {
            if (e.driver.equals(driver)) {
                return e;
            }
        }
        return null;
    }

    private static Entry read(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            if (m == null) {
                return null;
            }
            Attributes a = m.getMainAttributes();
            String driver = a.getValue(HEADER);
            String bsn = a.getValue("Bundle-SymbolicName");
            if (driver == null || bsn == null) {
                return null;
            }
            int semi = bsn.indexOf(';');
            return new Entry(driver.trim(), (semi < 0 ? bsn : bsn.substring(0, semi)).trim(),
                    Version.parseVersion(a.getValue("Bundle-Version")), jar);
        } catch (IOException | IllegalArgumentException e) {
            return null; // not a bundle we can use
        }
    }
}
