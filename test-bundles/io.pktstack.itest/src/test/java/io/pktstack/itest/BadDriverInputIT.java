package io.pktstack.itest;

import static io.pktstack.itest.Pktstack.spec;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.pktstack.api.stack.DriverManager;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;

/**
 * A bad {@code -d} is refused with a message that says what is wrong, and
 * leaves nothing behind: no configuration, no Link service, no interface, no
 * bound node. One framework per test, so a leftover from one case cannot hide
 * or cause a failure in another.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BadDriverInputIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    private BundleContext bc;

    @Configuration
    public Option[] config() {
        return ItestOptions.pktstackRuntime();
    }

    @Test
    public void anUnknownDriverIsRefusedListingTheKnownOnes() {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dm.start(List.of(spec("e1000", "")), TIMEOUT));

        assertTrue(e.getMessage(), e.getMessage().contains("e1000"));
        assertTrue(e.getMessage(), e.getMessage().contains(Pktstack.VDEVPEER));
        assertTrue(e.getMessage(), e.getMessage().contains(Pktstack.VIRTIO));
        assertNothingStarted(p);
    }

    @Test
    public void aBindWithoutAPeerIsRefusedAndNoConfigurationIsLeft() {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dm.start(List.of(spec(Pktstack.VDEVPEER, "bind=/dev/x")), TIMEOUT));

        assertTrue("names the bad token: " + e.getMessage(), e.getMessage().contains("bind=/dev/x"));
        assertNothingStarted(p);
        assertFalse(Files.exists(p.device("/dev/x")));
    }

    @Test
    public void whenTheSecondSpecIsBadTheFirstIsNotStartedEither() {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dm.start(List.of(
                spec(Pktstack.VDEVPEER, "peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp0"),
                spec(Pktstack.VIRTIO, "name=p2p")), TIMEOUT));

        assertTrue(e.getMessage(), e.getMessage().contains(Pktstack.VIRTIO) && e.getMessage().contains("peer="));
        assertNothingStarted(p);
        assertFalse("the first spec's node was never bound", Files.exists(p.device("/dev/vdevpeers/vp0")));
    }

    /**
     * Both specs are valid, but the second instance cannot bind its node (the
     * first holds it): it fails in SCR, after the first instance is up, and the
     * first is rolled back.
     */
    @Test
    public void whenTheSecondInstanceFailsToActivateTheFirstIsRolledBack() {
        Pktstack p = new Pktstack(bc);
        DriverManager dm = p.driverManager();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dm.start(List.of(
                spec(Pktstack.VDEVPEER, "peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp0"),
                spec(Pktstack.VDEVPEER, "peer=/dev/qvm/g2/p2p,bind=/dev/vdevpeers/vp0")), TIMEOUT));

        assertTrue(e.getMessage(), e.getMessage().startsWith(Pktstack.VDEVPEER + ": "));
        assertNothingStarted(p);
        assertFalse("the first instance's node is unbound again", Pktstack.isSocket(p.device("/dev/vdevpeers/vp0")));
    }

    /**
     * The driver's reason reaches the caller typed: the driver reports what its
     * activation throws (DriverFailures), so the caller gets that exception as
     * the cause and its message, not text read back from SCR's DTOs.
     */
    @Test
    public void anActivationFailureReportsTheDriversReason() {
        DriverManager dm = new Pktstack(bc).driverManager();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dm.start(List.of(
                spec(Pktstack.VDEVPEER, "peer=/dev/qvm/g1/p2p,bind=/dev/vdevpeers/vp0"),
                spec(Pktstack.VDEVPEER, "peer=/dev/qvm/g2/p2p,bind=/dev/vdevpeers/vp0")), TIMEOUT));

        assertTrue(e.getMessage(), e.getMessage().contains("/dev/vdevpeers/vp0") && e.getMessage().contains("in use"));
        assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof java.io.IOException);
        assertEquals(Pktstack.VDEVPEER + ": " + e.getCause().getMessage(), e.getMessage());
    }

    /** DriverManager.start documents that nothing of a failed call is left started when it returns. */
    private static void assertNothingStarted(Pktstack p) {
        assertEquals(List.of(), p.factoryConfigurations(Pktstack.VDEVPEER_PID));
        assertEquals(List.of(), p.factoryConfigurations(Pktstack.VIRTIO_PID));
        assertEquals(List.of(), p.links(Pktstack.VDEVPEER));
        assertEquals(List.of(), p.links(Pktstack.VIRTIO));
        assertEquals(List.of("lo0"), p.interfaceNames());
        assertEquals(List.of(), p.service(DriverManager.class).instances());
    }
}
