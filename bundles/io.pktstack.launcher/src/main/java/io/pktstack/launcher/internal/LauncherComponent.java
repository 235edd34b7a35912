package io.pktstack.launcher.internal;

import io.pktstack.api.board.BoardProfiles;
import io.pktstack.api.shell.CommandLines;
import io.pktstack.api.stack.DriverManager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The process entry: takes the command line from the bnd launcher's
 * {@code launcher.arguments} service, applies the board profiles, starts the
 * io-pkt drivers, runs the startup script and {@code -c} commands, and opens the control socket. A bad
 * command line stops the process with status 2 before anything started.
 */
@Component(immediate = true)
public final class LauncherComponent {

    /** Exit status for a command line or startup error. */
    static final int EXIT_USAGE = 2;

    private final Thread startup;
    private final BundleContext context;
    private final ProcessLog log;
    private volatile ControlServer control;

    @Activate
    public LauncherComponent(
            @Reference(target = "(launcher.arguments=*)", service = Object.class) Map<String, Object> launcher,
            @Reference DriverManager drivers, @Reference BoardProfiles boards, @Reference CommandLines commands,
            BundleContext context) {
        this.context = context;
        this.log = ProcessLog.install();
        String[] args = (String[]) launcher.get("launcher.arguments");
        // Start outside SCR's activation thread: drivers are DS components that must activate meanwhile.
        this.startup = Thread.ofPlatform().name("pktstack-startup")
                .start(() -> start(Arrays.asList(args), drivers, boards, commands));
    }

    private void start(List<String> argv, DriverManager drivers, BoardProfiles boards, CommandLines runner) {
        LaunchArguments args;
        try {
            args = LaunchArguments.parse(argv);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        Path root = Path.of(context.getProperty("pktstack.root") != null ? context.getProperty("pktstack.root")
                : args.root() != null ? args.root().toString() : "run/root");
        String name = args.name();
        Path socket = root.resolve("run").resolve(name + ".ctl");
        try {
            // Before anything binds: a socket path the OS cannot take, or an instance of this name already running.
            ControlServer.checkFree(socket);
            // Every file named is read before anything starts: a missing script must not leave drivers half up.
            List<String> commands = new ArrayList<>();
            for (Path script : args.scripts()) {
                commands.addAll(ScriptFile.read(script));
            }
            commands.addAll(args.commands());
            List<String> ifs = new ArrayList<>();
            for (Path feature : args.features()) {
                BoardProfiles.Applied a = boards.apply(feature, Duration.ofSeconds(15));
                System.out.print(a.output());
                System.out.println("pktstack " + name + ": feature " + a.id() + " applied");
                ifs.addAll(a.interfaces());
            }
            ifs.addAll(drivers.start(args.ioPkt().drivers(), Duration.ofSeconds(15)));
            for (String cmd : commands) {
                CommandLines.Outcome o = runner.run(cmd);
                System.out.print(o.out());
                System.err.print(o.err());
                if (o.status() != 0) {
                    fail("command failed: " + cmd);
                    return;
                }
            }
            if (args.exitAfter()) {
                System.out.flush();
                exit(0);
                return;
            }
            control = new ControlServer(socket, runner);
            System.out.println("pktstack " + name + ": ready" + (ifs.isEmpty() ? "" : " (" + String.join(" ", ifs) + ")"));
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            fail(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            // A fault of ours, not the command line's: say so and end, rather than hang without ever being ready.
            e.printStackTrace();
            fail("internal error while starting: " + e);
        }
    }

    private void fail(String message) {
        System.err.println("pktstack: error: " + message);
        exit(EXIT_USAGE);
    }

    /**
     * Ends the process: this bundle is the process entry, so its verdict is the
     * exit status. System.exit comes first: the shutdown hooks stop the
     * framework, and the bnd launcher's own exit code (117 after a framework
     * stop) must not win the race.
     */
    private void exit(int status) {
        System.out.flush();
        System.err.flush();
        Thread.ofPlatform().name("pktstack-exit").start(() -> System.exit(status));
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        startup.interrupt();
        ControlServer c = control;
        if (c != null) {
            c.close();
        }
        log.uninstall();
    }
}
