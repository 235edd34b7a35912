package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.stack.DriverManager.InstanceInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** umount says what it removed: the interface, a stopped instance, what an instance keeps. */
class UmountReportTest {

    static final InstanceInfo TWO = new InstanceInfo("vdevpeer-net.0", "vdevpeer-net", "peer=..", List.of("vp0", "vp1"));
    static final InstanceInfo GUEST = new InstanceInfo("virtio-net.1", "virtio-net", "peer=..", List.of("vt0"));

    @Test
    void oneInterfaceOfSeveral() {
        InstanceInfo after = new InstanceInfo("vdevpeer-net.0", "vdevpeer-net", "peer=..", List.of("vp0"));
        assertEquals("umount vp1: removed vp1; vdevpeer-net.0 keeps vp0",
                new UmountReport("umount", "vp1", List.of(TWO, GUEST), List.of(after, GUEST)).render());
    }

    @Test
    void aWholeInstance() {
        assertEquals("umount vdevpeer-net.0: removed vp0, vp1; stopped driver instance vdevpeer-net.0",
                new UmountReport("umount", "vdevpeer-net.0", List.of(TWO, GUEST), List.of(GUEST)).render());
    }
}
