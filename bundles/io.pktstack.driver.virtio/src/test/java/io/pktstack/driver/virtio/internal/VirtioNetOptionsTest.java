package io.pktstack.driver.virtio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.options.SubOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtioNetOptionsTest {

    static final DriverContext GUEST1 = new DriverContext(Path.of("/tmp/pktstack-test-root"), "qnx7-guest1");

    private static Map<String, Object> configure(String options) {
        return VirtioNetOptions.configure(SubOptions.parse(options), GUEST1);
    }

    private static String refused(String options) {
        return assertThrows(IllegalArgumentException.class, () -> configure(options)).getMessage();
    }

    /** qvm's "vdev virtio-net name p2p peer /dev/vdevpeers/vp0 mac aa:aa:aa:aa:aa:aa peerfeats 0x3" as suboptions. */
    @Test
    void theSeedsGuestOptions() {
        Map<String, Object> p = configure("name=p2p,peer=/dev/vdevpeers/vp0,mac=aa:aa:aa:aa:aa:aa,peerfeats=0x3");
        assertEquals("/dev/vdevpeers/vp0", p.get("peer.path"));
        assertEquals("/dev/qvm/qnx7-guest1/p2p", p.get("bind.path"));
        // 0xaa = 1010 1010: the multicast bit is clear and the locally administered bit set.
        assertEquals("aa:aa:aa:aa:aa:aa", p.get("mac"));
        assertEquals(3L, p.get("peerfeats"));
    }

    @Test
    void optionsBecomeProperties() {
        Map<String, Object> p = configure("peer=/dev/qvm/other/p2p,name=net1,mac=02:aa:aa:aa:aa:01,peerfeats=3,bind-mode=0660,lan=2");
        assertEquals("/dev/qvm/qnx7-guest1/net1", p.get("bind.path"));
        assertEquals("02:aa:aa:aa:aa:01", p.get("mac"));
        assertEquals(3L, p.get("peerfeats"));
        assertEquals("rw-rw----", p.get("bind.mode"));
        assertEquals(2, p.get(Link.UNIT));
        assertEquals("vt", p.get(Link.PREFIX));
        assertEquals("/dev/qvm/qnx7-guest1/p2p", configure("peer=/dev/vdevpeers/vp0").get("bind.path"));
    }

    @Test
    void badOptionsAreRefusedNamingTheToken() {
        assertTrue(refused("name=p2p").contains("missing peer="));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,mac=aa:bb:cc:dd:ee").contains("'aa:bb:cc:dd:ee'"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,mac=01:00:5e:00:00:01").contains("multicast"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,peerfeats=lots").contains("'peerfeats=lots'"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,bind-mode=0400").contains("'bind-mode=0400'"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,bind-mode=rw").contains("'bind-mode=rw'"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,name=a/b").contains("'name=a/b'"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,unit=x").contains("'unit=x'"));
        assertTrue(refused("peer=/dev/qvm/qnx7-guest1/p2p").contains("own node"));
        assertTrue(refused("peer=/dev/vdevpeers/vp0,legacy").contains("unknown option 'legacy'"));
    }
}
