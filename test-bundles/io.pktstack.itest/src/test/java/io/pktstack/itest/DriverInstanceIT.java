package io.pktstack.itest;

import static io.pktstack.itest.Pktstack.spec;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import io.pktstack.api.link.Link;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import java.time.Duration;
import java.util.Dictionary;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Driver instances as factory configurations: {@code -d} makes one, its
 * interfaces come up, and taking the driver bundle away takes exactly its
 * interfaces away. One framework per test: both change the runtime.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class DriverInstanceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String TWO_LINKS =
            "peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/g2/p2p,bind=/dev/vdevpeers/vp1";

    @Inject
    private BundleContext bc;

    @Configuration
    public Option[] config() {
        return ItestOptions.pktstackRuntime();
    }

    @Test
    public void aVdevpeerInstanceBringsUpOneInterfacePerPeer() throws Exception {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();
        NetworkStack stack = p.stack();

        List<String> ifs = dm.start(List.of(spec(Pktstack.VDEVPEER, TWO_LINKS)), TIMEOUT);

        assertEquals(List.of("vp0", "vp1"), ifs);
        // One Link service per interface, from the driver's bundle.
        List<ServiceReference<Link>> links = p.links(Pktstack.VDEVPEER);
        assertEquals(links.toString(), 2, links.size());
        Set<String> descriptions = new TreeSet<>();
        for (ServiceReference<Link> r : links) {
            assertEquals(Pktstack.VDEVPEER_BUNDLE, r.getBundle().getSymbolicName());
            descriptions.add(String.valueOf(r.getProperty(Link.DESCRIPTION)));
        }
        assertEquals(Set.of("peer /dev/qvm/g1/p2p", "peer /dev/qvm/g2/p2p"), descriptions);
        // The instance is one factory configuration of the driver's component.
        var configs = p.factoryConfigurations(Pktstack.VDEVPEER_PID);
        assertEquals(configs.toString(), 1, configs.size());
        Dictionary<String, Object> props = configs.get(0).getProperties();
        assertArrayEquals(new String[] {"/dev/qvm/g1/p2p", "/dev/qvm/g2/p2p"}, (String[]) props.get("peer.paths"));
        assertArrayEquals(new String[] {"/dev/vdevpeers/vp0", "/dev/vdevpeers/vp1"}, (String[]) props.get("bind.paths"));
        assertEquals(p.root().toString(), props.get("pktstack.device.root"));
        Object instance = props.get(Link.INSTANCE);
        assertNotNull(instance);
        for (ServiceReference<Link> r : links) {
            assertEquals(instance, r.getProperty(Link.INSTANCE));
        }
        // Both nodes are bound under the device root.
        assertTrue(Pktstack.isSocket(p.device("/dev/vdevpeers/vp0")));
        assertTrue(Pktstack.isSocket(p.device("/dev/vdevpeers/vp1")));
        for (String name : ifs) {
            InterfaceInfo info = stack.interfaceInfo(name);
            assertEquals(Pktstack.VDEVPEER, info.driver());
            assertTrue(name + " is up", info.isUp());
            assertFalse(name + " has no guest behind it, so no carrier", info.isRunning());
        }

        // A guest interface in the same framework binds /dev/qvm/<pktstack.name>/p2p.
        assertEquals(List.of("vt0"), dm.start(List.of(spec(Pktstack.VIRTIO, "peer=/dev/vdevpeers/vp0")), TIMEOUT));
        assertTrue(p.interfaceNames().toString(), p.interfaceNames().containsAll(List.of("lo0", "vp0", "vp1", "vt0")));
        assertEquals(Pktstack.VIRTIO, stack.interfaceInfo("vt0").driver());
        assertTrue(Pktstack.isSocket(p.device("/dev/qvm/" + ItestOptions.SYSTEM_NAME + "/p2p")));
        assertEquals(1, p.links(Pktstack.VIRTIO).size());
        assertEquals(1, p.factoryConfigurations(Pktstack.VIRTIO_PID).size());
        List<DriverManager.InstanceInfo> instances = dm.instances();
        assertEquals(instances.toString(), Set.of(Pktstack.VDEVPEER, Pktstack.VIRTIO),
                instances.stream().map(DriverManager.InstanceInfo::driver).collect(Collectors.toSet()));
        assertEquals(instances.toString(), 2, instances.size());
    }

    @Test
    public void stoppingTheDriverBundleRemovesItsInterfacesAndTheStackKeepsRunning() throws Exception {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();
        NetworkStack stack = p.stack();
        ServiceReference<NetworkStack> stackRef = bc.getServiceReference(NetworkStack.class);
        Object stackId = stackRef.getProperty("service.id");
        int framesInUse = stack.buffers().inUse();
        assertEquals(List.of("vp0", "vp1"), dm.start(List.of(spec(Pktstack.VDEVPEER, TWO_LINKS)), TIMEOUT));
        Bundle driver = p.bundle(Pktstack.VDEVPEER_BUNDLE);

        driver.stop();

        assertEquals(Bundle.RESOLVED, driver.getState());
        List<String> left = Await.until("vp0 and vp1 to leave the interface table", p::interfaceNames,
                names -> !names.contains("vp0") && !names.contains("vp1"));
        assertEquals(List.of("lo0"), left);
        assertEquals(List.of(), p.links(Pktstack.VDEVPEER));
        Await.until("the nodes to be unbound", () -> Pktstack.isSocket(p.device("/dev/vdevpeers/vp0"))
                || Pktstack.isSocket(p.device("/dev/vdevpeers/vp1")), bound -> !bound);
        // Every frame the links held is back in the pool.
        Await.until("the frame pool to be back where it was", stack::buffers, b -> b.inUse() == framesInUse);
        // The same stack, still registered and usable; the driver is no longer known.
        ServiceReference<NetworkStack> now = bc.getServiceReference(NetworkStack.class);
        assertNotNull("NetworkStack must stay registered", now);
        assertEquals("the stack must not have been restarted", stackId, now.getProperty("service.id"));
        assertSame(stack, bc.getService(now));
        stack.createBridge("bridge0");
        assertEquals(List.of("lo0", "bridge0"), p.interfaceNames());
        assertEquals(List.of(Pktstack.VIRTIO), Pktstack.driverNames(dm));
        // The instance's configuration outlives the bundle: it is the instance.
        assertEquals(1, p.factoryConfigurations(Pktstack.VDEVPEER_PID).size());

        driver.start();

        // SCR activates the instance from its configuration again: the same names come back.
        Await.until("vp0 and vp1 to come back", p::interfaceNames,
                names -> names.containsAll(List.of("vp0", "vp1")));
        assertEquals(2, p.links(Pktstack.VDEVPEER).size());
        assertTrue(Pktstack.isSocket(p.device("/dev/vdevpeers/vp0")));
        Await.until("vdevpeer-net to be known again", () -> Pktstack.driverNames(dm),
                names -> names.contains(Pktstack.VDEVPEER));
    }
}
