package io.pktstack.driver.vdevpeer.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.options.IoPktCommandLine;
import io.pktstack.api.options.SubOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VdevPeerOptionsTest {

    static final DriverContext CONTEXT = new DriverContext(Path.of("/tmp/pktstack-test-root"), "host");

    /** The seed's host command line, as its startup script has it. */
    static final String SEED = """
            io-pkt-v6-hc -d e1000 -d vdevpeer-net \\
            peer=/dev/qvm/qnx7-guest1/p2p,bind=/dev/vdevpeers/vp0,\\
            peer=/dev/qvm/qnx7-guest2/p2p,bind=/dev/vdevpeers/vp1,\\
            peer=/dev/qvm/linux-guest/p2p,bind=/dev/vdevpeers/vp2
            """;

    private static Map<String, Object> configure(String options) {
        return VdevPeerOptions.configure(SubOptions.parse(options), CONTEXT);
    }

    private static String refused(String options) {
        return assertThrows(IllegalArgumentException.class, () -> configure(options)).getMessage();
    }

    @Test
    void theSeedsCommandLineGivesOneInterfacePerPeerBindGroup() {
        SubOptions opts = IoPktCommandLine.parse(SEED).drivers().get(1).options();
        Map<String, Object> p = VdevPeerOptions.configure(opts, CONTEXT);
        assertArrayEquals(new String[] {"/dev/qvm/qnx7-guest1/p2p", "/dev/qvm/qnx7-guest2/p2p", "/dev/qvm/linux-guest/p2p"},
                (String[]) p.get("peer.paths"));
        assertArrayEquals(new String[] {"/dev/vdevpeers/vp0", "/dev/vdevpeers/vp1", "/dev/vdevpeers/vp2"},
                (String[]) p.get("bind.paths"));
        assertArrayEquals(new String[] {"", "", ""}, (String[]) p.get("macs"));
        assertEquals("vp", p.get(Link.PREFIX));
        assertEquals(3, new VdevPeerDescriptor().interfaceCount(p));
    }

    @Test
    void macNameLegacyPriorityAndUnit() {
        Map<String, Object> p = configure("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=02005e000001,"
                + "peer=/dev/qvm/b/p2p,bind=/dev/vdevpeers/vp1,name=gp,legacy,priority=10,unit=4");
        assertArrayEquals(new String[] {"02:00:5e:00:00:01", ""}, (String[]) p.get("macs"));
        assertEquals("gp", p.get(Link.PREFIX));
        assertEquals(true, p.get("legacy"));
        assertEquals(10, p.get("priority"));
        assertEquals(4, p.get(Link.UNIT));
    }

    @Test
    void badOptionsAreRefusedNamingTheToken() {
        assertTrue(refused("bind=/dev/vdevpeers/vp0").contains("'bind=/dev/vdevpeers/vp0' without a peer="));
        assertTrue(refused("peer=/dev/qvm/a/p2p").contains("has no bind="));
        // A guest's node decides who connects in peer-to-peer mode: a host's node may not pose as one.
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/qvm/host/vp0").contains("'bind=/dev/qvm/host/vp0'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,peer=/dev/qvm/b/p2p,bind=/dev/vdevpeers/vp0").contains("'peer=/dev/qvm/a/p2p'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,speed=100").contains("unknown option 'speed=100'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=02:00:00:00:00:01").contains("12 hex digits"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=0200000000zz").contains("0200000000zz"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=010000000001").contains("multicast"));
        assertTrue(refused("mac=020000000001,peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0").contains("before any peer="));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,legacy=1").contains("'legacy=1'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,priority=0").contains("'priority=0'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,name=VP9").contains("'name=VP9'"));
        assertTrue(refused("peer=../x,bind=/dev/vdevpeers/vp0").contains("must be absolute"));
        assertTrue(refused("peer=/dev/../../etc/x,bind=/dev/vdevpeers/vp0").contains("outside the device root"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/b/p2p,bind=/dev/vdevpeers/vp0")
                .contains("names the node of 'bind=/dev/vdevpeers/vp0' again"));
        assertTrue(refused("").contains("no interface"));
    }

    @Test
    void aGuestOrANodeNamedTwiceIsRefused() {
        // The same guest served by two interfaces: both would connect to its one node.
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp1")
                .contains("'peer=/dev/qvm/a/p2p' names the node of 'peer=/dev/qvm/a/p2p' again"));
        // Spelled differently, the same node.
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/a//./p2p,bind=/dev/vdevpeers/vp1")
                .contains("'peer=/dev/qvm/a//./p2p'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/vdevpeers/vp0,bind=/dev/vdevpeers/vp1")
                .contains("'peer=/dev/vdevpeers/vp0' names the node of 'bind=/dev/vdevpeers/vp0'"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=000000000000").contains("all zeros"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=ffffffffffff").contains("broadcast"));
    }

    @Test
    void aSocketPathLongerThanLinuxTakesIsRefusedBeforeAnythingStarts() {
        String deep = "/dev/qvm/" + "g".repeat(90) + "/p2p";
        String m = refused("peer=" + deep + ",bind=/dev/vdevpeers/vp0");
        assertTrue(m.contains("'peer=" + deep + "'") && m.contains("at most 107"), m);
    }

    @Test
    void generatedMacsAndUnitsArePartOfTheConfiguration() {
        Map<String, Object> p = configure("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,mac=02005e000001,"
                + "peer=/dev/qvm/b/p2p,bind=/dev/vdevpeers/vp1,unit=4");
        String[] generated = (String[]) p.get("macs.generated");
        assertEquals("", generated[0], "an assigned MAC needs none");
        assertTrue(io.pktstack.api.net.MacAddress.parse(generated[1]).isLocallyAdministered());
        assertArrayEquals(new int[] {4, 5}, (int[]) p.get("units"));
        assertTrue(refused("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,peer=/dev/qvm/b/p2p,bind=/dev/vdevpeers/vp1,"
                + "unit=1023").contains("'unit=1023'"));
    }

    @Test
    void oneInterfaceCanBeTakenOutOfAnInstance() {
        Map<String, Object> p = configure("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0,"
                + "peer=/dev/qvm/b/p2p,bind=/dev/vdevpeers/vp1,mac=02005e000002,peer=/dev/qvm/c/p2p,bind=/dev/vdevpeers/vp2,"
                + "unit=3");
        Map<String, Object> q = new VdevPeerDescriptor().withoutInterface(p, "/dev/vdevpeers/vp1");
        assertArrayEquals(new String[] {"/dev/qvm/a/p2p", "/dev/qvm/c/p2p"}, (String[]) q.get("peer.paths"));
        assertArrayEquals(new String[] {"/dev/vdevpeers/vp0", "/dev/vdevpeers/vp2"}, (String[]) q.get("bind.paths"));
        assertArrayEquals(new String[] {"", ""}, (String[]) q.get("macs"));
        String[] gen = (String[]) p.get("macs.generated");
        assertArrayEquals(new String[] {gen[0], gen[2]}, (String[]) q.get("macs.generated"));
        assertArrayEquals(new int[] {3, 5}, (int[]) q.get("units"), "the others keep their units");
        assertEquals(2, new VdevPeerDescriptor().interfaceCount(q));
        assertEquals(null, new VdevPeerDescriptor().withoutInterface(p, "/dev/vdevpeers/vp9"));
        Map<String, Object> one = configure("peer=/dev/qvm/a/p2p,bind=/dev/vdevpeers/vp0");
        assertEquals(null, new VdevPeerDescriptor().withoutInterface(one, "/dev/vdevpeers/vp0"),
                "the last interface goes with its instance");
    }
}
