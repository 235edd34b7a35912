package io.pktstack.driver.passthrough.internal;

import io.pktstack.api.link.DriverFailures;
import io.pktstack.api.link.Link;
import io.pktstack.hostio.HostLinkService;
import java.io.IOException;
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
 * One {@code -d passthrough} instance: a guest's exclusive use of a Linux link,
 * the way a QNX guest takes a physical NIC assigned to it. Its frames go
 * straight between this guest's stack and the device, with no host stack in the
 * path, and while the guest holds the device no other stack (a host's e1000
 * included) can open it. The interface is {@code wm0}, as the guest's own
 * e1000 driver would name it.
 */
@Component(configurationPid = PassthroughDriver.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = PassthroughDriver.Config.class, factory = true)
public final class PassthroughDriver {

    static final String PID = "io.pktstack.driver.passthrough";

    @ObjectClassDefinition(name = "passthrough instance", description = "A guest's own Linux link")
    public @interface Config {
        @AttributeDefinition(description = "tap (a TAP device) or if (an existing interface)")
        String device_kind();

        @AttributeDefinition(description = "Linux interface name")
        String device_name();

        @AttributeDefinition(description = "MAC, empty to generate one", required = false)
        String mac() default "";

        @AttributeDefinition(description = "Largest frame, Ethernet header included", required = false)
        int mtu() default 1514;
    }

    private final HostLinkService service;

    @Activate
    public PassthroughDriver(Config config, Map<String, Object> properties, BundleContext context,
            @Reference DriverFailures failures) throws IOException {
        this.service = failures.reporting(properties.get(Link.INSTANCE), () -> HostLinkService.start(context,
                PassthroughDescriptor.NAME, properties, Map.of("mode", "pass-through (no host stack in the path)")));
    }

    @Deactivate
    void deactivate() {
        service.close();
    }
}
