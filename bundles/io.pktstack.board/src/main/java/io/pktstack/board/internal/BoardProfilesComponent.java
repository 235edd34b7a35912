package io.pktstack.board.internal;

import io.pktstack.api.board.BoardProfiles;
import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.shell.CommandLines;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.board.internal.BoardPlan.DriverEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.feature.FeatureService;

/**
 * Applies board profiles, all or nothing. The order is the one that lets
 * every check run before anything changes: read and check the file, find
 * every bundle, then install the missing bundles, check every driver
 * instance's options, start the instances (the driver manager validates them
 * all before starting one), apply the other configurations and run the
 * commands. A failure at any step undoes the steps before it.
 */
@Component
public final class BoardProfilesComponent implements BoardProfiles {

    /** How long an installed driver bundle may take to register its driver. */
    private static final Duration DRIVER_REGISTRATION = Duration.ofSeconds(10);

    private final ProfileReader reader;
    private final DriverManager drivers;
    private final NetworkStack stack;
    private final CommandLines commands;
    private final Configurations configurations;
    private final BundleContext context;

    @Activate
    public BoardProfilesComponent(@Reference FeatureService features, @Reference DriverManager drivers,
            @Reference NetworkStack stack, @Reference CommandLines commands,
            @Reference org.osgi.service.cm.ConfigurationAdmin configAdmin, BundleContext context) {
        this.reader = new ProfileReader(features);
        this.drivers = drivers;
        this.stack = stack;
        this.commands = commands;
        this.configurations = new Configurations(configAdmin);
        this.context = context;
    }

    @Override
    public Summary check(Path featureFile) {
        BoardPlan plan = reader.read(featureFile);
        BundleLocator locator = locator();
        for (BoardPlan.BundleId id : plan.bundles()) {
            find(plan, locator, id);
        }
        return new Summary(plan.id(), plan.description(), plan.bundles().stream().map(Object::toString).toList(),
                plan.drivers().stream().map(d -> d.spec().toString()).toList(),
                List.copyOf(plan.configurations().keySet()), plan.commands());
    }

