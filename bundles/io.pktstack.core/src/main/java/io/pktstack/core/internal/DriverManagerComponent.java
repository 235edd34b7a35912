package io.pktstack.core.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.DriverDescriptor;
import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.stack.DriverManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * io-pkt's {@code -d}: turns each driver spec into one factory configuration of
 * the driver's DS component, after every spec of the call has been validated
 * by its driver's {@link DriverDescriptor}, and waits until the instances'
 * interfaces exist. If any instance fails to come up, every configuration the
 * call created is deleted again: nothing is left half started.
 */
@Component(service = DriverManager.class, immediate = true)
public final class DriverManagerComponent implements DriverManager {

    /** Configuration property that marks a driver instance (also a {@code Link} service property). */
    static final String INSTANCE = io.pktstack.api.link.Link.INSTANCE;
    /** Framework properties the launcher sets. */
    static final String ROOT_PROPERTY = "pktstack.root";
    static final String NAME_PROPERTY = "pktstack.name";

    /** How long a started driver bundle may take to register its driver. */
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger(DriverManagerComponent.class.getName());

    private final ConfigurationAdmin configAdmin;
    private final ServiceComponentRuntime scr;
    private final DriverLinks links;
    private final DriverContext context;
    private final BundleContext bundleContext;
    private final DriverRepository repository;
    private final List<DescriptorRef> descriptors = new CopyOnWriteArrayList<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();

    private record DescriptorRef(DriverDescriptor descriptor, String bundle, String version) {
    }

    private record Running(String id, String driver, String options, Configuration configuration) {
        Running withOptions(String text) {
            return new Running(id, driver, text, configuration);
        }
    }

    @Activate
    public DriverManagerComponent(@Reference ConfigurationAdmin configAdmin, @Reference ServiceComponentRuntime scr,
            @Reference DriverLinks links, BundleContext bundleContext) {
        this(configAdmin, scr, links, contextFrom(bundleContext), bundleContext, repositoryFrom(bundleContext));
    }

    DriverManagerComponent(ConfigurationAdmin configAdmin, ServiceComponentRuntime scr, DriverLinks links,
            DriverContext context, BundleContext bundleContext, DriverRepository repository) {
        this.configAdmin = configAdmin;
        this.scr = scr;
        this.links = links;
        this.context = context;
        this.bundleContext = bundleContext;
        this.repository = repository;
    }

    private static DriverRepository repositoryFrom(BundleContext bc) {
        String folder = bc.getProperty(DriverRepository.FOLDER_PROPERTY);
        return folder == null || folder.isBlank() ? null : new DriverRepository(Path.of(folder));
    }

