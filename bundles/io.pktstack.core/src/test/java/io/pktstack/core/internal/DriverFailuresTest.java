package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.Link;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A driver instance that cannot start says why through DriverFailures: the
 * driver manager waiting for its interfaces is woken at once and gets the
 * driver's exception, typed; a link the stack itself refuses is a failure of
 * its instance too; a link that later comes ends the failure.
 */
class DriverFailuresTest extends StackTestBase {

    private static Map<String, Object> props(String instance, String mac) {
        return Map.of(Link.DRIVER, "fake", Link.INSTANCE, instance, Link.PREFIX, "vp", Link.KEY, mac);
    }

    @Test
    void aReportWakesTheWaiterWithTheDriversException() throws Exception {
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return stack.awaitInterfaces("vdevpeer-net.7", ifs -> !ifs.isEmpty(), TimeUnit.SECONDS.toNanos(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        IOException why = new IOException("bind path /dev/vdevpeers/vp0 is in use by another instance");
        stack.failed("vdevpeer-net.7", why);
        assertFalse(waiting.get(5, TimeUnit.SECONDS), "woken by the report, long before its 60 s");
        assertSame(why, stack.failure("vdevpeer-net.7"));
        assertNull(stack.failure("vdevpeer-net.8"));
    }

    @Test
    void aLinkTheStackRefusesIsAFailureOfItsInstanceAndALaterLinkEndsIt() throws Exception {
        stack.addLink(new FakeLink("01:00:5e:00:00:01"), props("x.1", "k0")); // multicast: not a station's MAC
        Throwable refused = stack.failure("x.1");
        assertTrue(refused != null && refused.getMessage().contains("MAC"), String.valueOf(refused));
        assertFalse(stack.awaitInterfaces("x.1", ifs -> !ifs.isEmpty(), TimeUnit.SECONDS.toNanos(60)));

        stack.addLink(new FakeLink("02:00:00:00:00:01"), props("x.1", "k1"));
        assertNull(stack.failure("x.1"));
        assertTrue(stack.awaitInterfaces("x.1", ifs -> ifs.size() == 1, 0));
    }

    @Test
    void aStoppedInstanceForgetsItsFailure() {
        stack.failed("y.1", new IllegalArgumentException("bad"));
        stack.forget("y.1", null);
        assertNull(stack.failure("y.1"));
        assertTrue(stack.interfacesOf("y.1").equals(List.of()));
    }
}
