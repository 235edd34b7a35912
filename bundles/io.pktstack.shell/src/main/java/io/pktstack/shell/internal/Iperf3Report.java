package io.pktstack.shell.internal;

import io.pktstack.shell.internal.iperf3.Iperf3Results;

/**
 * One iperf3 test, as the client or the server measured it; rendered in
 * iperf3's text layout, or its JSON with {@code -J}. Scripts can read the
 * sums: {@code results.sentBytes()}, {@code results.receivedBytes()},
 * {@code results.senderSeconds()}, {@code results.retransmits()}.
 */
record Iperf3Report(Iperf3Results results, boolean json) implements Report {

    @Override
    public String render() {
        return json ? results.json() : results.text();
    }
}
