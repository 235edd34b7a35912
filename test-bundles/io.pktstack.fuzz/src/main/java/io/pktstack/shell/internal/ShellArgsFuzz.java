package io.pktstack.shell.internal;

import io.pktstack.api.options.DriverSpec;
import io.pktstack.api.stack.DriverManager;
import io.pktstack.core.internal.FuzzStacks;
import io.pktstack.fuzz.FuzzInput;
import io.pktstack.fuzz.Words;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz target {@code shell-args}: the operator's commands (ifconfig, brconfig,
 * route, sysctl, netstat, arp, ndp, nicinfo, impair, pktgen's and tcpdump's
 * and mount's argument checks, umount) with argument vectors made of their
 * own vocabulary, against a real stack with two links and a bridge. A bad
 * line is refused with IllegalArgumentException and a message; nothing else
 * may be thrown, and a refused line changes nothing the next command could
 * trip over (the stack's interfaces and routes are read back after each,
 * and {@code ifconfig -a}, {@code netstat -r} and {@code netstat -s}
 * rendered after the last). Commands that wait (ping, tcpdump's
 * capture, nc, udp recv) are driven only up to their checks.
 */
public final class ShellArgsFuzz {

    static final List<String> VOCABULARY = new ArrayList<>(List.of("-a", "-i", "-r", "-s", "-m", "-n", "-p", "-rn",
            "-d", "-w", "-c", "-t", "-s", "-b", "-4", "-T", "-o", "io-pkt", "tcp", "udp", "ip", "ip6", "icmp", "icmp6",
            "arp", "vp0", "vp1", "vp9", "bridge0", "bridge1", "lo0", "wm0", "create", "destroy", "inet", "inet6", "alias",
            "-alias", "delete", "netmask", "prefixlen", "up", "down", "add", "show", "default", "-net", "-host",
            "-inet", "-inet6", "-netmask", "-prefixlen", "loss", "duplicate", "reorder", "delay", "corrupt", "off",
            "net.inet.ip.ttl", "net.inet.ip.ttl=64", "net.inet.ip.ttl=0", "net.inet.tcp.cc.algorithm=cubic",
            "net.inet.tcp.cc.algorithm=bbr", "net.inet.tcp.", "net.link.bridge.maxaddr=1", "net.inet.arp.maxhold=65",
            "net.pktstack.pool.frames=1", "net.", "=", "vdevpeer-net", "virtio-net", "fuzz.0", "peer=/dev/vdevpeers/vp0",
            "255.255.255.0", "0xffffff00"));

    static {
        VOCABULARY.addAll(Words.NUMBERS);
        VOCABULARY.addAll(Words.ADDRESSES);
        VOCABULARY.addAll(Words.MACS);
    }

    static final String[] COMMANDS = {"ifconfig", "brconfig", "route", "sysctl", "netstat", "arp", "ndp", "nicinfo",
        "impair", "pktgen", "mount", "umount"};

    private ShellArgsFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        FuzzStacks.Built built = FuzzStacks.twoLinksAndABridge();
        try {
            NetCommands commands = new NetCommands(built.stack(), DRIVERS, built.stack(), built.stack(), built.stack());
            int steps = 0;
            while (in.hasMore() && steps++ < 12) {
                String command = in.pick(COMMANDS);
                String[] args = Words.of(in, VOCABULARY, 8).toArray(new String[0]);
                try {
                    Report r = run(commands, command, args);
                    if (r != null && r.render() == null) {
                        throw new AssertionError(command + " rendered null");
                    }
                } catch (IllegalArgumentException e) {
                    if (e.getMessage() == null || e.getMessage().isBlank()) {
                        throw new AssertionError(command + " " + List.of(args) + " refused without a message", e);
                    }
                }
                built.noteImpairments();
                // The state read back after each step; rendered (the formatting, most of the target's time) once,
                // after the last: what a step left broken is still there then.
                commands.ifconfig("-a");
                commands.netstat("-r");
            }
            commands.ifconfig("-a").render();
            commands.netstat("-r").render();
            commands.netstat("-s").render();
        } finally {
            built.close();
        }
    }

    private static Report run(NetCommands c, String command, String[] args) {
        return switch (command) {
            case "ifconfig" -> c.ifconfig(args);
            case "brconfig" -> c.brconfig(args);
            case "route" -> c.route(args);
            case "sysctl" -> c.sysctl(args);
            case "netstat" -> c.netstat(args);
            case "arp" -> c.arp(args);
            case "ndp" -> c.ndp(args);
            case "nicinfo" -> c.nicinfo(args);
            case "impair" -> c.impair(args);
            case "pktgen" -> {
                // At most a few frames: the generator is not what is fuzzed here, its arguments are.
                List<String> a = new ArrayList<>(List.of(args));
                a.addAll(0, List.of("-n", "3"));
                yield c.pktgen(a.toArray(new String[0]));
            }
            case "mount" -> c.mount(args);
            default -> c.umount(args.length == 0 ? "" : args[0]);
        };
    }

    /** A driver manager that checks specs as the real one would ask a driver, and starts nothing. */
    private static final DriverManager DRIVERS = new DriverManager() {
        @Override
        public List<String> start(List<DriverSpec> specs, Duration timeout) {
            throw new IllegalArgumentException("unknown driver '" + specs.getFirst().driver() + "' (fuzzing)");
        }

        @Override
        public void check(List<DriverSpec> specs) {
        }

        @Override
        public void stop(String instanceOrInterface) {
            throw new IllegalArgumentException("no driver instance or interface '" + instanceOrInterface + "'");
        }

        @Override
        public List<DriverInfo> known() {
            return List.of();
        }

        @Override
        public List<DriverInfo> available() {
            return List.of();
        }

        @Override
        public List<InstanceInfo> instances() {
            return List.of();
        }
    };

}