    @Override
    public synchronized Applied apply(Path featureFile, Duration timeout) {
        BoardPlan plan = reader.read(featureFile);
        String where = "feature " + plan.id() + " (" + plan.file() + ")";
        BundleLocator locator = locator();
        List<BundleLocator.Found> found = new ArrayList<>();
        for (BoardPlan.BundleId id : plan.bundles()) {
            found.add(find(plan, locator, id));
        }
        Set<String> interfacesBefore = interfaceNames();
        Set<String> instancesBefore = instanceIds();
        List<Bundle> installed = new ArrayList<>();
        Configurations.Undo configUndo = configurations.undo();
        try {
            List<Bundle> bundles = new ArrayList<>();
            for (BundleLocator.Found f : found) {
                Bundle b = f.bundle();
                if (b == null) {
                    b = install(where, f);
                    installed.add(b);
                }
                bundles.add(b);
            }
            boolean started = false;
            for (Bundle b : bundles) {
                started |= start(where, b); // after every install: bundles of one feature may wire to each other
            }
            if (started) {
                awaitDrivers(plan);
            }
            for (DriverEntry d : plan.drivers()) {
                try {
                    drivers.check(List.of(d.spec()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": configuration '" + d.pid() + "': " + e.getMessage(), e);
                }
            }
            List<String> interfaces = startDrivers(where, plan, timeout);
            for (Map.Entry<String, Map<String, Object>> c : plan.configurations().entrySet()) {
                configUndo.apply(where, c.getKey(), c.getValue());
            }
            StringBuilder output = new StringBuilder();
            int n = 0;
            for (String line : plan.commands()) {
                n++;
                CommandLines.Outcome o = commands.run(line);
                output.append(o.out());
                if (!o.ok()) {
                    throw new IllegalArgumentException(where + ": command " + n + " '" + line + "' failed: "
                            + o.err().strip());
                }
            }
            return new Applied(plan.id(), installed.stream().map(b -> b.getSymbolicName() + " " + b.getVersion())
                    .toList(), interfaces, output.toString());
        } catch (RuntimeException e) {
            undo(instancesBefore, interfacesBefore, configUndo, installed);
            throw e;
        }
    }

    private BundleLocator.Found find(BoardPlan plan, BundleLocator locator, BoardPlan.BundleId id) {
        try {
            return locator.find(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("feature " + plan.id() + " (" + plan.file() + "): " + e.getMessage(), e);
        }
    }

    private BundleLocator locator() {
        String repo = context.getProperty("pktstack.driver.repository");
        String maven = context.getProperty("pktstack.maven.repository");
        return new BundleLocator(Arrays.asList(context.getBundles()), repo == null ? null : Path.of(repo),
                Path.of(maven != null ? maven : System.getProperty("user.home") + "/.m2/repository"));
    }

    private Bundle install(String where, BundleLocator.Found f) {
        try {
            return context.installBundle(f.file().toUri().toString());
        } catch (BundleException e) {
            throw new IllegalArgumentException(where + ": bundle '" + f.id() + "': cannot install " + f.file() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Starts {@code b} unless it is active or a fragment; true if it was started now. */
    private static boolean start(String where, Bundle b) {
        if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null || b.getState() == Bundle.ACTIVE) {
            return false;
        }
        try {
            b.start();
            return true;
        } catch (BundleException e) {
            throw new IllegalArgumentException(where + ": bundle " + b.getSymbolicName() + " " + b.getVersion()
                    + " does not start: " + e.getMessage(), e);
        }
    }

    /**
     * Bundles just started register their drivers asynchronously (SCR activates
     * their components on its own thread); the option checks need them
     * registered. A driver that no bundle provides is reported by the check.
     */
    private void awaitDrivers(BoardPlan plan) {
        Set<String> wanted = new HashSet<>();
        for (DriverEntry d : plan.drivers()) {
            wanted.add(d.spec().driver());
        }
        Set<String> offered = new HashSet<>();
        for (DriverManager.DriverInfo a : drivers.available()) {
            offered.add(a.name()); // the driver manager installs these itself
        }
        long deadline = System.nanoTime() + DRIVER_REGISTRATION.toNanos();
        while (true) {
            Set<String> missing = new HashSet<>(wanted);
            missing.removeAll(offered);
            for (DriverManager.DriverInfo k : drivers.known()) {
                missing.remove(k.name());
            }
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for drivers to register");
            }
        }
    }

    private List<String> startDrivers(String where, BoardPlan plan, Duration timeout) {
        if (plan.drivers().isEmpty()) {
            return List.of();
        }
        List<DriverSpec> specs = plan.drivers().stream().map(DriverEntry::spec).toList();
        try {
            return drivers.start(specs, timeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    /** Undoes an apply that failed: newest first, each step on its own so one failure does not stop the rest. */
    private void undo(Set<String> instancesBefore, Set<String> interfacesBefore, Configurations.Undo configUndo,
            List<Bundle> installed) {
        for (DriverManager.InstanceInfo i : drivers.instances()) {
            if (!instancesBefore.contains(i.id())) {
                try {
                    drivers.stop(i.id());
                } catch (RuntimeException ignored) {
                    // gone already
                }
            }
        }
        for (InterfaceInfo i : stack.interfaces()) {
            if (!interfacesBefore.contains(i.name())) {
                try {
                    stack.destroyInterface(i.name()); // bridges the commands created
                } catch (RuntimeException ignored) {
                    // a driver's interface on its way out
                }
            }
        }
        configUndo.revert();
        for (int i = installed.size() - 1; i >= 0; i--) {
            try {
                installed.get(i).uninstall();
            } catch (BundleException | IllegalStateException ignored) {
                // gone already
            }
        }
    }

    private Set<String> interfaceNames() {
        Set<String> s = new HashSet<>();
        for (InterfaceInfo i : stack.interfaces()) {
            s.add(i.name());
        }
        return s;
    }

    private Set<String> instanceIds() {
        Set<String> s = new HashSet<>();
        for (DriverManager.InstanceInfo i : drivers.instances()) {
            s.add(i.id());
        }
        return s;
    }
}
