package io.pktstack.launcher.internal;

import io.pktstack.api.options.IoPktCommandLine;
import io.pktstack.launcher.ctl.InstanceNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pktstack [--root DIR] [--name NAME] [--feature FILE]... [--script FILE] [-c CMD]... [--exit] IOPKT-ARGS}:
 * the launcher's own options, and io-pkt's command line as written in a
 * board's startup script.
 *
 * @param root device root, or {@code null} for the default
 * @param name instance name
 * @param features board profiles (feature files) to apply first, in order
 * @param scripts shell script files to run once the drivers are up
 * @param commands shell commands to run after the scripts
 * @param ioPkt the io-pkt part
 * @param exitAfter exit once the commands ran (a one-shot instance)
 */
public record LaunchArguments(Path root, String name, List<Path> features, List<Path> scripts, List<String> commands,
        IoPktCommandLine ioPkt, boolean exitAfter) {

    /**
     * Parses a command line. The launcher's own options may stand anywhere: no
     * io-pkt token ({@code -d}, a driver name, a suboption list) looks like one.
     *
     * @throws IllegalArgumentException naming the bad token
     */
    public static LaunchArguments parse(List<String> args) {
        Path root = null;
        String name = "host";
        List<Path> features = new ArrayList<>();
        List<Path> scripts = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        List<String> ioPkt = new ArrayList<>();
        boolean exitAfter = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--root" -> root = Path.of(value(args, ++i, a));
                case "--name" -> {
                    name = value(args, ++i, a);
                    if (!InstanceNames.valid(name)) {
                        throw new IllegalArgumentException("bad instance name '" + name + "' (" + InstanceNames.RULE + ")");
                    }
                }
                case "--feature" -> features.add(Path.of(value(args, ++i, a)));
                case "--script" -> scripts.add(Path.of(value(args, ++i, a)));
                case "-c" -> commands.add(value(args, ++i, a));
                case "--exit" -> exitAfter = true;
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                    ioPkt.add(a);
                }
            }
        }
        return new LaunchArguments(root, name, features, scripts, commands, IoPktCommandLine.parse(ioPkt), exitAfter);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("option '" + option + "' needs a value");
        }
        return args.get(i);
    }
}
