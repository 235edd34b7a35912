package io.pktstack.api.stack;

/** Interface counters, both ways, as {@code netstat -i} and {@code nicinfo} show them. */
public record Counters(long inPackets, long inBytes, long inErrors, long inDrops,
        long outPackets, long outBytes, long outErrors, long outDrops) {
}
