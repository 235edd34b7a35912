package io.pktstack.board.internal;

import io.pktstack.fuzz.FuzzInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.osgi.service.feature.FeatureService;

/**
 * Fuzz target {@code feature-reader}: board profiles (OSGi feature files,
 * JSON) as the board bundle reads them, with the real Felix reader. Any file
 * is either read into a plan or refused with IllegalArgumentException naming
 * the file; a plan's driver entries all have a driver name and options that
 * parsed.
 */
public final class FeatureReaderFuzz {

    private static ProfileReader reader;
    private static Path file;

    private FeatureReaderFuzz() {
    }

    public static void fuzzerInitialize() throws IOException {
        reader = new ProfileReader(ServiceLoader.load(FeatureService.class, FeatureReaderFuzz.class.getClassLoader())
                .findFirst().orElseThrow());
        file = Files.createTempFile("pktstack-fuzz-feature", ".json");
        file.toFile().deleteOnExit();
    }

    public static void fuzzerTestOneInput(byte[] data) throws IOException {
        if (reader == null) {
            fuzzerInitialize();
        }
        FuzzInput in = new FuzzInput(data);
        Files.write(file, in.rest());
        try {
            BoardPlan p = reader.read(file);
            for (BoardPlan.DriverEntry d : p.drivers()) {
                if (d.spec().driver().isBlank()) {
                    throw new AssertionError("a driver entry without a driver: " + d);
                }
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().contains(file.getFileName().toString())) {
                throw new AssertionError("a refusal that does not name the file: " + e.getMessage(), e);
            }
        }
    }
}
