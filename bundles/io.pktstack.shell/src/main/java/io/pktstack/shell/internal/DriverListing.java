package io.pktstack.shell.internal;

import io.pktstack.api.stack.DriverManager.DriverInfo;
import io.pktstack.api.stack.DriverManager.InstanceInfo;
import java.util.List;

/**
 * {@code drivers}: the drivers the stack knows (installed bundles), those it can
 * install from its driver repository, and the instances running.
 */
record DriverListing(List<DriverInfo> known, List<DriverInfo> available, List<InstanceInfo> instances) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder("Known drivers:\n");
        for (DriverInfo d : known) {
            sb.append(String.format("  %-14s %-34s %-22s %s%n", d.name(), d.bundle(), d.version(), d.summary()));
        }
        if (!available.isEmpty()) {
            sb.append("In the driver repository (installed when first used):\n");
            for (DriverInfo d : available) {
                sb.append(String.format("  %-14s %-34s %-22s %s%n", d.name(), d.bundle(), d.version(), d.summary()));
            }
        }
        sb.append("Running instances:\n");
        if (instances.isEmpty()) {
            sb.append("  (none)\n");
        }
        for (InstanceInfo i : instances) {
            sb.append(String.format("  %-16s %-14s %-12s %s%n", i.id(), i.driver(), String.join(",", i.interfaces()),
                    i.options()));
        }
        return sb.toString();
    }
}
