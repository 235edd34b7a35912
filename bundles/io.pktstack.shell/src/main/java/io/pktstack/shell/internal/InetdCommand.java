package io.pktstack.shell.internal;

import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.tcp.TcpStack;
import io.pktstack.shell.internal.inetd.Inetd;
import io.pktstack.shell.internal.inetd.InternalService;
import io.pktstack.shell.internal.inetd.ServiceKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code inetd}: BSD inetd's internal services (echo, discard, daytime,
 * chargen) on the stack's TCP and UDP, started and stopped at run time. The
 * services run in virtual threads owned by this component, which stops them
 * all when it is deactivated (it is immediate, so the shell releasing it after
 * a command does not).
 */
@Component(service = InetdCommand.class, immediate = true,
        property = {"osgi.command.scope=net", "osgi.command.function=inetd"})
public final class InetdCommand {

    static final String USAGE = "inetd [-s] | inetd SERVICE[/tcp|/udp]... | inetd -k [SERVICE[/tcp|/udp]...]";

    private final Inetd inetd;

    @Activate
    public InetdCommand(@Reference TcpStack tcp, @Reference NetworkStack stack) {
        this.inetd = new Inetd(tcp, stack);
    }

    @Deactivate
    void deactivate() {
        inetd.close();
    }

    @Descriptor("BSD inetd's internal services: " + USAGE + ". A SERVICE alone means its TCP and UDP services."
            + " inetd or inetd -s lists what runs with its counters; inetd SERVICE... starts them; inetd -k stops"
            + " the services named, or all. Services: echo (port 7, RFC 862), discard (9, RFC 863),"
            + " daytime (13, RFC 867), chargen (19, RFC 864). A line is done whole or not at all.")
    public Report inetd(@Descriptor("-s, -k, or service names") String... args) {
        if (args.length == 0 || (args.length == 1 && args[0].equals("-s"))) {
            return new InetdReport(inetd.rows());
        }
        boolean kill = args[0].equals("-k");
        List<String> names = Arrays.asList(args).subList(kill ? 1 : 0, args.length);
        for (String n : names) {
            if (n.startsWith("-")) {
                throw new IllegalArgumentException("inetd: unknown option '" + n + "' (usage: " + USAGE + ")");
            }
        }
        if (kill) {
            inetd.stop(names.isEmpty() ? inetd.running() : runningOf(names));
        } else {
            try {
                inetd.start(List.copyOf(keys(names)));
            } catch (IllegalStateException e) {
                throw new IllegalStateException("inetd: " + e.getMessage());
            }
        }
        return new InetdReport(inetd.rows());
    }

    /** The services named, each alone or on both protocols, in the order given. */
    static Set<ServiceKey> keys(List<String> names) {
        Set<ServiceKey> keys = new LinkedHashSet<>();
        for (String n : names) {
            int slash = n.indexOf('/');
            String name = slash < 0 ? n : n.substring(0, slash);
            InternalService s = InternalService.named(name);
            if (s == null) {
                throw new IllegalArgumentException("inetd: unknown service '" + name + "' (internal services: "
                        + Arrays.stream(InternalService.values()).map(InternalService::serviceName)
                                .collect(Collectors.joining(", ")) + ")");
            }
            String proto = slash < 0 ? null : n.substring(slash + 1);
            if (proto != null && !proto.equals("tcp") && !proto.equals("udp")) {
                throw new IllegalArgumentException("inetd: unknown protocol '" + proto + "' in '" + n + "' (tcp or udp)");
            }
            if (proto == null || proto.equals("tcp")) {
                keys.add(new ServiceKey(s, true));
            }
            if (proto == null || proto.equals("udp")) {
                keys.add(new ServiceKey(s, false));
            }
        }
        return keys;
    }

    /** For -k: a service named alone stops on whichever protocols it runs; it must run on one. */
    private List<ServiceKey> runningOf(List<String> names) {
        List<ServiceKey> running = inetd.running();
        List<ServiceKey> out = new ArrayList<>();
        for (String n : names) {
            Set<ServiceKey> named = keys(List.of(n));
            List<ServiceKey> on = named.stream().filter(running::contains).toList();
            if (on.isEmpty() || (n.contains("/") && on.size() != named.size())) {
                throw new IllegalStateException("inetd: " + n + " does not run");
            }
            on.stream().filter(k -> !out.contains(k)).forEach(out::add);
        }
        return out;
    }
}
