package io.pktstack.shell.internal;

import io.pktstack.api.stack.BridgeEntry;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.List;

/** {@code brconfig bridge0}: members and the address cache, as NetBSD's brconfig prints them. */
record BridgeStatus(InterfaceInfo bridge, List<String> members, List<BridgeEntry> cache) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(bridge.name()).append(": flags=").append(Integer.toHexString(InterfaceList.flagBits(bridge)))
                .append(flagList(bridge)).append('\n');
        sb.append("\tInterfaces:\n");
        for (String m : members) {
            sb.append("\t\t").append(m).append(" flags=3<LEARNING,DISCOVER>\n");
        }
        sb.append("\tAddress cache (max cache: 100, timeout: 1200):\n");
        for (BridgeEntry e : cache) {
            sb.append("\t\t").append(e.mac()).append(' ').append(e.member()).append(' ').append(e.ageSeconds())
                    .append(" flags=0<>\n");
        }
        return sb.toString();
    }

    private static String flagList(InterfaceInfo i) {
        java.util.StringJoiner j = new java.util.StringJoiner(",", "<", ">");
        i.flags().forEach(f -> j.add(f.name()));
        return j.toString();
    }
}
