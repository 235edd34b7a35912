package io.pktstack.shell.internal;

import io.pktstack.api.stack.DriverManager.InstanceInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code umount} (or {@code ifconfig IF destroy} of a driver's
 * interface) removed, from the instances before and after: the interfaces
 * that went, the instances that stopped, and what an instance that lost one
 * interface still has. Nothing goes unsaid.
 */
record UmountReport(String command, String target, List<InstanceInfo> before, List<InstanceInfo> after)
        implements Report {

    List<String> removed() {
        Set<String> gone = new LinkedHashSet<>();
        before.forEach(i -> gone.addAll(i.interfaces()));
        after.forEach(i -> gone.removeAll(i.interfaces()));
        return List.copyOf(gone);
    }

    List<String> stopped() {
        List<String> out = new ArrayList<>();
        for (InstanceInfo b : before) {
            if (after.stream().noneMatch(a -> a.id().equals(b.id()))) {
                out.add(b.id());
            }
        }
        return out;
    }

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder(command).append(' ').append(target).append(": removed ");
        List<String> removed = removed();
        sb.append(removed.isEmpty() ? "no interface" : String.join(", ", removed));
        List<String> stopped = stopped();
        if (!stopped.isEmpty()) {
            sb.append("; stopped driver instance ").append(String.join(", ", stopped));
        }
        for (InstanceInfo a : after) {
            boolean touched = before.stream().anyMatch(b -> b.id().equals(a.id())
                    && !b.interfaces().equals(a.interfaces()));
            if (touched) {
                sb.append("; ").append(a.id()).append(" keeps ").append(String.join(", ", a.interfaces()));
            }
        }
        return sb.toString();
    }
}
