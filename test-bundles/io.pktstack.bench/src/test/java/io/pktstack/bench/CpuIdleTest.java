package io.pktstack.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuIdleTest {

    @TempDir
    Path sys;

    private void write(String rel, String text) throws Exception {
        Path p = sys.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void aGuestThatHaltsAtOnceIsNamedAsSuch() throws Exception {
        write("devices/system/cpu/cpuidle/current_driver", "haltpoll\n");
        write("devices/system/cpu/cpuidle/current_governor", "haltpoll\n");
        write("module/haltpoll/parameters/guest_halt_poll_ns", "0\n");
        CpuIdle idle = CpuIdle.read(sys);
        assertEquals(new CpuIdle("haltpoll", "haltpoll", 0L), idle);
        assertEquals(Map.of("driver", "haltpoll", "governor", "haltpoll", "guest_halt_poll_ns", 0L), idle.asMap());
        assertTrue(idle.describe().startsWith("cpu idle: haltpoll, guest_halt_poll_ns 0 (an idle vCPU halts at once"),
                idle.describe());
    }

    @Test
    void aPollingGuestHasNoWarning() throws Exception {
        write("devices/system/cpu/cpuidle/current_driver", "haltpoll");
        write("devices/system/cpu/cpuidle/current_governor", "haltpoll");
        write("module/haltpoll/parameters/guest_halt_poll_ns", "200000");
        assertEquals("cpu idle: haltpoll, guest_halt_poll_ns 200000", CpuIdle.read(sys).describe());
    }

    @Test
    void whatIsMissingOrMalformedIsLeftOut() throws Exception {
        write("devices/system/cpu/cpuidle/current_driver", "intel_idle\n");
        write("devices/system/cpu/cpuidle/current_governor", "menu\n");
        write("module/haltpoll/parameters/guest_halt_poll_ns", "lots\n");
        CpuIdle idle = CpuIdle.read(sys);
        assertNull(idle.haltPollNs());
        assertEquals(Map.of("driver", "intel_idle", "governor", "menu"), idle.asMap());
        assertEquals("cpu idle: intel_idle (governor menu)", idle.describe());
        assertEquals("cpu idle: unknown driver", CpuIdle.read(sys.resolve("absent")).describe());
    }
}
