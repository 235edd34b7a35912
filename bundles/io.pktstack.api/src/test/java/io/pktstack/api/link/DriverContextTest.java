package io.pktstack.api.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DriverContextTest {

    @TempDir
    Path root;

    private DriverContext context() {
        return new DriverContext(root, "host");
    }

    @Test
    void mapsBoardScriptPathsUnderTheRoot() {
        assertEquals(root.resolve("dev/qvm/qnx7-guest1/p2p"), context().map("/dev/qvm/qnx7-guest1/p2p"));
        assertEquals(root.resolve("dev/vdevpeers/vp0"), context().map("/dev/vdevpeers/vp0"));
    }

    @Test
    void normalizesDotsThatStayInside() {
        assertEquals(root.resolve("dev/qvm/g1/p2p"), context().map("/dev/qvm/x/../g1/./p2p"));
        assertEquals(root.resolve("dev/qvm/g1"), context().map("/dev//qvm/g1/"));
    }

    @Test
    void relativeRootIsMadeAbsolute() {
        Path mapped = new DriverContext(Path.of("devroot"), "host").map("/dev/vp0");
        assertTrue(mapped.isAbsolute(), mapped.toString());
        assertEquals(Path.of("devroot").toAbsolutePath().normalize().resolve("dev/vp0"), mapped);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/dev/../../etc/passwd", "/dev/qvm/../../..", "/", "/.", "/dev/.."})
    void pathsOutsideTheRootAreRefusedNamingThem(String path) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> context().map(path));
        assertTrue(e.getMessage().contains("'" + path + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("outside the device root"), e.getMessage());
    }

    @Test
    void siblingWithTheRootAsNamePrefixIsOutside() {
        // ROOT-evil starts with the text of ROOT but not with the path ROOT.
        String sibling = "/../" + root.getFileName() + "-evil/p2p";
        assertThrows(IllegalArgumentException.class, () -> context().map(sibling));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "dev/qvm/g1/p2p", "./dev/vp0", "~/dev/vp0"})
    void relativePathsAreRefusedNamingThem(String path) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> context().map(path));
        assertTrue(e.getMessage().contains("'" + path + "' must be absolute"), e.getMessage());
    }
}
