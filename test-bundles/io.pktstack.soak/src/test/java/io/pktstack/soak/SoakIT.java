package io.pktstack.soak;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** What CI runs of {@code bin/pktstack soak}: 20 cycles ({@code -Dpktstack.soak.cycles}), and it must pass. */
class SoakIT {

    @Test
    void twentyCyclesLeaveTheHostWhereItWas() throws Exception {
        int cycles = Integer.getInteger("pktstack.soak.cycles", 20);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        boolean ok = new Soak(HostileGuestIT.TOP, Files.createTempDirectory("pktstack-soak-it"), cycles, out).run();
        String report = buf.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        assertTrue(ok, report);
        assertTrue(report.contains(cycles + " cycles in "), report);
    }
}
