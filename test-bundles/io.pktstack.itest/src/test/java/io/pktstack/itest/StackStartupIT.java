package io.pktstack.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** The framework starts with the pktstack runtime, and the stack is there before any driver runs. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StackStartupIT {

    private static final List<String> PKTSTACK_BUNDLES = List.of("io.pktstack.api", "io.pktstack.vdev",
            "io.pktstack.core", "io.pktstack.shell", "io.pktstack.driver.vdevpeer", "io.pktstack.driver.virtio");

    @Inject
    private BundleContext bc;

    @Configuration
    public Option[] config() {
        return ItestOptions.pktstackRuntime();
    }

    @Test
    public void everyPktstackBundleIsActiveAndTheLauncherIsAbsent() {
        Map<String, Integer> states = new TreeMap<>();
        for (Bundle b : bc.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.pktstack.")) {
                states.put(b.getSymbolicName(), b.getState());
            }
        }
        for (String bsn : PKTSTACK_BUNDLES) {
            assertEquals(bsn + " state (ACTIVE is " + Bundle.ACTIVE + ") in " + states, Integer.valueOf(Bundle.ACTIVE),
                    states.get(bsn));
        }
        assertFalse("the launcher needs the bnd launcher and must not be provisioned", states.containsKey("io.pktstack.launcher"));
    }

    /** The services are registered and do their work (a lookup alone proves nothing: it throws when one is missing). */
    @Test
    public void networkStackDriverManagerAndConfigAdminAnswer() throws Exception {
        Pktstack p = new Pktstack(bc);
        assertTrue(p.stack().interfaceInfo("lo0").isUp());
        assertTrue(p.stack().tunables().stream().anyMatch(t -> t.name().equals("net.inet.ip.ttl") && t.value() == 64));
        DriverManager dm = p.service(DriverManager.class);
        IllegalArgumentException unknown = org.junit.Assert.assertThrows(IllegalArgumentException.class,
                () -> dm.check(List.of(Pktstack.spec("rtl8139", ""))));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("unknown driver 'rtl8139'")
                && unknown.getMessage().contains(Pktstack.VIRTIO));
        // ConfigAdmin is what driver instances are made of: it keeps what it is given.
        var c = p.configAdmin().getConfiguration("io.pktstack.itest.probe", "?");
        c.update(new java.util.Hashtable<>(Map.of("x", 1)));
        assertEquals(1, p.configAdmin().getConfiguration("io.pktstack.itest.probe", "?").getProperties().get("x"));
        c.delete();
    }

    @Test
    public void bothGuestLinkDriversAreKnownWithTheirBundles() {
        DriverManager dm = new Pktstack(bc).driverManager();
        Map<String, String> bundleOf = new TreeMap<>();
        for (DriverManager.DriverInfo d : dm.known()) {
            bundleOf.put(d.name(), d.bundle());
        }
        assertEquals("io.pktstack.driver.virtio", bundleOf.get(Pktstack.VIRTIO));
        assertEquals("io.pktstack.driver.vdevpeer", bundleOf.get(Pktstack.VDEVPEER));
        assertTrue("no driver instance before anyone asks for one: " + dm.instances(), dm.instances().isEmpty());
    }

    @Test
    public void theLoopbackInterfaceIsUpWithItsAddresses() {
        NetworkStack stack = new Pktstack(bc).stack();
        List<InterfaceInfo> ifs = stack.interfaces();
        assertEquals("only the loopback before any driver starts: " + ifs, List.of("lo0"),
                ifs.stream().map(InterfaceInfo::name).toList());
        InterfaceInfo lo = stack.interfaceInfo("lo0");
        assertTrue(lo.isUp());
        assertTrue(lo.flags().contains(InterfaceInfo.Flag.LOOPBACK));
        assertTrue(lo.addresses().toString(), lo.addresses().contains(InterfaceAddress.parse("127.0.0.1/8")));
        assertTrue(lo.addresses().toString(), lo.addresses().contains(InterfaceAddress.parse("::1/128")));
    }

    @Test
    public void noPktstackComponentIsUnsatisfiedOrFailed() {
        Pktstack p = new Pktstack(bc);
        ServiceComponentRuntime scr = p.service(ServiceComponentRuntime.class);
        // SCR activates on its own thread: wait until every pktstack component has settled.
        List<String> bad = Await.until("pktstack components to be satisfied", () -> unsettled(scr), List::isEmpty);
        assertEquals(List.of(), bad);
        // The driver components need a factory configuration each: none yet, so no instance.
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.bundle.symbolicName.startsWith("io.pktstack.driver.") && d.configurationPolicy.equals("require")) {
                assertTrue(d.name, scr.getComponentConfigurationDTOs(d).isEmpty());
            }
        }
        assertEquals(List.of(), p.factoryConfigurations(Pktstack.VDEVPEER_PID));
        assertEquals(List.of(), p.factoryConfigurations(Pktstack.VIRTIO_PID));
    }

    /** Components of io.pktstack bundles that are not (yet) satisfied or active, with their state and failure. */
    private static List<String> unsettled(ServiceComponentRuntime scr) {
        List<String> out = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.bundle.symbolicName.startsWith("io.pktstack.")) {
                continue;
            }
            if (!scr.isComponentEnabled(d)) {
                out.add(d.name + " disabled");
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state != ComponentConfigurationDTO.SATISFIED && c.state != ComponentConfigurationDTO.ACTIVE) {
                    out.add(d.name + " state " + c.state + (c.failure == null ? "" : ": " + c.failure));
                }
            }
        }
        return out;
    }
}
