package io.pktstack.itest;

import io.pktstack.api.link.Link;
import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.options.SubOptions;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** The running pktstack as a test inside the framework sees it, through the probe's bundle context. */
final class Pktstack {

    static final String VDEVPEER = "vdevpeer-net";
    static final String VIRTIO = "virtio-net";
    static final String VDEVPEER_PID = "io.pktstack.driver.vdevpeer";
    static final String VIRTIO_PID = "io.pktstack.driver.virtio";
    static final String VDEVPEER_BUNDLE = "io.pktstack.driver.vdevpeer";

    private final BundleContext bc;

    Pktstack(BundleContext bc) {
        this.bc = bc;
    }

    static DriverSpec spec(String driver, String options) {
        return new DriverSpec(driver, SubOptions.parse(options));
    }

    /** The service, waiting for SCR to register it. */
    <T> T service(Class<T> type) {
        ServiceReference<T> ref = Await.until(type.getSimpleName() + " to be registered",
                () -> bc.getServiceReference(type), r -> r != null);
        T s = bc.getService(ref);
        if (s == null) {
            throw new AssertionError(type.getName() + " registered but its component would not activate");
        }
        return s;
    }

    NetworkStack stack() {
        return service(NetworkStack.class);
    }

    /** The DriverManager once both guest-link drivers have told it their names. */
    DriverManager driverManager() {
        DriverManager dm = service(DriverManager.class);
        Await.until("both drivers to be known", () -> driverNames(dm),
                names -> names.containsAll(List.of(VDEVPEER, VIRTIO)));
        return dm;
    }

    static List<String> driverNames(DriverManager dm) {
        return dm.known().stream().map(DriverManager.DriverInfo::name).toList();
    }

    ConfigurationAdmin configAdmin() {
        return service(ConfigurationAdmin.class);
    }

    /** The factory configurations ConfigAdmin holds for a factory PID (empty if none). */
    List<Configuration> factoryConfigurations(String factoryPid) {
        try {
            Configuration[] cs = configAdmin().listConfigurations("(service.factoryPid=" + factoryPid + ")");
            return cs == null ? List.of() : Arrays.asList(cs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Link services a driver registered. */
    List<ServiceReference<Link>> links(String driver) {
        try {
            return new ArrayList<>(bc.getServiceReferences(Link.class, "(" + Link.DRIVER + "=" + driver + ")"));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    List<String> interfaceNames() {
        return stack().interfaces().stream().map(InterfaceInfo::name).toList();
    }

    /** The device root the launcher would map {@code /dev/...} under. */
    Path root() {
        return Path.of(bc.getProperty(ItestOptions.ROOT));
    }

    /** Where a device path such as {@code /dev/vdevpeers/vp0} lives on this machine. */
    Path device(String devicePath) {
        return root().resolve(devicePath.substring(1));
    }

    /** True if the path exists and is a Unix domain socket (neither file, folder nor link). */
    static boolean isSocket(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }

    Bundle bundle(String symbolicName) {
        Bundle b = bundleOrNull(symbolicName);
        if (b == null) {
            throw new AssertionError("bundle " + symbolicName + " is not installed");
        }
        return b;
    }

    Bundle bundleOrNull(String symbolicName) {
        for (Bundle b : bc.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }
}
