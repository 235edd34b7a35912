package io.pktstack.hostio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.options.SubOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostLinkOptionsTest {

    static final DriverContext CONTEXT = new DriverContext(Path.of("/tmp/pktstack-test-root"), "host");

    static Map<String, Object> configure(String options, String defaultTap) {
        return HostLinkOptions.configure("e1000", SubOptions.parse(options), Set.of("receive"), "wm", defaultTap, CONTEXT);
    }

    static String error(String options, String defaultTap) {
        return assertThrows(IllegalArgumentException.class, () -> configure(options, defaultTap)).getMessage();
    }

    @Test
    void aTapDeviceWithMacMtuAndUnit() {
        Map<String, Object> p = configure("tap=pkt0,mac=02005e000001,mtu=1500,unit=3,receive=128", null);
        assertEquals("tap", p.get(HostLinkOptions.DEVICE_KIND));
        assertEquals("pkt0", p.get(HostLinkOptions.DEVICE_NAME));
        assertEquals("02:00:5e:00:00:01", p.get(HostLinkOptions.MAC));
        assertEquals(1500, p.get(HostLinkOptions.MTU));
        assertEquals(3, p.get(Link.UNIT));
        assertEquals("wm", p.get(Link.PREFIX));
    }

    @Test
    void anExistingInterfaceByName() {
        Map<String, Object> p = configure("if=lo,name=pt", null);
        assertEquals("if", p.get(HostLinkOptions.DEVICE_KIND));
        assertEquals("lo", p.get(HostLinkOptions.DEVICE_NAME));
        assertEquals("pt", p.get(Link.PREFIX));
    }

    @Test
    void withoutADeviceTheDefaultTapOrAnErrorThatSaysWhatToGive() {
        assertEquals("pk-host", configure("", "pk-host").get(HostLinkOptions.DEVICE_NAME));
        String e = error("mac=02005e000001", null);
        assertTrue(e.contains("tap=NAME") && e.contains("if=NAME"), e);
    }

    @Test
    void badInputNamesTheToken() {
        assertTrue(error("tap=a,if=b", null).contains("'if=b'"));
        assertTrue(error("if=nosuchif0", null).contains("'if=nosuchif0': no such interface"));
        assertTrue(error("tap=much-too-long-name", null).contains("'tap=much-too-long-name'"));
        assertTrue(error("tap=a/b", null).contains("'tap=a/b'"));
        assertTrue(error("tap=t0,mac=01005e000001", null).contains("multicast"));
        assertTrue(error("tap=t0,mac=zz", null).contains("'mac=zz'"));
        assertTrue(error("tap=t0,mtu=70000", null).contains("'mtu=70000'"));
        assertTrue(error("tap=t0,name=WM0", null).contains("'name=WM0'"));
        assertTrue(error("tap=t0,speed=100", null).contains("speed"));
    }
}
