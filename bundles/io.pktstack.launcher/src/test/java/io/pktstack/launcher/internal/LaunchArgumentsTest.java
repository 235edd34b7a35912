package io.pktstack.launcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchArgumentsTest {

    @Test
    void launcherOptionsAndTheIoPktLineAnywhere() {
        LaunchArguments a = LaunchArguments.parse(List.of("--root", "/r", "-d", "vdevpeer-net",
                "peer=/dev/qvm/g/p2p,bind=/dev/vdevpeers/vp0", "--name", "host1", "-c", "ifconfig bridge0 create",
                "--script", "/etc/board.sh", "-c", "brconfig bridge0 add vp0 up", "--exit"));
        assertEquals(Path.of("/r"), a.root());
        assertEquals("host1", a.name());
        assertEquals(List.of("ifconfig bridge0 create", "brconfig bridge0 add vp0 up"), a.commands());
        assertEquals(List.of(Path.of("/etc/board.sh")), a.scripts());
        assertTrue(a.exitAfter());
        assertEquals(1, a.ioPkt().drivers().size());
        assertEquals("vdevpeer-net", a.ioPkt().drivers().get(0).driver());
        assertEquals(2, a.ioPkt().drivers().get(0).options().entries().size());
    }

    @Test
    void featureFilesAreKeptInOrder() {
        LaunchArguments a = LaunchArguments.parse(List.of("--feature", "features/a.json", "--name", "g1",
                "--feature", "b.json"));
        assertEquals(List.of(Path.of("features/a.json"), Path.of("b.json")), a.features());
        assertTrue(a.ioPkt().drivers().isEmpty());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchArguments.parse(List.of("--feature"))).getMessage().contains("'--feature' needs a value"));
    }

    @Test
    void defaults() {
        LaunchArguments a = LaunchArguments.parse(List.of());
        assertNull(a.root());
        assertEquals("host", a.name());
        assertTrue(a.ioPkt().drivers().isEmpty());
    }

    @Test
    void badTokensAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchArguments.parse(List.of("--rooot", "/r"))).getMessage().contains("'--rooot'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchArguments.parse(List.of("-c"))).getMessage().contains("'-c' needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchArguments.parse(List.of("--name", "a/b"))).getMessage().contains("'a/b'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LaunchArguments.parse(List.of("-d", "virtio-net", "peer=x", "extra"))).getMessage().contains("'extra'"));
    }
}
