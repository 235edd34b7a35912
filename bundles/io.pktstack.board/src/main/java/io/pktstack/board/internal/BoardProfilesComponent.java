package io.pktstack.board.internal;

import io.pktstack.api.board.BoardProfiles;
import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.shell.CommandLines;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.board.internal.BoardPlan.DriverEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
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

    private final ProfileReader reader;
    private final DriverManager drivers;
    private final NetworkStack stack;
    private final CommandLines commands;
    private final Configurations configurations;
    private final BundleContext context;

    @Activate
    public BoardProfilesComponent(@Reference FeatureService features, @Reference DriverManager drivers,
            @Reference NetworkStack stack, @Reference CommandLines commands,
            @Reference ConfigurationAdmin configAdmin, BundleContext context) {
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
        String where = plan.where();
        BundleLocator locator = locator();
        List<BundleLocator.Found> found = new ArrayList<>();
        for (BoardPlan.BundleId id : plan.bundles()) {
            found.add(find(plan, locator, id));
        }
        Undo undo = new Undo();
        try {
            List<Bundle> bundles = new ArrayList<>();
            for (BundleLocator.Found f : found) {
                bundles.add(f.bundle() != null ? f.bundle() : install(where, f));
            }
            for (Bundle b : bundles) {
                start(where, b); // after every install: bundles of one feature may wire to each other
            }
            for (DriverEntry d : plan.drivers()) {
                try {
                    drivers.check(List.of(d.spec())); // waits for drivers of bundles that just started
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": configuration '" + d.pid() + "': " + e.getMessage(), e);
                }
            }
            List<String> interfaces = startDrivers(where, plan, timeout);
            for (Map.Entry<String, Map<String, Object>> c : plan.configurations().entrySet()) {
                undo.configurations.apply(where, c.getKey(), c.getValue());
            }
            undo.stackBeforeCommands = StackState.of(stack);
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
            return new Applied(plan.id(), undo.newBundles().stream().map(b -> b.getSymbolicName() + " " + b.getVersion())
                    .toList(), interfaces, output.toString());
        } catch (RuntimeException e) {
            undo.run();
            throw e;
        }
    }

    /**
     * What one apply changed, taken before it changed anything, and how to
     * take it back: newest first (the commands' changes, the configurations,
     * the driver instances, the bundles started, the bundles installed, by
     * this code or by the driver manager on demand).
     */
    private final class Undo {
        private final Map<Long, Integer> bundleStates = new HashMap<>();
        private final Set<String> instances = instanceIds();
        private final Configurations.Undo configurations = BoardProfilesComponent.this.configurations.undo();
        private StackState stackBeforeCommands;

        Undo() {
            for (Bundle b : context.getBundles()) {
                bundleStates.put(b.getBundleId(), b.getState());
            }
        }

        List<Bundle> newBundles() {
            List<Bundle> out = new ArrayList<>();
            for (Bundle b : context.getBundles()) {
                if (!bundleStates.containsKey(b.getBundleId())) {
                    out.add(b);
                }
            }
            return out;
        }

        void run() {
            if (stackBeforeCommands != null) {
                stackBeforeCommands.restore();
            }
            configurations.revert();
            for (DriverManager.InstanceInfo i : drivers.instances()) {
                if (!instances.contains(i.id())) {
                    quietly(() -> drivers.stop(i.id()));
                }
            }
            for (Bundle b : context.getBundles()) {
                Integer was = bundleStates.get(b.getBundleId());
                if (was != null && was != Bundle.ACTIVE && b.getState() == Bundle.ACTIVE) {
                    quietly(() -> stop(b));
                }
            }
            List<Bundle> added = newBundles();
            for (int i = added.size() - 1; i >= 0; i--) {
                Bundle b = added.get(i);
                quietly(() -> uninstall(b));
            }
        }
    }

    private static void stop(Bundle b) {
        try {
            b.stop();
        } catch (BundleException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void uninstall(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException ignored) {
            // gone meanwhile: nothing left to undo
        }
    }

    private BundleLocator.Found find(BoardPlan plan, BundleLocator locator, BoardPlan.BundleId id) {
        try {
            return locator.find(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(plan.where() + ": " + e.getMessage(), e);
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

    /** Starts {@code b} unless it is active or a fragment. */
    private static void start(String where, Bundle b) {
        if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null || b.getState() == Bundle.ACTIVE) {
            return;
        }
        try {
            b.start();
        } catch (BundleException e) {
            throw new IllegalArgumentException(where + ": bundle " + b.getSymbolicName() + " " + b.getVersion()
                    + " does not start: " + e.getMessage(), e);
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

    private Set<String> instanceIds() {
        Set<String> s = new HashSet<>();
        for (DriverManager.InstanceInfo i : drivers.instances()) {
            s.add(i.id());
        }
        return s;
    }
}
