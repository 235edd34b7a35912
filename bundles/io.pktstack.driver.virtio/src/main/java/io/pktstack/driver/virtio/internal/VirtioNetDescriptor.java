package io.pktstack.driver.virtio.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverDescriptor;
import io.pktstack.api.options.SubOptions;
import java.util.Map;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;

/** Tells the stack about {@code virtio-net} and checks its options before an instance starts. */
// The driver repository finds this bundle by this header without installing it.
@Header(name = "Pktstack-Driver", value = "virtio-net")
@Component(property = DriverDescriptor.NAME + "=" + VirtioNetDescriptor.NAME)
public final class VirtioNetDescriptor implements DriverDescriptor {

    static final String NAME = "virtio-net";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String factoryPid() {
        return VirtioNetDriver.PID;
    }

    @Override
    public String summary() {
        return "guest interface: peer=PATH [name=NODE] [mac=aa:bb:cc:dd:ee:ff] [peerfeats=MASK]";
    }

    @Override
    public Map<String, Object> configure(SubOptions options, DriverContext context) {
        return VirtioNetOptions.configure(options, context);
    }

    @Override
    public int interfaceCount(Map<String, Object> properties) {
        return 1;
    }
}
