package io.pktstack.shell.internal;

import io.pktstack.api.stack.Tunable;
import java.util.List;

/**
 * What {@code sysctl} prints: {@code name = value} per tunable (with
 * {@code -d}, {@code name: description}), or for a change
 * {@code name: old -> new}, as NetBSD's sysctl(8) does.
 *
 * @param tunables the tunables shown, or the new state after a change
 * @param before the values before a change ({@code null} when nothing changed)
 * @param describe print descriptions instead of values
 */
record SysctlReport(List<Tunable> tunables, List<Tunable> before, boolean describe) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tunables.size(); i++) {
            Tunable t = tunables.get(i);
            if (describe) {
                sb.append(t.name()).append(": ").append(t.description())
                        .append(t.writable() ? "" : " (read-only)").append('\n');
            } else if (before != null) {
                sb.append(t.name()).append(": ").append(before.get(i).valueText()).append(" -> ").append(t.valueText())
                        .append('\n');
            } else {
                sb.append(t.name()).append(" = ").append(t.valueText()).append('\n');
            }
        }
        return sb.toString();
    }
}
