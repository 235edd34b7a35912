package io.pktstack.hostio;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import java.io.IOException;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * One driver instance on a Linux link, as both such drivers run it: claim and
 * open the device its configuration names (see {@link HostLinkOptions}), and
 * register the link as a {@link Link} service; {@link #close()} undoes both.
 */
public final class HostLinkService implements AutoCloseable {

    private final HostLink link;
    private final ServiceRegistration<Link> registration;

    private HostLinkService(HostLink link, ServiceRegistration<Link> registration) {
        this.link = link;
        this.registration = registration;
    }

    /**
     * @param driver the driver's name, as given to {@code -d}
     * @param config the instance's configuration properties
     * @param details driver facts shown by {@code nicinfo}
     * @throws IOException naming the device and what went wrong (busy, missing, no privilege)
     */
    public static HostLinkService start(BundleContext context, String driver, Map<String, Object> config,
            Map<String, Object> details) throws IOException {
        String kind = String.valueOf(config.get(HostLinkOptions.DEVICE_KIND));
        String device = String.valueOf(config.get(HostLinkOptions.DEVICE_NAME));
        Object instance = config.get(Link.INSTANCE);
        Object system = config.getOrDefault(DriverContext.SYSTEM_NAME, System.getProperty("pktstack.name", "?"));
        String owner = driver + (instance == null ? "" : " instance " + instance) + " in stack '" + system + "'";
        Object macText = config.get(HostLinkOptions.MAC);
        Object generated = config.get(HostLinkOptions.MAC_GENERATED);
        boolean assigned = macText != null && !macText.toString().isEmpty();
        MacAddress mac = assigned ? HostLinkOptions.mac(macText.toString())
                : generated != null ? HostLinkOptions.mac(generated.toString()) : MacAddress.generateLocal();
        int mtu = config.get(HostLinkOptions.MTU) instanceof Number n ? n.intValue() : HostLinkOptions.DEFAULT_MTU;
        HostLink link = HostLinkOptions.open(kind, device, owner, mac, assigned, mtu, details);
        try {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put(Link.DRIVER, driver);
            if (instance != null) {
                p.put(Link.INSTANCE, instance);
            }
            p.put(Link.PREFIX, config.getOrDefault(Link.PREFIX, "wm"));
            if (config.get(Link.UNIT) instanceof Number n) {
                p.put(Link.UNIT, n.intValue());
            }
            p.put(Link.DESCRIPTION, kind + "=" + device);
            p.put(Link.KEY, kind + "=" + device);
            return new HostLinkService(link, context.registerService(Link.class, link, p));
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    public HostLink link() {
        return link;
    }

    /** Unregisters the link (the stack detaches it), then closes the device and releases the claim. */
    @Override
    public void close() {
        try {
            registration.unregister();
        } catch (IllegalStateException ignored) {
            // already unregistered with the bundle
        }
        link.close();
    }
}
