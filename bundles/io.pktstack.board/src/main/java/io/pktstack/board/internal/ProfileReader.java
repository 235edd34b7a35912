package io.pktstack.board.internal;

import io.pktstack.api.net.MacAddress;
import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.options.SubOptions;
import io.pktstack.board.internal.BoardPlan.BundleId;
import io.pktstack.board.internal.BoardPlan.DriverEntry;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureConfiguration;
import org.osgi.service.feature.FeatureExtension;
import org.osgi.service.feature.FeatureService;
import org.osgi.service.feature.ID;

/**
 * Reads a feature file with the OSGi Feature Service and checks every entry
 * pktstack gives a meaning to, so that a bad file is refused before anything
 * is applied. Every error names the file and the entry.
 */
final class ProfileReader {

    /** Factory PID of a driver instance: {@code io.pktstack.driver~NAME}. */
    static final String DRIVER_FACTORY = "io.pktstack.driver";
    /** The text extension holding the board's startup commands. */
    static final String COMMANDS_EXTENSION = "pktstack-commands";

    private static final Set<String> DRIVER_PROPERTIES = Set.of("driver", "options");

    private final FeatureService features;

    ProfileReader(FeatureService features) {
        this.features = features;
    }

    BoardPlan read(Path file) {
        String name = file.toString();
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("feature file '" + name + "' does not exist");
        } catch (IOException e) {
            // An I/O error's own message is often only the path: say why.
            String why = switch (e) {
                case java.nio.file.AccessDeniedException x -> "permission denied";
                case java.nio.charset.MalformedInputException x -> "not UTF-8 text";
                case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
                default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            };
            throw new IllegalArgumentException("feature file '" + name + "' cannot be read: " + why, e);
        }
        checkBundleEntriesAreObjects(name, json);
        Feature f;
        try {
            f = features.readFeature(new StringReader(json));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("feature file '" + name + "' is not a valid feature: " + message(e), e);
        }
        String where = "feature " + f.getID() + " (" + name + ")";
        List<BundleId> bundles = new ArrayList<>();
        for (FeatureBundle b : f.getBundles()) {
            bundles.add(bundleId(where, b.getID()));
        }
        List<DriverEntry> drivers = new ArrayList<>();
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
        for (FeatureConfiguration c : f.getConfigurations().values()) {
            if (c.getFactoryPid().filter(DRIVER_FACTORY::equals).isPresent()) {
                drivers.add(driverEntry(where, c));
            } else if (c.getPid().equals(DRIVER_FACTORY)) {
                throw new IllegalArgumentException(where + ": configuration '" + c.getPid()
                        + "': a driver instance is a factory configuration " + DRIVER_FACTORY + "~NAME");
            } else {
                configurations.put(c.getPid(), c.getValues());
            }
        }
        checkMacsOnce(where, drivers);
        List<String> commands = List.of();
        for (FeatureExtension x : f.getExtensions().values()) {
            if (x.getName().equals(COMMANDS_EXTENSION)) {
                if (x.getType() != FeatureExtension.Type.TEXT) {
                    throw new IllegalArgumentException(where + ": extension '" + COMMANDS_EXTENSION
                            + "' must be of type TEXT (one shell command per line)");
                }
                commands = x.getText().stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            } else if (x.getKind() == FeatureExtension.Kind.MANDATORY) {
                throw new IllegalArgumentException(where + ": mandatory extension '" + x.getName()
                        + "' is not one pktstack knows (" + COMMANDS_EXTENSION + ")");
            }
        }
        return new BoardPlan(name, f.getID().toString(), f.getDescription().orElse(""), bundles, drivers,
                configurations, commands);
    }

    /**
     * The Felix reader skips a bundle written as a plain string; a board that
     * silently lacks a driver bundle is worse than a refused file.
     */
    private static void checkBundleEntriesAreObjects(String name, String json) {
        JsonObject root;
        try (JsonReader r = Json.createReader(new StringReader(json))) {
            JsonValue v = r.readValue();
            if (v.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new IllegalArgumentException("feature file '" + name + "' is not a JSON object");
            }
            root = v.asJsonObject();
        } catch (JsonException | IllegalArgumentException e) {
            // The parser's own refusals include a NumberFormatException for a number it cannot hold
            // (1e1007777...): that too is the file's fault, said with the file's name.
            throw new IllegalArgumentException("feature file '" + name + "' is not valid JSON: " + message(e), e);
        }
        checkDriverOptions(name, root.get("configurations"));
        JsonValue b = root.get("bundles");
        if (b == null) {
            return;
        }
        if (b.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new IllegalArgumentException("feature file '" + name + "': 'bundles' must be an array");
        }
        JsonArray a = b.asJsonArray();
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).getValueType() != JsonValue.ValueType.OBJECT) {
                throw new IllegalArgumentException("feature file '" + name + "': bundle entry " + (i + 1) + " " + a.get(i)
                        + " must be an object: {\"id\": \"group:artifact:version\"}");
            }
        }
    }

    /**
     * The Felix reader turns an array that is not all strings (or all of one
     * other type) into its JSON text, which would then be split at its commas
     * into garbled options: such an array is refused here, naming the element.
     */
    private static void checkDriverOptions(String name, JsonValue configurations) {
        if (configurations == null || configurations.getValueType() != JsonValue.ValueType.OBJECT) {
            return; // the reader says what is wrong with it
        }
        for (Map.Entry<String, JsonValue> c : configurations.asJsonObject().entrySet()) {
            if (!c.getKey().startsWith(DRIVER_FACTORY + "~") || c.getValue().getValueType() != JsonValue.ValueType.OBJECT) {
                continue;
            }
            JsonValue o = c.getValue().asJsonObject().get("options");
            if (o == null || o.getValueType() == JsonValue.ValueType.STRING) {
                continue;
            }
            String entry = "feature file '" + name + "': configuration '" + c.getKey() + "'";
            if (o.getValueType() != JsonValue.ValueType.ARRAY) {
                throw new IllegalArgumentException(entry + ": \"options\" is " + o + "; it must be a string or an"
                        + " array of strings");
            }
            JsonArray a = o.asJsonArray();
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).getValueType() != JsonValue.ValueType.STRING) {
                    throw new IllegalArgumentException(entry + ": \"options\" element " + (i + 1) + ", " + a.get(i)
                            + ", is not a string (each element is one or more suboptions, e.g. \"peer=/dev/qvm/g1/p2p\")");
                }
            }
        }
    }

    private static BundleId bundleId(String where, ID id) {
        if (id.getType().filter(t -> !t.equals("jar")).isPresent() || id.getClassifier().isPresent()) {
            throw new IllegalArgumentException(where + ": bundle '" + id + "': only plain jars (group:artifact:version)");
        }
        return new BundleId(id.getGroupId(), id.getArtifactId(), id.getVersion());
    }

    private static DriverEntry driverEntry(String where, FeatureConfiguration c) {
        String entry = where + ": configuration '" + c.getPid() + "'";
        Map<String, Object> v = c.getValues();
        for (String k : v.keySet()) {
            if (!DRIVER_PROPERTIES.contains(k)) {
                throw new IllegalArgumentException(entry + ": unknown property '" + k + "' (driver, options)");
            }
        }
        if (!(v.get("driver") instanceof String driver) || driver.isBlank()) {
            throw new IllegalArgumentException(entry + ": needs \"driver\": the driver's name, as -d takes it");
        }
        String options;
        Object o = v.get("options");
        if (o == null) {
            options = "";
        } else if (o instanceof String s) {
            options = s;
        } else if (o instanceof String[] parts) {
            options = String.join(",", parts);
        } else if (o instanceof List<?> parts && parts.stream().allMatch(String.class::isInstance)) {
            options = String.join(",", parts.stream().map(String.class::cast).toList());
        } else {
            throw new IllegalArgumentException(entry + ": \"options\" must be a string or an array of strings");
        }
        try {
            return new DriverEntry(c.getPid(), new DriverSpec(driver, SubOptions.parse(options)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(entry + ": " + e.getMessage(), e);
        }
    }

    /** A MAC assigned twice in one board is refused, naming both entries: it is a copy-paste error every time. */
    private static void checkMacsOnce(String where, List<DriverEntry> drivers) {
        Map<MacAddress, String> seen = new HashMap<>();
        for (DriverEntry d : drivers) {
            for (SubOptions.Entry e : d.spec().options().entries()) {
                if (!e.key().equals("mac") || e.value() == null) {
                    continue;
                }
                MacAddress mac = parseMac(where, d.pid(), e.value());
                String other = seen.putIfAbsent(mac, d.pid());
                if (other != null) {
                    throw new IllegalArgumentException(where + ": configuration '" + d.pid() + "': MAC " + mac
                            + " collides with configuration '" + other + "'");
                }
            }
        }
    }

    /** Both io-pkt forms: 12 hex digits (vdevpeer-net) and colon-separated (virtio-net); a station's address only. */
    private static MacAddress parseMac(String where, String pid, String text) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": configuration '" + pid + "': " + e.getMessage(), e);
        }
        String why = mac.whyNotStation();
        if (why != null) {
            throw new IllegalArgumentException(where + ": configuration '" + pid + "': option 'mac=" + text + "': " + why);
        }
        return mac;
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
