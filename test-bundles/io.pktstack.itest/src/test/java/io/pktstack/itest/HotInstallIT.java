package io.pktstack.itest;

import static io.pktstack.itest.Pktstack.spec;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.PacketGenerator;
import io.pktstack.api.net.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

/**
 * Drivers that come and go while the stack runs: vdevpeer-net is not installed
 * at start; naming it installs its bundle from the driver repository and its
 * interface comes up. Then, while two virtio-net interfaces peered with each
 * other carry pktgen traffic and pktgen sends through vp0 to a third, the
 * driver bundle is updated to a new version
 * (its interface goes and comes back with its MAC, address and bridge
 * membership: its configuration survives, and the stack gives the interface
 * its settings back), stopped and started (the same), uninstalled and
 * installed again (the same), and stopped through the driver manager (the
 * interface goes for good, the pool is full again), and the traffic loses no
 * frame.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HotInstallIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Framework property naming the driver repository (as bin/pktstack sets it). */
    private static final String REPOSITORY = "pktstack.driver.repository";

    @Inject
    private BundleContext bc;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>();
        for (Option o : ItestOptions.pktstackRuntime(false)) {
            options.add(o);
        }
        options.add(frameworkProperty(REPOSITORY).value(repositoryWithVdevpeer().toString()));
        return options.toArray(new Option[0]);
    }

    /** A driver repository holding this build's vdevpeer-net bundle (runs in the failsafe JVM). */
    private static Path repositoryWithVdevpeer() {
        try {
            Path folder = Files.createTempDirectory("pktstack-drivers-");
            Files.copy(ItestOptions.builtBundle("io.pktstack.driver.vdevpeer"),
                    folder.resolve("io.pktstack.driver.vdevpeer.jar"));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    public void aDriverIsInstalledOnDemandUpdatedAndUninstalledUnderTraffic() throws Exception {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.service(DriverManager.class);
        NetworkStack stack = p.stack();
        PacketGenerator pktgen = p.service(PacketGenerator.class);
        Await.until("virtio-net to be known", () -> Pktstack.driverNames(dm), n -> n.contains(Pktstack.VIRTIO));
        assertNull("vdevpeer-net is not installed at start", p.bundleOrNull(Pktstack.VDEVPEER_BUNDLE));
        assertEquals(List.of(Pktstack.VDEVPEER), dm.available().stream().map(DriverManager.DriverInfo::name).toList());

        // Two guest interfaces of this stack, peered with each other: the traffic that must not notice.
        assertEquals(List.of("vt0"), dm.start(List.of(spec(Pktstack.VIRTIO, "name=a,peer=/dev/qvm/itest/b")), TIMEOUT));
        assertEquals(List.of("vt1"), dm.start(List.of(spec(Pktstack.VIRTIO, "name=b,peer=/dev/qvm/itest/a")), TIMEOUT));
        Await.until("vt0 and vt1 to have carrier", () -> stack.interfaceInfo("vt0").isRunning()
                && stack.interfaceInfo("vt1").isRunning(), up -> up);
        // At rest the guest links hold no pool frame (they copy out of shared memory), so the pool is
        // full once the carrier announcements have gone out: the state to come back to.
        Await.until("the frame pool to be full before the driver comes", stack::buffers, b -> b.inUse() == 0);

        // Install on demand: the bundle comes from the repository, the interface comes up.
        long t0 = System.nanoTime();
        List<String> ifs = dm.start(List.of(spec(Pktstack.VDEVPEER, "peer=/dev/qvm/itest/c,bind=/dev/vdevpeers/vp0")), TIMEOUT);
        long installToUpMicros = (System.nanoTime() - t0) / 1000;
        System.out.println("HotInstallIT: install of vdevpeer-net to vp0 up: " + installToUpMicros + " us");
        assertEquals(List.of("vp0"), ifs);
        Bundle driver = p.bundle(Pktstack.VDEVPEER_BUNDLE);
        assertEquals(Bundle.ACTIVE, driver.getState());
        assertTrue(dm.available().isEmpty());
        Object instance = p.factoryConfigurations(Pktstack.VDEVPEER_PID).get(0).getProperties().get("pktstack.instance");
        // A guest interface on vp0, so that the driver being replaced has frames of its own in flight.
        assertEquals(List.of("vt2"), dm.start(List.of(spec(Pktstack.VIRTIO, "name=c,peer=/dev/vdevpeers/vp0")), TIMEOUT));
        Await.until("vp0 and vt2 to have carrier", () -> stack.interfaceInfo("vp0").isRunning()
                && stack.interfaceInfo("vt2").isRunning(), up -> up);
        MacAddress vt2 = stack.interfaceInfo("vt2").mac();
        // What the operator set on vp0, which every restart of its driver must give back.
        stack.createBridge("bridge0");
        stack.bridgeAdd("bridge0", "vp0");
        stack.addAddress("vp0", InterfaceAddress.parse("fd00:77::1/64"));
        MacAddress vp0 = stack.interfaceInfo("vp0").mac();

        MacAddress vt1 = stack.interfaceInfo("vt1").mac();
        long received0 = stack.interfaceInfo("vt1").counters().inPackets();
        AtomicLong offered = new AtomicLong();
        AtomicLong offeredOnVp0 = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread traffic = new Thread(() -> {
            while (!stop.get()) {
                offered.addAndGet(pktgen.transmit("vt0", vt1, 60, 20_000, 32).offered());
            }
        }, "itest-traffic");
        Thread driverTraffic = new Thread(() -> {
            while (!stop.get()) {
                try {
                    offeredOnVp0.addAndGet(pktgen.transmit("vp0", vt2, 60, 5_000, 32).offered());
                } catch (IllegalArgumentException gone) {
                    Thread.onSpinWait(); // vp0 is away (update, stop, uninstall): keep trying
                }
            }
        }, "itest-traffic-vp0");
        traffic.start();
        driverTraffic.start();
        try {
            Await.until("traffic to flow", offered::get, n -> n > 0);
            Await.until("traffic through vp0 to flow", offeredOnVp0::get, n -> n > 0);

            // Update to a new version under traffic: vp0 goes and comes back from the same configuration.
            Version before = driver.getVersion();
            try (InputStream in = Files.newInputStream(withVersion(driver, new Version(before.getMajor(),
                    before.getMinor(), before.getMicro() + 1, "update")))) {
                driver.update(in);
            }
            assertEquals(new Version(before.getMajor(), before.getMinor(), before.getMicro() + 1, "update"),
                    driver.getVersion());
            Await.until("vp0 to come back after the update", p::interfaceNames, n -> n.contains("vp0"));
            assertSettingsKept(stack, vp0, "the update");
            assertEquals(1, p.factoryConfigurations(Pktstack.VDEVPEER_PID).size());
            assertEquals(instance, p.factoryConfigurations(Pktstack.VDEVPEER_PID).get(0).getProperties()
                    .get("pktstack.instance"));
            Await.until("vdevpeer-net to be known in its new version", dm::known, k -> k.stream()
                    .anyMatch(d -> d.name().equals(Pktstack.VDEVPEER) && d.version().endsWith("update")));

            // Stop and start under traffic: vp0 goes with the bundle and comes back from its configuration.
            driver.stop();
            Await.until("vp0 to leave with the stopped bundle", p::interfaceNames, n -> !n.contains("vp0"));
            assertEquals(1, p.factoryConfigurations(Pktstack.VDEVPEER_PID).size());
            driver.start();
            Await.until("vp0 to come back after start", p::interfaceNames, n -> n.contains("vp0"));
            assertSettingsKept(stack, vp0, "stop and start");

            // Uninstall under traffic: vp0 goes, its configuration stays; installed again, it comes back as it was.
            String location = driver.getLocation();
            driver.uninstall();
            Await.until("vp0 to leave", p::interfaceNames, n -> !n.contains("vp0"));
            assertFalse(Pktstack.driverNames(dm).contains(Pktstack.VDEVPEER));
            Bundle again = bc.installBundle(location);
            again.start();
            Await.until("vp0 to come back after a new install", p::interfaceNames, n -> n.contains("vp0"));
            assertSettingsKept(stack, vp0, "uninstall and install");

            // Stopped through the driver manager (umount): vp0 goes for good, and is forgotten.
            dm.stop("vp0");
            assertFalse(p.interfaceNames().contains("vp0"));
            assertTrue(stack.bridgeMembers("bridge0").isEmpty());
            again.uninstall();
        } finally {
            stop.set(true);
            traffic.join();
            driverTraffic.join();
        }
        assertTrue("vt2 received from vp0", stack.interfaceInfo("vt2").counters().inPackets() > 0);

        System.out.println("HotInstallIT: " + offered.get() + " frames offered on vt0 during install, update and uninstall");
        // Every frame offered on vt0 arrived on vt1, and the pool is full again: the frames vp0 had in
        // flight when its driver went came back.
        long expected = received0 + offered.get();
        Await.until("vt1 to count every frame vt0 sent (" + offered.get() + ")",
                () -> stack.interfaceInfo("vt1").counters().inPackets(), n -> n == expected);
        Await.until("the frame pool to be full again", stack::buffers, b -> b.inUse() == 0);
        assertTrue("vt0 kept its link through it all", stack.interfaceInfo("vt0").isRunning());
    }

    /** vp0 came back as the operator had it: same MAC, address, bridge membership. */
    private static void assertSettingsKept(NetworkStack stack, MacAddress mac, String after) {
        var vp0 = stack.interfaceInfo("vp0");
        assertEquals("vp0's MAC after " + after, mac, vp0.mac());
        assertTrue("vp0's address after " + after + ": " + vp0.addresses(),
                vp0.addresses().contains(InterfaceAddress.parse("fd00:77::1/64")));
        assertEquals("vp0's bridge after " + after, "bridge0", vp0.bridge());
        assertEquals(List.of("vp0"), stack.bridgeMembers("bridge0"));
    }

    /** A copy of the bundle's jar with another Bundle-Version: the "new version" to update to. */
    private static Path withVersion(Bundle bundle, Version version) throws IOException {
        Path original = Path.of(java.net.URI.create(bundle.getLocation()));
        Path copy = Files.createTempFile("vdevpeer-", ".jar");
        try (JarFile in = new JarFile(original.toFile());
             OutputStream os = Files.newOutputStream(copy)) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().putValue("Bundle-Version", version.toString());
            try (JarOutputStream out = new JarOutputStream(os, m)) {
                var entries = in.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().equals("META-INF/MANIFEST.MF") || e.getName().equals("META-INF/")) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream is = in.getInputStream(e)) {
                        is.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return copy;
    }
}
