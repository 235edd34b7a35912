package io.pktstack.shell.internal;

import java.net.InetSocketAddress;

/**
 * What {@code tcprr} measured: request/response transactions over one TCP
 * connection (netperf's TCP_RR), their rate and latency percentiles.
 */
record RrReport(InetSocketAddress peer, int size, long transactions, double seconds, double p50Micros,
        double p99Micros, double p999Micros) implements Report {

    double perSecond() {
        return transactions / seconds;
    }

    @Override
    public String render() {
        return String.format("TCP_RR to %s port %d, %d-byte request and response%n"
                + "%d transactions in %.3f s: %.0f transactions/s%n"
                + "latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us%n",
                InterfaceList.format(peer.getAddress()), peer.getPort(), size, transactions, seconds, perSecond(),
                p50Micros, p99Micros, p999Micros);
    }
}
