package io.pktstack.board.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.feature.FeatureService;

/**
 * Feature files as pktstack reads them, with the real Felix reader: the
 * project's own profiles read cleanly, and each kind of mistake is refused
 * with a message that names the file and the entry.
 */
class ProfileReaderTest {

    private static final FeatureService FELIX = ServiceLoader.load(FeatureService.class).findFirst().orElseThrow();

    private final ProfileReader reader = new ProfileReader(FELIX);

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path f = dir.resolve("board.json");
        Files.writeString(f, json);
        return f;
    }

    private static String feature(String bundles, String configurations, String extensions) {
        return """
                {"feature-resource-version": "1.0", "id": "io.pktstack.test:board:1.0.0",
                 "bundles": %s, "configurations": %s, "extensions": %s}
                """.formatted(bundles, configurations, extensions);
    }

    @Test
    void theHostProfileOfThisProject() {
        BoardPlan p = reader.read(Path.of("../../features/host-three-guests.json"));
        assertTrue(p.id().startsWith("io.pktstack.features:host-three-guests:"), p.id());
        assertEquals(2, p.drivers().size());
        assertEquals("io.pktstack.driver~guests", p.drivers().get(0).pid());
        assertEquals("vdevpeer-net", p.drivers().get(0).spec().driver());
        assertEquals(6, p.drivers().get(0).spec().options().entries().size(), "three peer=,bind= groups joined");
        assertEquals("e1000", p.drivers().get(1).spec().driver());
        assertEquals("ifconfig bridge0 create", p.commands().getFirst());
        assertTrue(p.bundles().stream().anyMatch(b -> b.artifactId().equals("io.pktstack.driver.e1000")));
    }

    @Test
    void everyProfileOfThisProjectReads() throws IOException {
        try (var files = Files.list(Path.of("../../features"))) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json")).toList();
            assertTrue(json.size() >= 4, json.toString());
            for (Path f : json) {
                BoardPlan p = reader.read(f);
                assertTrue(!p.drivers().isEmpty() && !p.commands().isEmpty(), f.toString());
                // Profiles name this build's bundles: a version bump must update them too.
                String version = System.getProperty("pktstack.version");
                assertNotNull(version, "the build passes its version (surefire systemPropertyVariables)");
                p.bundles().forEach(b -> assertEquals(version, b.version(), f + ": " + b));
                assertTrue(p.id().endsWith(":" + version), f + ": " + p.id());
            }
        }
    }

    @Test
    void otherConfigurationsAreKeptForConfigAdmin() throws IOException {
        BoardPlan p = reader.read(write(feature("[]", """
                {"org.example.thing": {"size": 3}, "org.example.factory~one": {"a": "b"}}""", "{}")));
        assertEquals(List.of("org.example.thing", "org.example.factory~one"), List.copyOf(p.configurations().keySet()));
        assertEquals(List.of(), p.drivers());
    }

    @Test
    void aDriverWithoutOptionsHasNone() throws IOException {
        BoardPlan p = reader.read(write(feature("[]", """
                {"io.pktstack.driver~up": {"driver": "e1000"}}""", "{}")));
        assertTrue(p.drivers().getFirst().spec().options().isEmpty());
    }

    @Test
    void mistakesAreNamed() throws IOException {
        refused("does not exist", dir.resolve("nope.json"));
        refused("cannot be read: Is a directory", Files.createDirectories(dir.resolve("folder.json")));
        refused("is not valid JSON", write("{\"id\": "));
        // Found by the feature-reader fuzz target: the JSON parser's NumberFormatException came out unnamed.
        refused("is not valid JSON: Too many nonzero exponent digits", write("{\"id\": 1e1007777777777777777777777}"));
        refused("bundle entry 2", write(feature("[{\"id\": \"g:a:1\"}, \"g:b:1\"]", "{}", "{}")));
        refused("is not a valid feature", write("{\"feature-resource-version\": \"1.0\"}"));
        refused("configuration 'io.pktstack.driver~x': unknown property 'speed'", write(feature("[]", """
                {"io.pktstack.driver~x": {"driver": "e1000", "speed": 10}}""", "{}")));
        refused("configuration 'io.pktstack.driver~x': needs \"driver\"", write(feature("[]", """
                {"io.pktstack.driver~x": {"options": "tap=t0"}}""", "{}")));
        refused("configuration 'io.pktstack.driver': a driver instance is a factory configuration", write(feature("[]",
                """
                {"io.pktstack.driver": {"driver": "e1000"}}""", "{}")));
        refused("configuration 'io.pktstack.driver~x': malformed MAC address 'zz'", write(feature("[]", """
                {"io.pktstack.driver~x": {"driver": "e1000", "options": "mac=zz"}}""", "{}")));
        refused("MAC 02:00:00:00:00:01 collides with configuration 'io.pktstack.driver~a'", write(feature("[]", """
                {"io.pktstack.driver~a": {"driver": "virtio-net", "options": "mac=02:00:00:00:00:01"},
                 "io.pktstack.driver~b": {"driver": "vdevpeer-net", "options": "mac=020000000001"}}""", "{}")));
        // Felix turns a mixed array into its JSON text, whose commas would split it into garbled options.
        refused("configuration 'io.pktstack.driver~x': \"options\" element 2, 5, is not a string", write(feature("[]",
                """
                {"io.pktstack.driver~x": {"driver": "virtio-net", "options": ["peer=/dev/vdevpeers/vp0", 5]}}""", "{}")));
        refused("\"options\" element 1, {\"a\":1}, is not a string", write(feature("[]", """
                {"io.pktstack.driver~x": {"driver": "virtio-net", "options": [{"a": 1}, "x"]}}""", "{}")));
        refused("\"options\" is 5; it must be a string or an array of strings", write(feature("[]", """
                {"io.pktstack.driver~x": {"driver": "virtio-net", "options": 5}}""", "{}")));
        refused("option 'mac=01:00:5e:00:00:01': 01:00:5e:00:00:01 is a multicast address", write(feature("[]", """
                {"io.pktstack.driver~x": {"driver": "virtio-net", "options": "peer=/dev/vdevpeers/vp0,mac=01:00:5e:00:00:01"}}""",
                "{}")));
        refused("all zeros", write(feature("[]", """
                {"io.pktstack.driver~x": {"driver": "vdevpeer-net", "options": "peer=/dev/qvm/a/p2p,bind=/dev/v/0,mac=000000000000"}}""",
                "{}")));
        refused("extension 'pktstack-commands' must be of type TEXT", write(feature("[]", "{}", """
                {"pktstack-commands": {"type": "json", "kind": "mandatory", "json": {}}}""")));
        refused("mandatory extension 'org.example.other'", write(feature("[]", "{}", """
                {"org.example.other": {"type": "text", "kind": "mandatory", "text": ["x"]}}""")));
        refused("only plain jars", write(feature("[{\"id\": \"g:a:zip:1.0\"}]", "{}", "{}")));
    }

    private void refused(String part, Path file) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader.read(file));
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }
}
