package io.pktstack.driver.vdevpeer.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverFailures;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import io.pktstack.vdev.VdevLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
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
 *
 * <p>A modified configuration is taken interface by interface: a group whose
 * settings did not change keeps its link (and its guest's session), a group
 * that left is withdrawn ({@code umount vp1}), a new or changed one is made.
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

        @AttributeDefinition(description = "MAC per interface as assigned (mac=), empty for none", required = false)
        String[] macs() default {};

        @AttributeDefinition(description = "MAC generated for each interface without an assigned one", required = false)
        String[] macs_generated() default {};

        @AttributeDefinition(description = "Interface unit per interface (unit=/lan= and the ones after it)", required = false)
        int[] units() default {};

        @AttributeDefinition(description = "Offer neither VERSION_1 nor MRG_RXBUF: guests use the 10-byte virtio_net_hdr")
        boolean legacy() default false;

        @AttributeDefinition(description = "Priority of the transmit thread (io-pkt's priority=)")
        int priority() default 21;

        @AttributeDefinition(name = "pktstack.device.root", description = "Folder device paths are mapped under")
        String pktstack_device_root();

        @AttributeDefinition(name = "pktstack.if.prefix", description = "Interface name prefix")
        String pktstack_if_prefix() default "vp";
    }

    /** One interface as configured: what decides whether a modification keeps its link. */
    private record Group(String peer, String bind, MacAddress mac, boolean assigned, int unit) {
    }

    /** What every interface of the instance shares: a change to it makes every link again. */
    private record Shared(String root, boolean legacy, int priority, String prefix, Object instance) {
    }

    /** A running interface. */
    private record Running(Group group, VdevLink link, ServiceRegistration<Link> registration) {
    }

    private final BundleContext context;
    private final DriverFailures failures;
    private final Map<String, Running> running = new LinkedHashMap<>(); // by bind path, in configuration order
    private Shared shared;

    @Activate
    public VdevPeerDriver(Config config, Map<String, Object> properties, BundleContext context,
            @Reference DriverFailures failures) throws IOException {
        this.context = context;
        this.failures = failures;
        this.shared = shared(config, properties);
        List<Running> made = failures.reporting(properties.get(Link.INSTANCE),
                () -> make(groups(config, properties), shared));
        made.forEach(r -> running.put(r.group.bind, r));
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) throws IOException {
        failures.reporting(properties.get(Link.INSTANCE), () -> {
            apply(config, properties);
            return null;
        });
    }

    private void apply(Config config, Map<String, Object> properties) throws IOException {
        Shared now = shared(config, properties);
        List<Group> wanted = groups(config, properties);
        List<String> keep = new ArrayList<>();
        if (now.equals(shared)) {
            for (Group g : wanted) {
                Running r = running.get(g.bind);
                if (r != null && r.group.equals(g)) {
                    keep.add(g.bind);
                }
            }
        }
        for (Running r : List.copyOf(running.values())) {
            if (!keep.contains(r.group.bind)) {
                withdraw(r);
                running.remove(r.group.bind);
            }
        }
        shared = now;
        List<Group> fresh = wanted.stream().filter(g -> !keep.contains(g.bind)).toList();
        for (Running r : make(fresh, now)) {
            running.put(r.group.bind, r);
        }
    }

    private static Shared shared(Config config, Map<String, Object> properties) {
        return new Shared(config.pktstack_device_root(), config.legacy(), config.priority(), config.pktstack_if_prefix(),
                properties.get(Link.INSTANCE));
    }

    private static List<Group> groups(Config config, Map<String, Object> properties) {
        String[] peers = config.peer_paths();
        String[] binds = config.bind_paths();
        String[] macs = config.macs();
        String[] generated = config.macs_generated();
        int[] units = config.units();
        if (units.length == 0 && properties.get(Link.UNIT) instanceof Number first) {
            units = new int[peers.length]; // a configuration written with only the first unit
            for (int i = 0; i < units.length; i++) {
                units[i] = first.intValue() + i;
            }
        }
        if (peers.length == 0 || peers.length != binds.length) {
            throw new IllegalArgumentException("vdevpeer-net: every peer= needs its bind=");
        }
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < peers.length; i++) {
            boolean assigned = i < macs.length && !macs[i].isEmpty();
            // A configuration made without a generated MAC (by hand, through ConfigAdmin) gets one now.
            MacAddress mac = assigned ? LinkOptions.mac("mac", macs[i])
                    : i < generated.length && !generated[i].isEmpty() ? LinkOptions.mac("mac", generated[i])
                    : MacAddress.generateLocal();
            out.add(new Group(peers[i], binds[i], mac, assigned, i < units.length ? units[i] : -1));
        }
        return out;
    }

    /** Binds and registers the groups' links; all of them or none. */
    private List<Running> make(List<Group> groups, Shared s) throws IOException {
        DriverContext dc = new DriverContext(Path.of(s.root), "host");
        List<VdevLink> links = new ArrayList<>();
        try {
            for (Group g : groups) {
                EndpointConfig ec = new EndpointConfig(g.bind, dc.map(g.bind), g.peer, dc.map(g.peer), false, g.mac,
                        LinkOptions.DEFAULT_MTU, s.legacy, LinkOptions.QUEUE_SIZE, "rw-------", LinkOptions.ALL_FEATURES);
                links.add(new VdevLink(ec, g.assigned, Map.of("priority", s.priority)));
            }
        } catch (IOException | RuntimeException e) {
            links.forEach(VdevLink::close);
            throw e;
        }
        List<Running> out = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            Hashtable<String, Object> p = new Hashtable<>();
            p.put(Link.DRIVER, VdevPeerDescriptor.NAME);
            if (s.instance != null) {
                p.put(Link.INSTANCE, s.instance);
            }
            p.put(Link.PREFIX, s.prefix);
            if (g.unit >= 0) {
                p.put(Link.UNIT, g.unit);
            }
            p.put(Link.DESCRIPTION, "peer " + g.peer);
            p.put(Link.KEY, g.bind);
            out.add(new Running(g, links.get(i), context.registerService(Link.class, links.get(i), p)));
        }
        return out;
    }

    private static void withdraw(Running r) {
        try {
            r.registration.unregister(); // the stack detaches the link, which closes its endpoint
        } catch (IllegalStateException ignored) {
            // already unregistered with the bundle
        }
        r.link.close();
    }

    @Deactivate
    void deactivate() {
        running.values().forEach(VdevPeerDriver::withdraw);
        running.clear();
    }

    @Override
    public String toString() {
        return "vdevpeer-net " + Objects.toString(shared == null ? null : shared.instance) + " " + running.keySet();
    }
}
