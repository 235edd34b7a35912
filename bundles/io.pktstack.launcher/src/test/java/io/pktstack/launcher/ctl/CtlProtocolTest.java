package io.pktstack.launcher.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CtlProtocolTest {

    @Test
    void argumentVectorsSurviveTheWireExactly() {
        List<String> argv = List.of("nc", "", " lead", "a\nb", "ünï", "'\"$;|&");
        assertEquals(new CtlProtocol.Argv(argv), CtlProtocol.decode(CtlProtocol.encode(new CtlProtocol.Argv(argv))));
        assertEquals(new CtlProtocol.Argv(List.of()), CtlProtocol.decode(CtlProtocol.encode(new CtlProtocol.Argv(List.of()))),
                "an empty vector arrives as one (the instance then says no command was given)");
        assertEquals(new CtlProtocol.Line("ifconfig -a"),
                CtlProtocol.decode(CtlProtocol.encode(new CtlProtocol.Line(" ifconfig -a\n"))));
    }

    @Test
    void malformedRequestsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CtlProtocol.decode(new byte[0]))
                .getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CtlProtocol.decode(new byte[] {'V', 'a'}))
                .getMessage().contains("does not end with a NUL"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CtlProtocol.decode(new byte[] {'L', (byte) 0xc3})).getMessage().contains("not UTF-8"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> CtlProtocol.encode(new CtlProtocol.Argv(List.of("a\0b")))).getMessage().contains("NUL"));
    }

    @Test
    void namesAndSocketPathsAreChecked() {
        assertTrue(InstanceNames.valid("qnx7-guest1"));
        for (String bad : new String[] {"", "../x", "a/b", "-x", ".x", "a b", "x".repeat(65)}) {
            assertTrue(!InstanceNames.valid(bad), bad);
        }
        assertEquals(Path.of("/r/run/g1.ctl"), CtlClient.socketPath(Path.of("/r"), "g1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CtlClient.socketPath(Path.of("/r"), "a/b"))
                .getMessage().contains("'a/b'"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CtlClient.socketPath(Path.of("/" + "r".repeat(100)), "g1"));
        assertTrue(e.getMessage().contains("at most 107"), e.getMessage());
    }
}
