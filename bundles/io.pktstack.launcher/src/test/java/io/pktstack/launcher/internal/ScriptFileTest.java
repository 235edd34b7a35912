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
}
