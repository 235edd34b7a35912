package io.pktstack.driver.passthrough.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverDescriptor;
import io.pktstack.api.options.SubOptions;
import io.pktstack.hostio.HostLinkOptions;
import java.util.Map;
import java.util.Set;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;

/** Tells the stack about {@code passthrough} and checks its options before an instance starts. */
// The driver repository finds this bundle by this header without installing it.
@Header(name = "Pktstack-Driver", value = "passthrough")
@Component(property = DriverDescriptor.NAME + "=" + PassthroughDescriptor.NAME)
public final class PassthroughDescriptor implements DriverDescriptor {

    static final String NAME = "passthrough";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String factoryPid() {
        return PassthroughDriver.PID;
    }

    @Override
    public String summary() {
        return "a guest takes a Linux link for itself: tap=NAME | if=NAME [,mac=HEX12][,mtu=1514][,name=wm]";
    }

    @Override
    public Map<String, Object> configure(SubOptions options, DriverContext context) {
        return HostLinkOptions.configure(NAME, options, Set.of(), "wm", null, context);
    }

    @Override
    public int interfaceCount(Map<String, Object> properties) {
        return 1;
    }
}
