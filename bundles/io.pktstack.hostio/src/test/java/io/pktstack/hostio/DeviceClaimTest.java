package io.pktstack.hostio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceClaimTest {

    @TempDir
    Path folder;

    @Test
    void aClaimedDeviceIsRefusedNamingTheHolderUntilReleased() throws Exception {
        try (DeviceClaim claim = DeviceClaim.acquire(folder, "veth7", "passthrough in stack 'g1'")) {
            assertTrue(claim.owner().startsWith("passthrough in stack 'g1' (pid "), claim.owner());
            DeviceClaim.DeviceBusyException busy = assertThrows(DeviceClaim.DeviceBusyException.class,
                    () -> DeviceClaim.acquire(folder, "veth7", "e1000 in stack 'host'"));
            assertTrue(busy.getMessage().contains("'veth7'") && busy.getMessage().contains("stack 'g1'"), busy.getMessage());
            assertEquals(Optional.of(claim.owner()), DeviceClaim.holder(folder, "veth7"));
            // Another device is free.
            DeviceClaim.acquire(folder, "veth8", "x").close();
        }
        assertEquals(Optional.empty(), DeviceClaim.holder(folder, "veth7"));
        DeviceClaim.acquire(folder, "veth7", "e1000 in stack 'host'").close();
    }

    @Test
    void aDeviceNameThatCouldEscapeTheFolderIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DeviceClaim.acquire(folder, "../etc", "x"));
        assertThrows(IllegalArgumentException.class, () -> DeviceClaim.acquire(folder, "", "x"));
    }

    /** Another process holds the claim; when it is killed with -9, the claim is free at once. */
    @Test
    void aClaimHeldByAnotherProcessIsRefusedAndDiesWithIt() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ClaimHolder.class.getName(), folder.toString(), "tap9")).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            assertEquals("held", out.readLine());
            DeviceClaim.DeviceBusyException busy = assertThrows(DeviceClaim.DeviceBusyException.class,
                    () -> DeviceClaim.acquire(folder, "tap9", "e1000 in stack 'host'"));
            assertTrue(busy.holder().contains("stack 'other' (pid " + holder.pid() + ")"), busy.holder());
            assertTrue(DeviceClaim.holder(folder, "tap9").orElseThrow().contains("pid " + holder.pid()));
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
        try (DeviceClaim mine = DeviceClaim.acquire(folder, "tap9", "e1000 in stack 'host'")) {
            assertTrue(mine.owner().contains("pid " + ProcessHandle.current().pid()));
        }
    }

    /** Run in a child process: claims a device and sleeps until killed. */
    public static final class ClaimHolder {
        public static void main(String[] args) throws Exception {
            DeviceClaim claim = DeviceClaim.acquire(Path.of(args[0]), args[1], "passthrough in stack 'other'");
            System.out.println("held");
            System.out.flush();
            Thread.sleep(60_000);
            claim.close();
        }
    }
}
