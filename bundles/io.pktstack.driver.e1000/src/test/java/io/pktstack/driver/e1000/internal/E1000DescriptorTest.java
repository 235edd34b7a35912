package io.pktstack.driver.e1000.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.options.SubOptions;
import io.pktstack.hostio.HostLinkOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class E1000DescriptorTest {

    final E1000Descriptor descriptor = new E1000Descriptor();
    final DriverContext context = new DriverContext(Path.of("/tmp/pktstack-test-root"), "host");

    Map<String, Object> configure(String options) {
        return descriptor.configure(SubOptions.parse(options), context);
    }

    @Test
    void ioPktsOwnOptionsAreKeptForNicinfo() {
        Map<String, Object> p = configure("tap=pkt0,receive=256,transmit=512,speed=1000,duplex=full,verbose");
        assertEquals(256, p.get("receive"));
        assertEquals(512, p.get("transmit"));
        assertEquals(1000, p.get("speed"));
        assertEquals("full", p.get("duplex"));
        assertEquals(1, p.get("verbose"));
    }

    @Test
    void aBareDashDE1000CreatesATapNamedAfterTheStack() {
        Map<String, Object> p = configure("");
        assertEquals("tap", p.get(HostLinkOptions.DEVICE_KIND));
        assertEquals("pk-host", p.get(HostLinkOptions.DEVICE_NAME));
        assertEquals("pk-a-very-long-", E1000Descriptor.defaultTap(new DriverContext(Path.of("/r"), "a-very-long-system-name")));
    }

    @Test
    void badValuesNameTheOption() {
        for (String bad : new String[] {"speed=42", "duplex=both", "receive=3", "transmit=x", "ring=4"}) {
            String msg = assertThrows(IllegalArgumentException.class, () -> configure("tap=pkt0," + bad)).getMessage();
            assertTrue(msg.contains(bad.substring(0, bad.indexOf('='))), bad + " -> " + msg);
        }
    }
}
