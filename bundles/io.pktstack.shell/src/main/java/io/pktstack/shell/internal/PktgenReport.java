package io.pktstack.shell.internal;

import io.pktstack.api.stack.PacketGenerator;

/** What {@code pktgen} sent and how fast. */
record PktgenReport(String ifName, int frameBytes, PacketGenerator.Result result) implements Report {

    @Override
    public String render() {
        PacketGenerator.Result r = result;
        return String.format("pktgen %s: %d frames of %d bytes offered in %.3f s: %.3f Mpps (%.1f Mbit/s), "
                + "%d not sent (pool empty)%n", ifName, r.offered(), frameBytes, r.nanos() / 1e9,
                r.framesPerSecond() / 1e6, r.framesPerSecond() * frameBytes * 8 / 1e6, r.noBuffer());
    }
}
