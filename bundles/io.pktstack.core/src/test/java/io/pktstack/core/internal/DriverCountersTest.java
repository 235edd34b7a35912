package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.link.DriverCounters;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.stack.Counters;
import org.junit.jupiter.api.Test;

/** A driver's own drops and errors reach the interface's counters (netstat -i), beside the stack's. */
class DriverCountersTest extends StackTestBase {

    /** A link whose driver counted drops and errors of its own. */
    private static final class CountingLink implements io.pktstack.api.link.Link {
        volatile DriverCounters counted = DriverCounters.NONE;
        volatile io.pktstack.api.link.LinkPort port;

        @Override
        public MacAddress mac() {
            return MacAddress.parse("02:00:00:00:00:01");
        }

        @Override
        public boolean macAssigned() {
            return true;
        }

        @Override
        public int mtu() {
            return 1514;
        }

        @Override
        public void attach(io.pktstack.api.link.LinkPort p) {
            port = p;
            p.carrierChanged(true);
        }

        @Override
        public void detach() {
            port = null;
        }

        @Override
        public int transmit(io.pktstack.api.frame.FrameBatch batch) {
            int n = batch.size();
            batch.releaseAll();
            return n;
        }

        @Override
        public boolean carrier() {
            return port != null;
        }

        @Override
        public DriverCounters counters() {
            return counted;
        }

        void deliver(byte[] bytes) {
            var f = port.pool().take();
            java.lang.foreign.MemorySegment.copy(bytes, 0, f.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                    f.offset(), bytes.length);
            f.length(bytes.length);
            var b = new io.pktstack.api.frame.FrameBatch();
            b.add(f);
            port.receive(b);
        }
    }

    @Test
    void theDriversDropsAndErrorsAddToTheStacks() {
        CountingLink link = new CountingLink();
        stack.addLink(link, java.util.Map.of(io.pktstack.api.link.Link.DRIVER, "fake", io.pktstack.api.link.Link.PREFIX,
                "vp"));
        // The stack drops a runt itself: one input drop of its own.
        link.deliver(new byte[10]);
        link.counted = new DriverCounters(3, 5, 7, 11);
        Counters c = stack.interfaceInfo("vp0").counters();
        assertEquals(3 + 1, c.inDrops());
        assertEquals(5, c.inErrors());
        assertEquals(7, c.outDrops());
        assertEquals(11, c.outErrors());
    }
}
