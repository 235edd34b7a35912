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
import org.osgi.service.component.runtime.ServiceComponentRuntime;
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
    private final ServiceComponentRuntime scr;

    /** Configuration PIDs of pktstack's components, and of its drivers' own components among them. */
    static final String PKTSTACK_PIDS = "io.pktstack.";
    static final String DRIVER_COMPONENT_PIDS = "io.pktstack.driver.";

    @Activate
    public BoardProfilesComponent(@Reference FeatureService features, @Reference DriverManager drivers,
            @Reference NetworkStack stack, @Reference CommandLines commands,
            @Reference ConfigurationAdmin configAdmin, @Reference ServiceComponentRuntime scr, BundleContext context) {
        this.scr = scr;
        this.reader = new ProfileReader(features);
        this.drivers = drivers;
        this.stack = stack;
        this.commands = commands;
        this.configurations = new Configurations(configAdmin);
        this.context = context;
    }

    /**
     * Checks a profile as {@link #apply} would before it starts anything: the
     * same reading, bundles, configuration PIDs and driver options (a driver's
     * options are checked by its driver, so the bundles the profile needs are
     * installed and started for the check, and put back after). So check says
     * ok exactly for what apply would go on to start.
     */
    @Override
    public synchronized Summary check(Path featureFile) {
        BoardPlan plan = reader.read(featureFile);
        Undo undo = new Undo();
        try {
            prepare(plan);
        } finally {
            undo.run(); // check changes nothing: what it installed or started goes back
        }
        return new Summary(plan.id(), plan.description(), plan.bundles().stream().map(Object::toString).toList(),
                plan.drivers().stream().map(d -> d.spec().toString()).toList(),
                List.copyOf(plan.configurations().keySet()), plan.commands());
    }

    /**
     * Every check that needs the running framework, done before anything is
     * started or configured: find every bundle, install and start the missing
     * ones, refuse configuration PIDs in pktstack's namespace that nothing
     * takes, and have each driver check its instance's options.
     */
    private void prepare(BoardPlan plan) {
        String where = plan.where();
        BundleLocator locator = locator();
        List<BundleLocator.Found> found = new ArrayList<>();
        for (BoardPlan.BundleId id : plan.bundles()) {
            found.add(find(plan, locator, id));
        }
        List<Bundle> bundles = new ArrayList<>();
        for (BundleLocator.Found f : found) {
            bundles.add(f.bundle() != null ? f.bundle() : install(where, f));
        }
        for (Bundle b : bundles) {
            start(where, b); // after every install: bundles of one feature may wire to each other
        }
        checkConfigurationPids(plan);
        for (DriverEntry d : plan.drivers()) {
            try {
                drivers.check(List.of(d.spec())); // waits for drivers of bundles that just started
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": configuration '" + d.pid() + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * A configuration PID in pktstack's namespace ({@code io.pktstack.}) must be
     * one a pktstack component takes: a typo there ({@code io.pktstack.drivr~x})
     * would be applied and do nothing, and nothing would say so. A driver's
     * own component is configured through {@code io.pktstack.driver~NAME}, so
     * that the driver checks the options and the driver manager knows the
     * instance. PIDs of other projects are theirs to judge.
     */
    private void checkConfigurationPids(BoardPlan plan) {
        java.util.TreeSet<String> taken = new java.util.TreeSet<>();
        for (var d : scr.getComponentDescriptionDTOs()) {
            for (String pid : d.configurationPid) {
                if (pid.startsWith(PKTSTACK_PIDS) && !pid.startsWith(DRIVER_COMPONENT_PIDS)) {
                    taken.add(pid);
                }
            }
        }
        for (String pid : plan.configurations().keySet()) {
            int tilde = pid.indexOf('~');
            String base = tilde < 0 ? pid : pid.substring(0, tilde);
            if (!base.startsWith(PKTSTACK_PIDS) || taken.contains(base)) {
                continue;
            }
            String why = base.startsWith(DRIVER_COMPONENT_PIDS) ? "a driver's component is not configured directly"
                    : "no pktstack component takes PID '" + base + "'";
            throw new IllegalArgumentException(plan.where() + ": configuration '" + pid + "': " + why
                    + " (a driver instance is " + ProfileReader.DRIVER_FACTORY + "~NAME with \"driver\" and"
                    + " \"options\"; pktstack's other configurable components: " + String.join(", ", taken) + ")");
        }
    }

    @Override
    public synchronized Applied apply(Path featureFile, Duration timeout) {
        BoardPlan plan = reader.read(featureFile);
        String where = plan.where();
        Undo undo = new Undo();
        try {
            prepare(plan);
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
