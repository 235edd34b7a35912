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
                    "TCP segments and options: views, option parsing, written options parse back"));

    private Targets() {
    }
}
