package io.pktstack.launcher.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptFileTest {

    @Test
    void commandsCommentsBlankLinesAndContinuations() {
        String script = """
                # board startup
                ifconfig bridge0 create

                brconfig bridge0 \\
                  add vp0 add vp1 up
                ifconfig bridge0 10.0.0.1/24   \r
                # trailing comment
                ping -c 1 \\
                """;
        assertEquals(List.of("ifconfig bridge0 create", "brconfig bridge0   add vp0 add vp1 up",
                "ifconfig bridge0 10.0.0.1/24", "ping -c 1"), ScriptFile.parse(script));
    }

    @Test
    void aScriptThatCannotBeReadIsNamedWithTheReason() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("script");
        IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ScriptFile.read(dir.resolve("nope.sh")));
        assertEquals("script file '" + dir.resolve("nope.sh") + "' does not exist", missing.getMessage());
        IllegalArgumentException folder = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ScriptFile.read(dir));
        org.junit.jupiter.api.Assertions.assertTrue(folder.getMessage().startsWith("script file '" + dir + "' cannot be read: "),
                folder.getMessage());
        java.nio.file.Path binary = dir.resolve("bin");
        java.nio.file.Files.write(binary, new byte[] {(byte) 0xc3, 0x28});
        org.junit.jupiter.api.Assertions.assertTrue(org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ScriptFile.read(binary)).getMessage().endsWith("is not UTF-8 text"));
    }
}
