package io.pktstack.itest;

import static io.pktstack.itest.Pktstack.spec;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pktstack.api.stack.Counters;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NeighborEntry;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.PingResult;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * Both guest-link drivers in one framework, wired to each other: the host end
 * {@code vp0} (vdevpeer-net) and the guest end {@code vt0} (virtio-net) meet
 * through the Unix socket and the guest's shared memory.
 *
 * <p>Both interfaces belong to the same stack, so a ping from it to vt0's
 * address leaves through vp0 (the first interface whose prefix matches) and
 * must cross the link twice: ARP and echo request from vp0 to vt0, ARP and
 * echo reply back. The stack answers only for addresses of the interface a
 * frame arrived on, so the reply can only come from vt0 over the link; the
 * test checks that path (vt0's MAC learned on vp0, packets counted on both
 * ends) rather than trusting the reply alone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PeerToPeerIT {

    @Inject
    private BundleContext bc;

    @Configuration
    public Option[] config() {
        return ItestOptions.pktstackRuntime();
    }

    @Test
    public void hostAndGuestEndsGetCarrierAndAPingCrossesTheLink() throws Exception {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();
        NetworkStack stack = p.stack();

        List<String> ifs = dm.start(List.of(
                spec(Pktstack.VDEVPEER, "peer=/dev/qvm/" + ItestOptions.SYSTEM_NAME + "/p2p,bind=/dev/vdevpeers/vp0"),
                spec(Pktstack.VIRTIO, "peer=/dev/vdevpeers/vp0")), Duration.ofSeconds(10));
        assertEquals(List.of("vp0", "vt0"), ifs);
        for (String name : ifs) {
            Await.until(name + " to have carrier", () -> stack.interfaceInfo(name), InterfaceInfo::isRunning);
        }

        InetAddress vp0Address = InetAddress.getByName("10.9.0.1");
        InetAddress vt0Address = InetAddress.getByName("10.9.0.2");
        stack.addAddress("vp0", new InterfaceAddress(vp0Address, 24));
        stack.addAddress("vt0", new InterfaceAddress(vt0Address, 24));
        Counters vp0Before = stack.interfaceInfo("vp0").counters();
        Counters vt0Before = stack.interfaceInfo("vt0").counters();

        PingResult r = stack.ping(vt0Address, 0, 56, Duration.ofSeconds(2));

        assertTrue("no echo reply: " + r, r.replied());
        assertEquals(vt0Address, r.destination());
        assertEquals(56, r.bytes());
        // The request left through vp0, so vt0's MAC was learned there, by ARP over the link.
        NeighborEntry learned = stack.neighbors(false).stream()
                .filter(n -> n.address().equals(vt0Address)).findFirst()
                .orElseThrow(() -> new AssertionError("no ARP entry for 10.9.0.2: " + stack.neighbors(false)));
        assertEquals("vp0", learned.ifName());
        assertEquals(stack.interfaceInfo("vt0").mac(), learned.mac());
        // ARP request and echo request out of vp0 into vt0, ARP reply and echo reply back.
        // Counted on the drivers' threads, so wait for the numbers; extra frames (such as
        // IPv6 announcements) only add to them.
        Await.until("vp0 to count two frames out and two in", () -> stack.interfaceInfo("vp0").counters(),
                c -> c.outPackets() - vp0Before.outPackets() >= 2 && c.inPackets() - vp0Before.inPackets() >= 2);
        Await.until("vt0 to count two frames in and two out", () -> stack.interfaceInfo("vt0").counters(),
                c -> c.inPackets() - vt0Before.inPackets() >= 2 && c.outPackets() - vt0Before.outPackets() >= 2);

        // A second echo goes straight out: the neighbour is known now.
        assertTrue(stack.ping(vt0Address, 1, 56, Duration.ofSeconds(2)).replied());
        // And an address nobody on the link holds gets no answer: replies are not made up locally.
        PingResult nobody = stack.ping(InetAddress.getByName("10.9.0.3"), 2, 56, Duration.ofMillis(300));
        assertFalse("10.9.0.3 does not exist: " + nobody, nobody.replied());
    }
}
