package io.pktstack.driver.vdevpeer.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverDescriptor;
import io.pktstack.api.options.SubOptions;
import java.util.Map;
import org.osgi.annotation.bundle.Header;
import org.osgi.service.component.annotations.Component;

/** Tells the stack about {@code vdevpeer-net} and checks its options before an instance starts. */
// The driver repository finds this bundle by this header without installing it.
@Header(name = "Pktstack-Driver", value = "vdevpeer-net")
@Component(property = DriverDescriptor.NAME + "=" + VdevPeerDescriptor.NAME)
public final class VdevPeerDescriptor implements DriverDescriptor {

    static final String NAME = "vdevpeer-net";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String factoryPid() {
        return VdevPeerDriver.PID;
    }

    @Override
    public String summary() {
        return "host side of guest links: peer=PATH,bind=PATH[,mac=HEX12]... [name=vp] [legacy]";
    }

    @Override
    public Map<String, Object> configure(SubOptions options, DriverContext context) {
        return VdevPeerOptions.configure(options, context);
    }

    @Override
    public int interfaceCount(Map<String, Object> properties) {
        return VdevPeerOptions.strings(properties.get("peer.paths")).length;
    }

    /** An interface is named by its bind path ({@code Link.KEY}); the others keep running. */
    @Override
    public Map<String, Object> withoutInterface(Map<String, Object> properties, String key) {
        return VdevPeerOptions.without(properties, key);
    }
}
