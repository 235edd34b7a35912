package io.pktstack.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.pktstack.api.board.BoardProfiles;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.RouteEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.inject.Inject;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Board profiles in a running framework: each feature file in {@code features/}
 * brings up the interfaces it describes (installing the driver bundles it
 * lists from the driver repository), and each broken file is refused whole
 * with a message naming the bad entry, leaving bundles, configurations,
 * driver instances and interfaces exactly as they were. One framework per
 * test, so one board cannot hide a leftover of another.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FeatureIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Inject
    private BundleContext bc;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(Arrays.asList(ItestOptions.boardRuntime()));
        options.add(frameworkProperty("pktstack.driver.repository").value(driverRepository().toString()));
        // Bundles a feature names that are neither installed nor in the driver repository come from
        // this build's own output, never from the developer's ~/.m2.
        options.add(frameworkProperty("pktstack.maven.repository").value(
                System.getProperty("pktstack.itest.reactorRepository", "target/reactor-repo")));
        return options.toArray(new Option[0]);
    }

    /** A driver repository with this build's e1000 and passthrough bundles, as bndrun/target/drivers. */
    private static Path driverRepository() {
        try {
            Path folder = Files.createTempDirectory("pktstack-drivers-");
            for (String b : List.of("io.pktstack.driver.e1000", "io.pktstack.driver.passthrough")) {
                Files.copy(ItestOptions.builtBundle(b), folder.resolve(b + ".jar"));
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** These profiles make TAP devices (e1000, passthrough): root and /dev/net/tun, else skipped with the reason. */
    private static void assumeTapDevices() {
        Assume.assumeTrue("TAP devices need root", "root".equals(System.getProperty("user.name")));
        Assume.assumeTrue("no /dev/net/tun on this machine", Files.exists(Path.of("/dev/net/tun")));
    }

    private static Path feature(String name) {
        return Path.of(System.getProperty("pktstack.itest.features", "../../features"), name);
    }

    private static Path broken(String name) {
        return Path.of(System.getProperty("pktstack.itest.brokenFeatures", "src/test/resources/broken-features"),
                name + ".json");
    }

    private BoardProfiles boards(Pktstack p) {
        p.driverManager(); // the guest-link drivers registered: the state every case starts from
        return p.service(BoardProfiles.class);
    }

    @Test
    public void theHostWithThreeGuestsAndAPhysicalLink() {
        assumeTapDevices();
        Pktstack p = new Pktstack(bc);
        BoardProfiles boards = boards(p);
        assertNull("e1000 comes from the repository", p.bundleOrNull("io.pktstack.driver.e1000"));

        BoardProfiles.Applied a = boards.apply(feature("host-three-guests.json"), TIMEOUT);

        assertEquals(List.of("vp0", "vp1", "vp2", "wm0"), a.interfaces());
        assertTrue(a.installed().toString(), a.installed().getFirst().startsWith("io.pktstack.driver.e1000 "));
        NetworkStack stack = p.stack();
        assertEquals(List.of("vp0", "vp1", "vp2", "wm0"), stack.bridgeMembers("bridge0"));
        assertTrue(stack.interfaceInfo("bridge0").addresses().contains(InterfaceAddress.parse("10.10.0.1/24")));
        assertTrue(stack.interfaceInfo("bridge0").addresses().contains(InterfaceAddress.parse("fd00:10::1/64")));
        assertEquals("e1000", stack.interfaceInfo("wm0").driver());
    }

    // The two guests of the peer-to-peer board each bind /dev/qvm/SYSTEM/p2p, so they are two
    // frameworks; ShellCommandsIT (e2e) runs them as two processes that ping each other.

    @Test
    public void guestAOfThePeerToPeerBoard() {
        guestOfThePeerToPeerBoard("a", "02:00:0a:14:00:01", "10.20.0.1/24");
    }

    @Test
    public void guestBOfThePeerToPeerBoard() {
        guestOfThePeerToPeerBoard("b", "02:00:0a:14:00:02", "10.20.0.2/24");
    }

    private void guestOfThePeerToPeerBoard(String guest, String mac, String address) {
        Pktstack p = new Pktstack(bc);
        BoardProfiles.Applied a = boards(p).apply(feature("p2p-guest-" + guest + ".json"), TIMEOUT);
        assertEquals(List.of("vt0"), a.interfaces());
        assertEquals(List.of(), a.installed());
        NetworkStack stack = p.stack();
        assertEquals(mac, stack.interfaceInfo("vt0").mac().toString());
        assertTrue(stack.interfaceInfo("vt0").addresses().contains(InterfaceAddress.parse(address)));
        assertTrue(stack.interfaceInfo("vt0").flags().toString(), stack.interfaceInfo("vt0").isUp());
    }

    @Test
    public void theGuestWithAPassThroughDevice() {
        assumeTapDevices();
        Pktstack p = new Pktstack(bc);
        BoardProfiles boards = boards(p);
        BoardProfiles.Applied a = boards.apply(feature("passthrough-guest.json"), TIMEOUT);
        assertEquals(List.of("wm0", "vt0"), a.interfaces());
        assertEquals("passthrough", p.stack().interfaceInfo("wm0").driver());
        assertTrue(p.stack().interfaceInfo("wm0").addresses().contains(InterfaceAddress.parse("192.168.77.2/24")));
        assertTrue(a.installed().toString(), a.installed().getFirst().startsWith("io.pktstack.driver.passthrough "));
    }

    @Test
    public void anUnknownDriverIsRefusedByItsEntry() {
        refused("unknown-driver", "configuration 'io.pktstack.driver~nic'", "unknown driver 'rtl8139'");
    }

    @Test
    public void aBadOptionIsRefusedByItsEntry() {
        refused("bad-option", "configuration 'io.pktstack.driver~g2'", "'speed=10'");
    }

    @Test
    public void aCollidingMacIsRefusedNamingBothEntries() {
        refused("colliding-mac", "MAC 02:00:00:00:00:07", "'io.pktstack.driver~a'", "'io.pktstack.driver~b'");
    }

    @Test
    public void aMissingBundleIsRefusedByItsId() {
        refused("missing-bundle", "bundle 'io.pktstack:io.pktstack.driver.rtl8139:0.1.0-SNAPSHOT' not found");
    }

    @Test
    public void aBundleWrittenAsAStringIsRefusedNotSkipped() {
        refused("bundle-as-string", "bundle entry 1", "must be an object");
    }

    @Test
    public void aTypoInPktstacksConfigurationNamespaceIsRefused() {
        refused("typo-pid", "configuration 'io.pktstack.drivr~x': no pktstack component takes PID 'io.pktstack.drivr'",
                "io.pktstack.driver~NAME");
    }

    @Test
    public void aMulticastMacIsRefused() {
        refused("multicast-mac", "configuration 'io.pktstack.driver~g'", "03:00:00:00:00:01 is a multicast address");
    }

    @Test
    public void anOptionsArrayWithANumberIsRefusedNamingTheElement() {
        refused("options-array-number", "configuration 'io.pktstack.driver~guests'", "\"options\" element 3, 7,");
    }

    @Test
    public void theOptionsOfADriverOnlyInTheRepositoryAreCheckedByIt() {
        refused("unknown-repository-option", "configuration 'io.pktstack.driver~nic'", "'speed=42'");
        assertNull("the check's install of e1000 was undone", new Pktstack(bc).bundleOrNull("io.pktstack.driver.e1000"));
    }

    @Test
    public void aFailingCommandUndoesTheDriversAndTheBridgeBeforeIt() {
        refused("failing-command", "command 4 'brconfig bridge0 add vp9' failed", "vp9");
    }

    @Test
    public void everythingAFailedProfileDidIsUndone() throws Exception {
        assumeTapDevices();
        // This one installs e1000 from the repository, starts two drivers, writes a configuration, and
        // its commands create a bridge, add a route, set a tunable and address lo0 before one fails.
        Pktstack p = new Pktstack(bc);
        NetworkStack stack = p.stack();
        List<InterfaceAddress> lo0 = stack.interfaceInfo("lo0").addresses();
        refused("undo-everything", "command 8 'brconfig bridge0 add vp9' failed");
        assertNull("e1000 uninstalled again", p.bundleOrNull("io.pktstack.driver.e1000"));
        assertNull("the configuration is gone",
                p.configAdmin().listConfigurations("(service.pid=org.example.board.setting)"));
        assertTrue("no static route left", stack.routes().stream()
                .noneMatch(r -> r.flags().contains(RouteEntry.Flag.STATIC)));
        assertEquals(64, stack.tunables().stream().filter(t -> t.name().equals("net.inet.ip.ttl")).findFirst()
                .orElseThrow().value());
        assertEquals(lo0, stack.interfaceInfo("lo0").addresses());
    }

    /**
     * Checks and applies a broken file: check refuses what apply refuses (a
     * failing command aside: commands run only when applied), both messages
     * name the entry, and nothing changed.
     */
    private void refused(String name, String... expected) {
        Pktstack p = new Pktstack(bc);
        BoardProfiles boards = boards(p);
        DriverManager dm = p.driverManager();
        Set<String> bundlesBefore = bundles();
        List<String> interfacesBefore = p.interfaceNames();
        if (!name.equals("failing-command") && !name.equals("undo-everything")) {
            IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> boards.check(broken(name)));
            for (String part : expected) {
                assertTrue("check: '" + c.getMessage() + "' should name " + part, c.getMessage().contains(part));
            }
            assertEquals("bundles after check", bundlesBefore, bundles());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> boards.apply(broken(name), TIMEOUT));
        for (String part : expected) {
            assertTrue("'" + e.getMessage() + "' should name " + part, e.getMessage().contains(part));
        }
        assertTrue(e.getMessage(), e.getMessage().contains(name));
        assertEquals("bundles", bundlesBefore, bundles());
        assertEquals("driver instances", List.of(), dm.instances());
        assertEquals("configurations", List.of(), p.factoryConfigurations(Pktstack.VDEVPEER_PID));
        assertEquals("configurations", List.of(), p.factoryConfigurations(Pktstack.VIRTIO_PID));
        Await.until("the interfaces to be as before", p::interfaceNames, n -> n.equals(interfacesBefore));
    }

    private Set<String> bundles() {
        Set<String> s = new TreeSet<>();
        for (Bundle b : bc.getBundles()) {
            s.add(b.getSymbolicName() + " " + b.getVersion() + " " + b.getState());
        }
        return s;
    }
}
