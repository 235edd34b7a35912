package io.pktstack.fuzz;

import java.util.List;

/** Every fuzz target, in the order {@code bin/pktstack fuzz} runs them. */
public final class Targets {

    public static final List<FuzzTarget> ALL = List.of(
            new FuzzTarget("wire-ethernet", "io.pktstack.api.wire.EthernetArpFuzz",
                    "Ethernet frames and ARP packets from arbitrary bytes (checked wraps, exact-range reads)"),
            new FuzzTarget("wire-ipv4", "io.pktstack.api.wire.Ipv4Fuzz",
                    "IPv4 packets with ICMP and UDP: views, and filled-in checksums that verify"),
            new FuzzTarget("wire-ipv6", "io.pktstack.api.wire.Ipv6Fuzz",
                    "IPv6 packets with ICMPv6, Neighbor Discovery options and UDP"),
            new FuzzTarget("wire-tcp", "io.pktstack.api.wire.TcpFuzz",
                    "TCP segments and options: views, option parsing, written options parse back"),
            new FuzzTarget("stack-input", "io.pktstack.core.internal.StackInputFuzz",
                    "frames into a whole stack (bridge, ARP/ND, IPv4/IPv6, ICMP, UDP, TCP): no throw, well-formed output, no leak"),
            new FuzzTarget("tcp", "io.pktstack.core.internal.tcp.TcpStatesFuzz",
                    "TCP input against a connection in each RFC 9293 state, forged segments among real traffic"),
            new FuzzTarget("guest-rings", "io.pktstack.vdev.internal.GuestRingsFuzz",
                    "a back-end's data path over guest memory the fuzzer writes (descriptors, rings, headers, TSO)"),
            new FuzzTarget("vhost-messages", "io.pktstack.vdev.internal.VhostMessagesFuzz",
                    "vhost-user messages to a back-end session: sizes, fields, descriptors, memory tables, order"),
            new FuzzTarget("guest-memory", "io.pktstack.vdev.GuestMemoryFuzz",
                    "memory tables (regions overlapping, wrapping, adjacent) and translations through them"),
            new FuzzTarget("iopkt-options", "io.pktstack.api.options.IoPktOptionsFuzz",
                    "io-pkt command lines and suboptions, and every driver's option check"),
            new FuzzTarget("launcher-input", "io.pktstack.launcher.internal.LauncherInputFuzz",
                    "the launcher's command line, startup scripts, control-socket requests"),
            new FuzzTarget("feature-reader", "io.pktstack.board.internal.FeatureReaderFuzz",
                    "board profiles (feature files) as the board bundle reads them"),
            new FuzzTarget("shell-args", "io.pktstack.shell.internal.ShellArgsFuzz",
                    "the operator's commands' argument parsers against a real stack"));

    private Targets() {
    }
}
