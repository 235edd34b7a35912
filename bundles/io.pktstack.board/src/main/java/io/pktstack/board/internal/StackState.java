package io.pktstack.board.internal;

import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import io.pktstack.api.stack.NetworkStack;
import io.pktstack.api.stack.RouteEntry;
import io.pktstack.api.stack.Tunable;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a profile's commands can change in the stack, taken before they run:
 * interfaces with their addresses, up state and bridge members, the static
 * routes and the tunables. {@link #restore} puts it back after a failed
 * apply; every step on its own, so one that fails does not stop the rest.
 */
final class StackState {

    private record Interface(List<InterfaceAddress> addresses, boolean up, List<String> members) {
    }

    private final NetworkStack stack;
    private final Map<String, Interface> interfaces = new LinkedHashMap<>();
    private final Map<InterfaceAddress, InetAddress> routes = new HashMap<>();
    private final Map<String, Long> tunables = new HashMap<>();

    private StackState(NetworkStack stack) {
        this.stack = stack;
    }

    static StackState of(NetworkStack stack) {
        StackState s = new StackState(stack);
        for (InterfaceInfo i : stack.interfaces()) {
            s.interfaces.put(i.name(), new Interface(List.copyOf(i.addresses()), i.isUp(),
                    "bridge".equals(i.driver()) ? List.copyOf(stack.bridgeMembers(i.name())) : List.of()));
        }
        s.routes.putAll(staticRoutes(stack));
        for (Tunable t : stack.tunables()) {
            if (t.writable()) {
                s.tunables.put(t.name(), t.value());
            }
        }
        return s;
    }

    /** Destroys interfaces made since (bridges) and puts back what was changed on the others. */
    void restore() {
        for (InterfaceInfo now : stack.interfaces()) {
            Interface was = interfaces.get(now.name());
            if (was == null) {
                quietly(() -> stack.destroyInterface(now.name())); // a driver's is its instance's to remove
                continue;
            }
            if ("bridge".equals(now.driver())) {
                List<String> members = stack.bridgeMembers(now.name());
                members.stream().filter(m -> !was.members.contains(m))
                        .forEach(m -> quietly(() -> stack.bridgeDelete(now.name(), m)));
                was.members.stream().filter(m -> !members.contains(m))
                        .forEach(m -> quietly(() -> stack.bridgeAdd(now.name(), m)));
            }
            now.addresses().stream().filter(a -> !was.addresses.contains(a))
                    .forEach(a -> quietly(() -> stack.removeAddress(now.name(), a)));
            was.addresses.stream().filter(a -> !now.addresses().contains(a))
                    .forEach(a -> quietly(() -> stack.addAddress(now.name(), a)));
            if (now.isUp() != was.up) {
                quietly(() -> stack.setUp(now.name(), was.up));
            }
        }
        Map<InterfaceAddress, InetAddress> nowRoutes = staticRoutes(stack);
        nowRoutes.forEach((dest, gw) -> {
            if (!gw.equals(routes.get(dest))) {
                quietly(() -> stack.deleteRoute(dest));
            }
        });
        routes.forEach((dest, gw) -> {
            if (!gw.equals(nowRoutes.get(dest))) {
                quietly(() -> stack.addRoute(dest, gw));
            }
        });
        Map<String, Long> changed = new HashMap<>();
        for (Tunable t : stack.tunables()) {
            Long was = tunables.get(t.name());
            if (was != null && was != t.value()) {
                changed.put(t.name(), was);
            }
        }
        if (!changed.isEmpty()) {
            quietly(() -> stack.setTunables(changed));
        }
    }

    private static Map<InterfaceAddress, InetAddress> staticRoutes(NetworkStack stack) {
        Map<InterfaceAddress, InetAddress> m = new HashMap<>();
        for (RouteEntry r : stack.routes()) {
            if (r.flags().contains(RouteEntry.Flag.STATIC)) {
                m.put(r.destination(), r.gateway());
            }
        }
        return m;
    }

    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException ignored) {
            // gone meanwhile (a driver's interface on its way out): nothing left to put back
        }
    }
}
