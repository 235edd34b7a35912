package io.pktstack.board.internal;

import io.pktstack.api.board.BoardProfiles;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code feature check FILE} and {@code feature apply FILE}: board profiles from the shell and through ctl. */
@Component(service = FeatureCommand.class, property = {"osgi.command.scope=net", "osgi.command.function=feature"})
public final class FeatureCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final BoardProfiles boards;

    @Activate
    public FeatureCommand(@Reference BoardProfiles boards) {
        this.boards = boards;
    }

    @Descriptor("board profiles: feature check FILE (read it, find its bundles, change nothing) | feature apply FILE (apply it whole, or nothing of it)")
    public Object feature(@Descriptor("check or apply, and the feature file") String... args) {
        if (args.length != 2 || !(args[0].equals("check") || args[0].equals("apply"))) {
            throw new IllegalArgumentException("feature: usage: feature check|apply FILE"
                    + (args.length > 0 && !args[0].equals("check") && !args[0].equals("apply")
                            ? " (unknown command '" + args[0] + "')" : ""));
        }
        Path file = Path.of(args[1]);
        return args[0].equals("check") ? boards.check(file) : boards.apply(file, TIMEOUT);
    }

    /** Renders what {@link #feature} returns, on the console and through ctl alike. */
    @Component(service = Converter.class)
    public static final class ProfileConverter implements Converter {

        @Override
        public Object convert(Class<?> desiredType, Object in) {
            return null; // formats only
        }

        @Override
        public CharSequence format(Object target, int level, Converter escape) {
            if (target instanceof BoardProfiles.Summary s) {
                StringBuilder sb = new StringBuilder("feature ").append(s.id()).append(": ok\n");
                if (!s.description().isEmpty()) {
                    sb.append("  ").append(s.description()).append('\n');
                }
                s.bundles().forEach(b -> sb.append("  bundle  ").append(b).append('\n'));
                s.drivers().forEach(d -> sb.append("  -d      ").append(d).append('\n'));
                s.configurations().forEach(c -> sb.append("  config  ").append(c).append('\n'));
                s.commands().forEach(c -> sb.append("  command ").append(c).append('\n'));
                return sb.toString().stripTrailing();
            }
            if (target instanceof BoardProfiles.Applied a) {
                StringBuilder sb = new StringBuilder(a.output());
                sb.append("feature ").append(a.id()).append(": applied");
                if (!a.interfaces().isEmpty()) {
                    sb.append(" (").append(String.join(" ", a.interfaces())).append(')');
                }
                if (!a.installed().isEmpty()) {
                    sb.append("; installed ").append(String.join(", ", a.installed()));
                }
                return sb.toString();
            }
            return null;
        }
    }
}
