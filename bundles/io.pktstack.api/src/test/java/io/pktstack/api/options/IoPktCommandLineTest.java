package io.pktstack.api.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.options.SubOptions.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

class IoPktCommandLineTest {

    /** The seed's command line, verbatim. */
    static final String SEED = "-d vdevpeer-net peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,"
            + "peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,"
            + "peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2";

    /** The same as a startup script writes it, with backslash-newline continuations. */
    static final String SEED_CONTINUED = """
            io-pkt-v6-hc -d vdevpeer-net peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,\\
            peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,\\
            peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2
            """;

    static final List<Entry> SEED_OPTIONS = List.of(
            new Entry("peer", "/dev/qvm/qnx7-guest1/p2p"), new Entry("bind", "/dev/vdevpeers/vp0"),
            new Entry("peer", "/dev/qvm/qnx7-guest2/p2p"), new Entry("bind", "/dev/vdevpeers/vp1"),
            new Entry("peer", "/dev/qvm/linux-guest/p2p"), new Entry("bind", "/dev/vdevpeers/vp2"));

    private static void assertSeed(IoPktCommandLine line) {
        assertEquals(1, line.drivers().size(), line.toString());
        DriverSpec d = line.drivers().get(0);
        assertEquals("vdevpeer-net", d.driver());
        assertEquals(SEED_OPTIONS, d.options().entries());
    }

    @Test
    void seedAsOneString() {
        assertSeed(IoPktCommandLine.parse(SEED));
    }

    @Test
    void seedAsTheShellSplitsIt() {
        assertSeed(IoPktCommandLine.parse(List.of(SEED.split(" "))));
    }

    @Test
    void seedWithBackslashNewlineContinuations() {
        assertSeed(IoPktCommandLine.parse(SEED_CONTINUED));
        assertSeed(IoPktCommandLine.parse(SEED_CONTINUED.replace("\n", "\r\n")));
    }

    @Test
    void continuationLinesTheShellSplitOffAreJoinedBack() {
        // An unquoted "\<newline>" after a comma: the shell removes it and makes the next line a new word.
        assertSeed(IoPktCommandLine.parse(List.of("io-pkt-v6-hc", "-d", "vdevpeer-net",
                "peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,",
                "peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,",
                "peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2")));
        // A lone backslash word (copied with a blank before the newline) is dropped too.
        assertSeed(IoPktCommandLine.parse(List.of("-d", "vdevpeer-net",
                "peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,", "\\",
                "peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,", "\\",
                "peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2")));
    }

    @Test
    void programNameFirstIsSkipped() {
        assertSeed(IoPktCommandLine.parse("io-pkt-v6-hc " + SEED));
        assertSeed(IoPktCommandLine.parse("io-pkt-v4-hc " + SEED));
        assertSeed(IoPktCommandLine.parse(List.of("io-pkt", SEED)));
    }

    @Test
    void programNameElsewhereIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IoPktCommandLine.parse("io-pkt-v6-hc io-pkt-v6-hc -d e1000"));
        assertTrue(e.getMessage().contains("'io-pkt-v6-hc'"), e.getMessage());
    }

    @Test
    void severalDriversInOrderWithAndWithoutOptions() {
        IoPktCommandLine line = IoPktCommandLine.parse("io-pkt-v6-hc -d e1000 -d vdevpeer-net peer=/dev/p,bind=/dev/b"
                + " -dvirtio-net mac=020000000001 -d lo");
        assertEquals(List.of("e1000", "vdevpeer-net", "virtio-net", "lo"),
                line.drivers().stream().map(DriverSpec::driver).toList());
        assertTrue(line.drivers().get(0).options().isEmpty());
        assertEquals("/dev/b", line.drivers().get(1).options().get("bind"));
        assertEquals("020000000001", line.drivers().get(2).options().get("mac"));
        assertTrue(line.drivers().get(3).options().isEmpty());
    }

    @Test
    void emptyLineHasNoDrivers() {
        assertTrue(IoPktCommandLine.parse("").drivers().isEmpty());
        assertTrue(IoPktCommandLine.parse(List.of()).drivers().isEmpty());
        assertTrue(IoPktCommandLine.parse("io-pkt-v6-hc").drivers().isEmpty());
    }

    @Test
    void driverSpecPrintsAsWritten() {
        IoPktCommandLine line = IoPktCommandLine.parse(SEED_CONTINUED + " -d e1000");
        assertEquals(SEED, line.drivers().get(0).toString());
        assertEquals("-d e1000", line.drivers().get(1).toString());
        assertEquals(line, IoPktCommandLine.parse(line.drivers().get(0) + " " + line.drivers().get(1)));
    }

    @Test
    void wordWithoutDriverIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IoPktCommandLine.parse("vdevpeer-net peer=/dev/p"));
        assertTrue(e.getMessage().contains("'vdevpeer-net'"), e.getMessage());
    }

    @Test
    void secondOptionWordWithoutTrailingCommaIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IoPktCommandLine.parse("-d vdevpeer-net peer=/dev/p bind=/dev/b"));
        assertTrue(e.getMessage().contains("'bind=/dev/b'"), e.getMessage());
    }

    @Test
    void unknownFlagIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IoPktCommandLine.parse("-d e1000 -ptcpip"));
        assertTrue(e.getMessage().contains("'-ptcpip'"), e.getMessage());
    }

    @Test
    void dashDWithoutNameIsRefused() {
        for (String bad : List.of("-d", "-d -d e1000", "io-pkt-v6-hc -d e1000 -d")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IoPktCommandLine.parse(bad));
            assertTrue(e.getMessage().contains("'-d' needs a driver name"), bad + ": " + e.getMessage());
        }
    }

    @Test
    void badSuboptionIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IoPktCommandLine.parse("-d vdevpeer-net peer=/dev/p,=/dev/b"));
        assertTrue(e.getMessage().contains("'=/dev/b'"), e.getMessage());
    }

    @Test
    void driverListIsACopy() {
        IoPktCommandLine line = IoPktCommandLine.parse(SEED);
        assertThrows(UnsupportedOperationException.class, () -> line.drivers().clear());
    }

    @Test
    void aDriverNameThatIsNoneIsRefused() {
        for (String bad : new String[] {"-d-d", "-d-x", "-d/x"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> IoPktCommandLine.parse(List.of(bad)));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> IoPktCommandLine.parse(List.of("-d", "e1000;rm")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'-d e1000;rm'"), e.getMessage());
    }
}
