package io.pktstack.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How this machine's idle CPUs sleep, printed beside the figures because a
 * round trip that crosses sleeping threads depends on it more than on the
 * code: in a virtual machine whose idle vCPU halts at once (cpuidle's
 * haltpoll driver with {@code guest_halt_poll_ns} 0), waking a thread on the
 * other vCPU waits for the hypervisor to run that vCPU again (about 20 µs
 * on the machine of BENCHMARKS.md; pingpong-nopoll went from 87-129 to
 * 23-25 µs p50 with the same code when the guest kernel polled before halting).
 */
record CpuIdle(String driver, String governor, Long haltPollNs) {

    /** Read from {@code sys} (normally {@code /sys}); a file that is missing or unreadable is left null. */
    static CpuIdle read(Path sys) {
        String hp = line(sys.resolve("module/haltpoll/parameters/guest_halt_poll_ns"));
        Long haltPoll = null;
        if (hp != null) {
            try {
                haltPoll = Long.parseLong(hp);
            } catch (NumberFormatException e) {
                // not a number: left unknown rather than guessed
            }
        }
        return new CpuIdle(line(sys.resolve("devices/system/cpu/cpuidle/current_driver")),
                line(sys.resolve("devices/system/cpu/cpuidle/current_governor")), haltPoll);
    }

    private static String line(Path p) {
        try {
            String s = Files.readString(p).strip();
            return s.isEmpty() ? null : s;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** For the JSON report: only what was found. */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (driver != null) {
            m.put("driver", driver);
        }
        if (governor != null) {
            m.put("governor", governor);
        }
        if (haltPollNs != null) {
            m.put("guest_halt_poll_ns", haltPollNs);
        }
        return m;
    }

    /** One line for the text report, saying what the setting means for wake-ups. */
    String describe() {
        StringBuilder sb = new StringBuilder("cpu idle: ");
        sb.append(driver == null ? "unknown driver" : driver);
        if (governor != null && !governor.equals(driver)) {
            sb.append(" (governor ").append(governor).append(')');
        }
        if (haltPollNs != null) {
            sb.append(", guest_halt_poll_ns ").append(haltPollNs);
            if (haltPollNs == 0) {
                sb.append(" (an idle vCPU halts at once: waking a thread on it costs a hypervisor round trip,"
                        + " which bounds pingpong-nopoll)");
            }
        }
        return sb.toString();
    }
}
