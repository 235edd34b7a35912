package io.pktstack.driver.virtio.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverFailures;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import io.pktstack.vdev.VdevLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One {@code -d virtio-net} instance: a guest's interface ({@code vt0}), a
 * vhost-user front-end whose rings live in this guest's memfd. It listens at
 * its node {@code /dev/qvm/SYSTEM/NODE}, where a host's vdevpeer-net
 * connects; towards another guest's node (peer to peer) the side whose node
 * sorts first connects and serves the other's rings as back-end.
 */
@Component(configurationPid = VirtioNetDriver.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = VirtioNetDriver.Config.class, factory = true)
public final class VirtioNetDriver {

    static final String PID = "io.pktstack.driver.virtio";

    @ObjectClassDefinition(name = "virtio-net instance", description = "A guest's virtio-net interface")
    public @interface Config {
        @AttributeDefinition(description = "Device path of the other side (peer)")
        String peer_path();

        @AttributeDefinition(description = "Device path this side binds: /dev/qvm/SYSTEM/NAME")
        String bind_path();

        @AttributeDefinition(description = "MAC, empty to generate one", required = false)
        String mac() default "";

        @AttributeDefinition(description = "MAC generated when none was assigned", required = false)
        String mac_generated() default "";

        // -1, not 0, when not given: bnd writes every default into the component's properties, so "given" cannot
        // be told by the key being there (with 0 and that test, every pktstack guest negotiated no feature at all).
        @AttributeDefinition(description = "VIRTIO feature bits this side accepts at most from its back-end (-1: all)",
                required = false)
        long peerfeats() default LinkOptions.ALL_FEATURES;

        @AttributeDefinition(name = "bind.mode", description = "Permissions of the bound node", required = false)
        String bind_mode() default "rw-------";

        @AttributeDefinition(name = "pktstack.device.root", description = "Folder device paths are mapped under")
        String pktstack_device_root();
    }

    private final VdevLink link;
    private final ServiceRegistration<Link> registration;

    @Activate
    public VirtioNetDriver(Config config, Map<String, Object> properties, BundleContext context,
            @Reference DriverFailures failures) throws IOException {
        this.link = failures.reporting(properties.get(Link.INSTANCE), () -> link(config, properties));
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(Link.DRIVER, VirtioNetDescriptor.NAME);
        p.put(Link.INSTANCE, properties.get(Link.INSTANCE));
        p.put(Link.PREFIX, "vt");
        if (properties.get(Link.UNIT) instanceof Number n) {
            p.put(Link.UNIT, n.intValue());
        }
        p.put(Link.DESCRIPTION, "peer " + config.peer_path());
        p.put(Link.KEY, config.bind_path());
        this.registration = context.registerService(Link.class, link, p);
    }

    /** The link as configured, its node bound: what can fail with a reason the user must see. */
    private static VdevLink link(Config config, Map<String, Object> properties) throws IOException {
        DriverContext dc = new DriverContext(Path.of(config.pktstack_device_root()), "guest");
        boolean assigned = !config.mac().isEmpty();
        MacAddress mac = assigned ? LinkOptions.mac("mac", config.mac())
                : !config.mac_generated().isEmpty() ? LinkOptions.mac("mac", config.mac_generated())
                : MacAddress.generateLocal();
        long mask = config.peerfeats();
        EndpointConfig ec = new EndpointConfig(config.bind_path(), dc.map(config.bind_path()), config.peer_path(),
                dc.map(config.peer_path()), true, mac, LinkOptions.DEFAULT_MTU, false, LinkOptions.QUEUE_SIZE,
                config.bind_mode(), mask);
        return new VdevLink(ec, assigned, Map.of("peerfeats", mask == LinkOptions.ALL_FEATURES ? "not limited"
                : "0x" + Long.toHexString(mask)));
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister(); // the stack detaches the link, which closes its endpoint
        } catch (IllegalStateException ignored) {
            // already unregistered with the bundle
        }
        link.close();
    }
}
