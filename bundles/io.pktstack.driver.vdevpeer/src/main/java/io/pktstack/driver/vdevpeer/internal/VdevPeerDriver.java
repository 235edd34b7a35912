package io.pktstack.driver.vdevpeer.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import io.pktstack.vdev.VdevLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One {@code -d vdevpeer-net} instance: the host's end of one or more guest
 * links, one interface ({@code vp0}, {@code vp1}, …) per peer/bind group, each
 * registered as a {@link Link} service. Each is a vhost-user back-end: it
 * connects to the guest's node ({@code peer=}, where a pktstack guest or a
 * VM's QEMU listens) and also listens at its own node ({@code bind=}) for a
 * front-end that connects itself. If any interface cannot bind its path, none
 * is registered.
 */
@Component(configurationPid = VdevPeerDriver.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = VdevPeerDriver.Config.class, factory = true)
public final class VdevPeerDriver {

    static final String PID = "io.pktstack.driver.vdevpeer";

    @ObjectClassDefinition(name = "vdevpeer-net instance", description = "Host side of guest links")
    public @interface Config {
        @AttributeDefinition(description = "Device path of each guest's node (peer=)")
        String[] peer_paths();

        @AttributeDefinition(description = "Device path each interface listens at (bind=), one per peer")
        String[] bind_paths();

        @AttributeDefinition(description = "MAC per interface, empty to generate one", required = false)
        String[] macs() default {};

        @AttributeDefinition(description = "Offer neither VERSION_1 nor MRG_RXBUF: guests use the 10-byte virtio_net_hdr")
        boolean legacy() default false;

        @AttributeDefinition(description = "Priority of the transmit thread (io-pkt's priority=)")
        int priority() default 21;

        @AttributeDefinition(name = "pktstack.device.root", description = "Folder device paths are mapped under")
        String pktstack_device_root();

        @AttributeDefinition(name = "pktstack.if.prefix", description = "Interface name prefix")
        String pktstack_if_prefix() default "vp";
    }

    private final List<VdevLink> links = new ArrayList<>();
    private final List<ServiceRegistration<Link>> registrations = new ArrayList<>();

    @Activate
    public VdevPeerDriver(Config config, Map<String, Object> properties, BundleContext context) throws IOException {
        DriverContext dc = new DriverContext(Path.of(config.pktstack_device_root()), "host");
        String[] peers = config.peer_paths();
        String[] binds = config.bind_paths();
        String[] macs = config.macs();
        if (peers.length == 0 || peers.length != binds.length) {
            throw new IllegalArgumentException("vdevpeer-net: every peer= needs its bind=");
        }
        try {
            for (int i = 0; i < peers.length; i++) {
                boolean assigned = i < macs.length && !macs[i].isEmpty();
                MacAddress mac = assigned ? LinkOptions.mac("mac", macs[i]) : MacAddress.generateLocal();
                EndpointConfig ec = new EndpointConfig(binds[i], dc.map(binds[i]), peers[i], dc.map(peers[i]), false,
                        mac, LinkOptions.DEFAULT_MTU, config.legacy(), LinkOptions.QUEUE_SIZE, "rw-------",
                        LinkOptions.ALL_FEATURES);
                links.add(new VdevLink(ec, assigned, Map.of("priority", config.priority())));
            }
        } catch (IOException | RuntimeException e) {
            closeAll();
            throw e;
        }
        Object unit = properties.get(Link.UNIT);
        for (int i = 0; i < links.size(); i++) {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put(Link.DRIVER, VdevPeerDescriptor.NAME);
            p.put(Link.INSTANCE, properties.get(Link.INSTANCE));
            p.put(Link.PREFIX, config.pktstack_if_prefix());
            if (unit instanceof Number n) {
                p.put(Link.UNIT, n.intValue() + i);
            }
            p.put(Link.DESCRIPTION, "peer " + peers[i]);
            registrations.add(context.registerService(Link.class, links.get(i), p));
        }
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<Link> r : registrations) {
            try {
                r.unregister(); // the stack detaches the link, which closes its endpoint
            } catch (IllegalStateException ignored) {
                // already unregistered with the bundle
            }
        }
        registrations.clear();
        closeAll();
    }

    private void closeAll() {
        links.forEach(VdevLink::close);
        links.clear();
    }
}
