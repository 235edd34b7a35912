package io.pktstack.shell.internal;

import io.pktstack.api.stack.Counters;
import io.pktstack.api.stack.InterfaceInfo;
import java.util.Map;

/** {@code nicinfo IF}: the driver's view of one interface, in the spirit of QNX's nicinfo. */
record NicInfo(InterfaceInfo info) implements Report {

    @Override
    public String render() {
        Counters c = info.counters();
        StringBuilder sb = new StringBuilder();
        sb.append(info.name()).append(":\n");
        sb.append("  Driver                        : ").append(info.driver()).append('\n');
        if (info.mac() != null) {
            sb.append("  Current Physical Node Address : ").append(info.mac()).append('\n');
        }
        sb.append("  Link is                       : ").append(info.isRunning() ? "up" : "down").append('\n');
        sb.append("  MTU                           : ").append(info.mtu()).append('\n');
        for (Map.Entry<String, Object> e : info.details().entrySet()) {
            sb.append(String.format("  %-30s: %s%n", capitalize(e.getKey()), e.getValue()));
        }
        sb.append('\n');
        sb.append(String.format("  Packets Transmitted OK        : %d%n", c.outPackets()));
        sb.append(String.format("  Bytes Transmitted OK          : %d%n", c.outBytes()));
        sb.append(String.format("  Transmit Errors               : %d%n", c.outErrors()));
        sb.append(String.format("  Transmit Drops                : %d%n", c.outDrops()));
        sb.append(String.format("  Packets Received OK           : %d%n", c.inPackets()));
        sb.append(String.format("  Bytes Received OK             : %d%n", c.inBytes()));
        sb.append(String.format("  Receive Errors                : %d%n", c.inErrors()));
        sb.append(String.format("  Receive Drops                 : %d%n", c.inDrops()));
        return sb.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