    private static DriverContext contextFrom(BundleContext bc) {
        String root = bc.getProperty(ROOT_PROPERTY);
        String name = bc.getProperty(NAME_PROPERTY);
        return new DriverContext(Path.of(root != null ? root : "run/root"), name != null ? name : "host");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addDescriptor(DriverDescriptor d) {
        var bundle = FrameworkUtil.getBundle(d.getClass());
        descriptors.add(new DescriptorRef(d, bundle == null ? "?" : bundle.getSymbolicName(),
                bundle == null ? "?" : bundle.getVersion().toString()));
        synchronized (registered) {
            registered.notifyAll(); // a start waiting for this driver goes on
        }
    }

    /** Notified when a driver registers: what {@link #awaitRegistration} waits on. */
    private final Object registered = new Object();

    void removeDescriptor(DriverDescriptor d) {
        descriptors.removeIf(r -> r.descriptor == d);
    }

    private DriverDescriptor find(String name) {
        for (DescriptorRef r : descriptors) {
            if (r.descriptor.name().equals(name)) {
                return r.descriptor;
            }
        }
        return null;
    }

    @Override
    public List<String> start(List<DriverSpec> specs, Duration timeout) {
        List<Bundle> installed = new ArrayList<>();
        try {
            return start(specs, timeout, installed);
        } catch (RuntimeException e) {
            for (Bundle b : installed) {
                uninstallQuietly(b); // a failed call leaves no driver bundle behind either
            }
            throw e;
        }
    }

    /**
     * The descriptor of a driver: registered, registering (its bundle is
     * starting), or installed now from the driver repository (added to
     * {@code installed}, for the caller to remove if it fails).
     *
     * @throws IllegalArgumentException naming the driver when there is none
     */
    private DriverDescriptor descriptor(String driver, List<Bundle> installed) {
        DriverDescriptor d = find(driver);
        if (d == null) {
            d = awaitStartingBundle(driver);
        }
        if (d == null) {
            d = installFromRepository(driver, installed);
        }
        if (d == null) {
            throw unknownDriver(driver);
        }
        return d;
    }

    private List<String> start(List<DriverSpec> specs, Duration timeout, List<Bundle> installed) {
        // Validate everything before starting anything.
        List<Map<String, Object>> props = new ArrayList<>();
        List<DriverDescriptor> ds = new ArrayList<>();
        for (DriverSpec spec : specs) {
            DriverDescriptor d = descriptor(spec.driver(), installed);
            props.add(configure(d, spec));
            ds.add(d);
        }
        List<Running> started = new ArrayList<>();
        List<String> interfaces = new ArrayList<>();
        try {
            for (int i = 0; i < specs.size(); i++) {
                DriverDescriptor d = ds.get(i);
                String id = d.name() + "." + nextId.getAndIncrement();
                Dictionary<String, Object> dict = new Hashtable<>(props.get(i));
                dict.put(INSTANCE, id);
                dict.put(DriverContext.DEVICE_ROOT, context.deviceRoot().toString());
                dict.put(DriverContext.SYSTEM_NAME, context.systemName());
                Configuration c = configAdmin.getFactoryConfiguration(d.factoryPid(), id, "?");
                Running r = new Running(id, d.name(), specs.get(i).options().toString(), c);
                started.add(r);
                c.update(dict);
                int expected = d.interfaceCount(props.get(i));
                interfaces.addAll(await(d.factoryPid(), id, expected, timeout, specs.get(i)));
                running.put(id, r);
            }
            return interfaces;
        } catch (IOException e) {
            rollback(started);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            rollback(started);
            throw e;
        }
    }

    /**
     * Checks specs as {@link #start} would. A driver only in the repository
     * is installed for the check and uninstalled after it, so its own
     * descriptor checks the options: check and start agree.
     */
    @Override
    public void check(List<DriverSpec> specs) {
        List<Bundle> installed = new ArrayList<>();
        try {
            for (DriverSpec spec : specs) {
                configure(descriptor(spec.driver(), installed), spec);
            }
        } finally {
            for (Bundle b : installed) {
                uninstallQuietly(b); // the check changes nothing
            }
        }
    }

    private Map<String, Object> configure(DriverDescriptor d, DriverSpec spec) {
        try {
            return d.configure(spec.options(), context);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-d " + spec.driver() + ": " + e.getMessage(), e);
        }
    }

    private IllegalArgumentException unknownDriver(String driver) {
        List<String> known = new ArrayList<>();
        for (DescriptorRef r : descriptors) {
            known.add(r.descriptor.name());
        }
        for (DriverInfo a : available()) {
            known.add(a.name());
        }
        known.sort(null);
        return new IllegalArgumentException("unknown driver '" + driver + "' (known drivers: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
    }

    /**
     * Waits for an instance's interfaces: woken by the stack as each link
     * comes, and as the instance fails (its driver reports why, typed:
     * {@link io.pktstack.api.link.DriverFailures}). A failure SCR met before
     * the driver's code ran (no report) shows only in SCR's DTOs, which have no
     * event: their state is looked at between waits, at most every
     * {@link #FAILURE_CHECK}.
     */
    private List<String> await(String factoryPid, String id, int expected, Duration timeout, DriverSpec spec) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long slice = Math.min(FAILURE_CHECK.toNanos(), deadline - System.nanoTime());
                if (links.awaitInterfaces(id, ifs -> ifs.size() >= expected, Math.max(0, slice))) {
                    return interfacesOf(id);
                }
                Throwable reported = links.failure(id);
                if (reported != null) {
                    throw new IllegalStateException(spec.driver() + ": " + reason(reported), reported);
                }
                if (activationFailed(factoryPid, id)) {
                    throw new IllegalStateException(spec.driver() + ": its instance failed to activate before the driver "
                            + "could say why (see the log for SCR's error)");
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException(spec + ": driver instance did not bring up its " + expected
                            + " interface(s) within " + timeout.toMillis() + " ms (see the log for its error)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + spec);
        }
    }

    /** How often a start that waits for interfaces looks for a failure SCR met before the driver's code ran. */
    private static final Duration FAILURE_CHECK = Duration.ofMillis(200);

    /** True if SCR holds the instance's configuration as failed to activate (a typed state; its text is not read). */
    private boolean activationFailed(String factoryPid, String id) {
        if (scr == null) {
            return false;
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!List.of(d.configurationPid).contains(factoryPid)) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION && id.equals(c.properties.get(INSTANCE))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The reason a driver gave: its exception's message, written for the user ("bind path ... is in use by ..."). */
    static String reason(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /**
     * Deletes the configurations a failed call created and waits until their
     * interfaces are gone: configuration deletion is asynchronous, and a caller
     * that exits right after the error must not leave a device node bound.
     */
    private void rollback(List<Running> started) {
        for (Running r : started) {
            running.remove(r.id);
            try {
                r.configuration.delete();
            } catch (IOException | IllegalStateException ignored) {
                // already gone
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Running r : started) {
            try {
                links.awaitInterfaces(r.id, List::isEmpty, Math.max(0, deadline - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            links.forget(r.id, null); // stopped, not restarting: its interfaces' settings go too
        }
    }

    /**
     * Stops an instance, or removes one interface: an instance's only
     * interface stops the instance (io-pkt unloads a driver with its last
     * interface); one of several is withdrawn alone when the driver can make
     * the instance without it ({@link DriverDescriptor#withoutInterface}), and
     * is refused, naming the instance and its interfaces, when it cannot.
     */
    @Override
    public void stop(String instanceOrInterface) {
        Running r = running.get(instanceOrInterface);
        if (r != null) {
            rollback(List.of(r));
            return;
        }
        DriverLinks.Owner owner = links.ownerOf(instanceOrInterface);
        r = owner == null ? null : running.get(owner.instance());
        if (r == null) {
            throw new IllegalArgumentException("no driver instance or interface '" + instanceOrInterface
                    + "' (drivers lists the instances and their interfaces)");
        }
        List<String> ifs = interfacesOf(r.id);
        if (ifs.size() <= 1) {
            rollback(List.of(r));
            return;
        }
        DriverDescriptor d = find(r.driver);
        Map<String, Object> fewer = d == null || owner.key() == null ? null
                : d.withoutInterface(properties(r.configuration), owner.key());
        if (fewer == null) {
            throw new IllegalArgumentException(instanceOrInterface + " is one of the interfaces of driver instance "
                    + r.id + " (" + String.join(", ", ifs) + ") and " + r.driver
                    + " cannot remove one alone; umount " + r.id + " removes them all");
        }
        try {
            r.configuration.update(new Hashtable<>(fewer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (!links.awaitInterfaces(r.id, now -> !now.contains(instanceOrInterface), REGISTRATION_TIMEOUT.toNanos())) {
                throw new IllegalStateException(r.id + " did not withdraw " + instanceOrInterface + " within "
                        + REGISTRATION_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while removing " + instanceOrInterface);
        }
        links.forget(r.id, owner.key());
        running.put(r.id, r.withOptions(r.options + " (" + instanceOrInterface + " removed)"));
    }

    /** A configuration's properties without what ConfigAdmin adds itself. */
    private static Map<String, Object> properties(Configuration c) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        Dictionary<String, Object> d = c.getProperties();
        if (d != null) {
            for (var keys = d.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                if (!k.equals("service.pid") && !k.equals("service.factoryPid") && !k.equals("service.bundleLocation")) {
                    m.put(k, d.get(k));
                }
            }
        }
        return m;
    }

    /** Interfaces the stack attributes to a driver instance. */
    private List<String> interfacesOf(String instance) {
        return links.interfacesOf(instance);
    }

    @Override
    public List<DriverInfo> known() {
        Map<String, DriverInfo> out = new TreeMap<>();
        for (DescriptorRef r : descriptors) {
            out.put(r.descriptor.name(), new DriverInfo(r.descriptor.name(), r.bundle, r.version, r.descriptor.summary()));
        }
        return List.copyOf(out.values());
    }

    /**
     * Installs and starts the repository's bundle for {@code driver} and waits
     * for its descriptor, as io-pkt loads devnp-NAME.so on demand.
     *
     * @return the descriptor, or null when the repository has no such driver
     */
    private DriverDescriptor installFromRepository(String driver, List<Bundle> installed) {
        DriverRepository.Entry e = repository == null || bundleContext == null ? null : repository.find(driver);
        if (e == null) {
            return null;
        }
        long t0 = System.nanoTime();
        String location = e.file().toUri().toString();
        try {
            Bundle b = bundleContext.getBundle(location);
            if (b == null) {
                b = bundleContext.installBundle(location);
                installed.add(b); // only what this call installed is uninstalled if it fails
            }
            b.start();
        } catch (BundleException x) {
            throw new IllegalStateException("driver '" + driver + "': cannot install " + e.file() + ": " + x.getMessage(), x);
        }
        DriverDescriptor d = awaitRegistration(driver, e.symbolicName() + " " + e.version());
        LOG.log(System.Logger.Level.INFO, "driver {0}: installed {1} {2} from {3} in {4} ms", driver, e.symbolicName(),
                e.version(), repository.folder(), (System.nanoTime() - t0) / 1_000_000);
        return d;
    }

    /**
     * The driver of an installed bundle that is starting or has just started
     * (by a board profile, say) and whose component SCR has not registered yet;
     * null if no such bundle names {@code driver} in its {@value DriverRepository#HEADER} header.
     */
    private DriverDescriptor awaitStartingBundle(String driver) {
        if (bundleContext == null) {
            return null;
        }
        for (Bundle b : bundleContext.getBundles()) {
            if ((b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0
                    && driver.equals(b.getHeaders("").get(DriverRepository.HEADER))) {
                return awaitRegistration(driver, b.getSymbolicName() + " " + b.getVersion());
            }
        }
        return null;
    }

    /** Waits for SCR to register the driver of a started bundle (it activates components on its own thread). */
    private DriverDescriptor awaitRegistration(String driver, String bundle) {
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
        synchronized (registered) {
            DriverDescriptor d;
            while ((d = find(driver)) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("driver '" + driver + "': bundle " + bundle
                            + " started but registered no driver within " + REGISTRATION_TIMEOUT.toSeconds() + " s");
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(registered, left); // woken by addDescriptor
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for driver '" + driver + "'");
                }
            }
            return d;
        }
    }

    private static void uninstallQuietly(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException | IllegalStateException ignored) {
            // already gone
        }
    }

    @Override
    public List<DriverInfo> available() {
        List<DriverInfo> out = new ArrayList<>();
        if (repository == null) {
            return out;
        }
        for (DriverRepository.Entry e : repository.entries()) {
            if (find(e.driver()) == null) {
                out.add(new DriverInfo(e.driver(), e.symbolicName(), e.version().toString(),
                        "not installed: " + e.file().getFileName() + " in " + repository.folder()));
            }
        }
        return out;
    }

    @Override
    public List<InstanceInfo> instances() {
        List<InstanceInfo> out = new ArrayList<>();
        for (Running r : running.values()) {
            out.add(new InstanceInfo(r.id, r.driver, r.options, interfacesOf(r.id)));
        }
        out.sort((a, b) -> a.id().compareTo(b.id()));
        return out;
    }
}
