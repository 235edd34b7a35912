package io.pktstack.shell.internal;

import io.pktstack.api.stack.BridgeEntry;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.List;

/**
 * {@code brconfig bridge0}: members and the address cache, as NetBSD's brconfig prints them, with the cache's
 * bound and timeout as they are set ({@code net.link.bridge.maxaddr}, {@code .timeout}) and how many addresses a
 * full cache could not take.
 */
record BridgeStatus(InterfaceInfo bridge, List<String> members, List<BridgeEntry> cache, long maxAddresses,
        long timeoutSeconds) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(bridge.name()).append(": flags=").append(Integer.toHexString(InterfaceList.flagBits(bridge)))
                .append(flagList(bridge)).append('\n');
        sb.append("\tInterfaces:\n");
        for (String m : members) {
            sb.append("\t\t").append(m).append(" flags=3<LEARNING,DISCOVER>\n");
        }
        sb.append("\tAddress cache (max cache: ").append(maxAddresses).append(", timeout: ").append(timeoutSeconds)
                .append("):\n");
        for (BridgeEntry e : cache) {
            sb.append("\t\t").append(e.mac()).append(' ').append(e.member()).append(' ').append(e.ageSeconds())
                    .append(" flags=0<>\n");
        }
        Object full = bridge.details().get("addresses not learned (cache full)");
        if (full instanceof Number n && n.longValue() > 0) {
            sb.append("\tAddresses not learned, cache full: ").append(n).append(" (their frames were flooded)\n");
        }
        return sb.toString();
    }

    private static String flagList(InterfaceInfo i) {
        java.util.StringJoiner j = new java.util.StringJoiner(",", "<", ">");
        i.flags().forEach(f -> j.add(f.name()));
        return j.toString();
    }
}
