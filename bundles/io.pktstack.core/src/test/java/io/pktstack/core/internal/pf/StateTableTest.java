package io.pktstack.core.internal.pf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The state table's two indexes stay consistent through inserts and removals, to its limit and back. */
class StateTableTest {

    record Flow(int proto, int in, int inPort, int out, int outPort, int peer, int peerPort) {
    }

    @Test
    void everyFlowIsFoundBothWaysUntilRemovedAndTheLimitHolds() {
        StateTable t = new StateTable(1000);
        Random r = new Random(5508);
        List<Flow> flows = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            while (t.count() < t.capacity()) {
                // Few distinct addresses and ports: many hash collisions, long probe runs to delete through.
                Flow f = new Flow(r.nextBoolean() ? 6 : 17, 0x0a000000 | r.nextInt(4), r.nextInt(512), 0xc0000201,
                        50001 + r.nextInt(15000), 0x08080808 | r.nextInt(2), 53);
                if (t.findInside(f.proto, f.in, f.inPort, f.peer, f.peerPort) >= 0
                        || t.findOutside(f.proto, f.out, f.outPort, f.peer, f.peerPort) >= 0) {
                    continue;
                }
                int s = t.insert(StateTable.NAT, "wm0", f.proto, f.in, f.inPort, f.out, f.outPort, f.peer, f.peerPort, 0);
                assertTrue(s >= 0);
                flows.add(f);
                ids.add(s);
            }
            assertEquals(-1, t.insert(StateTable.NAT, "wm0", 6, 1, 1, 1, 1, 1, 1, 0), "full");
            for (int k = 0; k < 400; k++) {
                int i = r.nextInt(flows.size());
                t.remove(ids.get(i));
                Flow f = flows.get(i);
                assertEquals(-1, t.findInside(f.proto, f.in, f.inPort, f.peer, f.peerPort));
                assertEquals(-1, t.findOutside(f.proto, f.out, f.outPort, f.peer, f.peerPort));
                flows.remove(i);
                ids.remove(i);
            }
            for (int i = 0; i < flows.size(); i++) {
                Flow f = flows.get(i);
                assertEquals(ids.get(i), t.findInside(f.proto, f.in, f.inPort, f.peer, f.peerPort), "inside " + f);
                assertEquals(ids.get(i), t.findOutside(f.proto, f.out, f.outPort, f.peer, f.peerPort), "outside " + f);
            }
        }
        assertEquals(flows.size(), t.clear());
        assertEquals(0, t.count());
    }

    @Test
    void expiryRemovesOnlyStatesPastTheirTime() {
        StateTable t = new StateTable(4);
        int a = t.insert(StateTable.NAT, "wm0", 17, 1, 1, 9, 50001, 2, 53, 0);
        int b = t.insert(StateTable.RDR, "wm0", 6, 3, 80, 9, 8080, 4, 4000, 0);
        t.expires[a] = 100;
        t.expires[b] = 200;
        assertEquals(1, t.expire(150));
        assertEquals(-1, t.findInside(17, 1, 1, 2, 53));
        assertEquals(b, t.findOutside(6, 9, 8080, 4, 4000));
    }
}
