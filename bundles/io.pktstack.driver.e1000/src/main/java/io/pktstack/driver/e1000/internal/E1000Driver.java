package io.pktstack.driver.e1000.internal;

import io.pktstack.api.link.DriverFailures;
import io.pktstack.api.link.Link;
import io.pktstack.hostio.HostLinkService;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One {@code -d e1000} instance: the host's physical link ({@code wm0}), which
 * on Linux is a TAP device or an existing interface reached through an
 * AF_PACKET socket. The device is claimed for this stack while the instance
 * runs. The e1000's ring sizes, speed and duplex are accepted as io-pkt takes
 * them and shown by {@code nicinfo}; the kernel's queues stand in for the rings.
 */
@Component(configurationPid = E1000Driver.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = E1000Driver.Config.class, factory = true)
public final class E1000Driver {

    static final String PID = "io.pktstack.driver.e1000";

    @ObjectClassDefinition(name = "e1000 instance", description = "The host's physical link")
    public @interface Config {
        @AttributeDefinition(description = "tap (a TAP device) or if (an existing interface)")
        String device_kind();

        @AttributeDefinition(description = "Linux interface name")
        String device_name();

        @AttributeDefinition(description = "MAC, empty to generate one", required = false)
        String mac() default "";

        @AttributeDefinition(description = "Largest frame, Ethernet header included", required = false)
        int mtu() default 1514;

        @AttributeDefinition(description = "Receive descriptors (io-pkt's receive=)", required = false)
        int receive() default 64;

        @AttributeDefinition(description = "Transmit descriptors (io-pkt's transmit=)", required = false)
        int transmit() default 128;
    }

    private final HostLinkService service;

    @Activate
    public E1000Driver(Config config, Map<String, Object> properties, BundleContext context,
            @Reference DriverFailures failures) throws IOException {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("receive/transmit descriptors", config.receive() + "/" + config.transmit());
        if (properties.get("speed") != null) {
            details.put("media", properties.get("speed") + " Mbit/s " + properties.getOrDefault("duplex", "full") + " duplex");
        }
        this.service = failures.reporting(properties.get(Link.INSTANCE),
                () -> HostLinkService.start(context, E1000Descriptor.NAME, properties, details));
    }

    @Deactivate
    void deactivate() {
        service.close();
    }
}
