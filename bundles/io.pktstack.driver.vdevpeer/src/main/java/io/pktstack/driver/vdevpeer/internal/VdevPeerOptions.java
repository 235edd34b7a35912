package io.pktstack.driver.vdevpeer.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.options.SubOptions;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * devnp-vdevpeer-net's suboptions: {@code peer=PATH,bind=PATH[,mac=HEX12]}
 * (peer: the guest's node this side connects to; bind: where this side also
 * listens, for front-ends that connect themselves)
 * repeated, one interface per group, plus {@code name=}, {@code legacy},
 * {@code priority=}, {@code unit=}/{@code lan=} for the whole instance. A group
 * starts at {@code peer=}; {@code bind=} and {@code mac=} belong to the group
 * they follow.
 */
final class VdevPeerOptions {

    static final Set<String> KNOWN = Set.of("peer", "bind", "mac", "name", "legacy", "priority", "unit", "lan");

    private VdevPeerOptions() {
    }

    static Map<String, Object> configure(SubOptions options, DriverContext context) {
        options.requireKnown(VdevPeerDescriptor.NAME, KNOWN);
        List<String> peers = new ArrayList<>();
        List<String> binds = new ArrayList<>();
        List<String> macs = new ArrayList<>();
        String prefix = "vp";
        boolean legacy = false;
        int priority = 21; // io-pkt's default thread priority
        int unit = -1;
        for (SubOptions.Entry e : options.entries()) {
            String v = e.value();
            switch (e.key()) {
                case "peer" -> {
                    if (binds.size() < peers.size()) {
                        throw new IllegalArgumentException("'peer=" + peers.getLast() + "' has no bind= before the next peer=");
                    }
                    LinkOptions.path("peer", v, context);
                    peers.add(v);
                    macs.add("");
                }
                case "bind" -> {
                    if (peers.size() == binds.size()) {
                        throw new IllegalArgumentException("'bind=" + v + "' without a peer= before it");
                    }
                    LinkOptions.path("bind", v, context);
                    if (v.startsWith(EndpointConfig.GUEST_NODES)) {
                        throw new IllegalArgumentException("'bind=" + v + "': " + EndpointConfig.GUEST_NODES
                                + " holds guests' own nodes; bind the host's interface elsewhere, e.g. /dev/vdevpeers/vp0");
                    }
                    binds.add(v);
                }
                case "mac" -> {
                    if (peers.isEmpty()) {
                        throw new IllegalArgumentException("'mac=" + v + "' before any peer= (it sets the MAC of one interface)");
                    }
                    if (v == null || v.length() != 12) {
                        throw new IllegalArgumentException("option 'mac=" + v + "': expected 12 hex digits, e.g. mac=02005e000001");
                    }
                    macs.set(macs.size() - 1, LinkOptions.mac("mac", v).toString());
                }
                case "name" -> {
                    if (v == null || !v.matches("[a-z]{1,8}")) {
                        throw new IllegalArgumentException("option 'name=" + v + "': an interface prefix is 1-8 lower-case letters");
                    }
                    prefix = v;
                }
                case "legacy" -> {
                    if (!e.isFlag()) {
                        throw new IllegalArgumentException("option '" + e + "': legacy takes no value");
                    }
                    legacy = true;
                }
                case "priority" -> priority = e.intValue(1, 255);
                case "unit", "lan" -> unit = e.intValue(0, 1023);
                default -> throw new AssertionError(e);
            }
        }
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("no interface: give at least one peer=PATH,bind=PATH");
        }
        if (binds.size() < peers.size()) {
            throw new IllegalArgumentException("'peer=" + peers.getLast() + "' has no bind=");
        }
        // Each node is one socket: compared where they lie under the root, so /dev/x//p2p is /dev/x/p2p.
        Map<Path, String> nodes = new HashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            Path bindNode = LinkOptions.path("bind", binds.get(i), context);
            unique(nodes, bindNode, "bind=" + binds.get(i));
            LinkOptions.requireFree("bind", binds.get(i), bindNode);
            unique(nodes, LinkOptions.path("peer", peers.get(i), context), "peer=" + peers.get(i));
        }
        // Generated MACs are part of the configuration: an instance that restarts (its bundle updated)
        // comes back with the MACs its guests and neighbours know.
        String[] generated = new String[peers.size()];
        for (int i = 0; i < generated.length; i++) {
            generated[i] = macs.get(i).isEmpty() ? MacAddress.generateLocal().toString() : "";
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("peer.paths", peers.toArray(new String[0]));
        props.put("bind.paths", binds.toArray(new String[0]));
        props.put("macs", macs.toArray(new String[0]));
        props.put("macs.generated", generated);
        props.put("legacy", legacy);
        props.put("priority", priority);
        props.put(Link.DRIVER, VdevPeerDescriptor.NAME);
        props.put(Link.PREFIX, prefix);
        if (unit >= 0) {
            int[] units = new int[peers.size()];
            for (int i = 0; i < units.length; i++) {
                units[i] = unit + i;
                if (units[i] > 1023) {
                    throw new IllegalArgumentException("option 'unit=" + unit + "': " + peers.size()
                            + " interfaces from unit " + unit + " pass the last unit, 1023");
                }
            }
            props.put(Link.UNIT, unit);
            props.put("units", units);
        }
        return props;
    }

    /** Refuses a node named twice in one instance (a guest served twice, or a bind that is also a peer). */
    private static void unique(Map<Path, String> nodes, Path node, String option) {
        String before = nodes.putIfAbsent(node, option);
        if (before != null) {
            throw new IllegalArgumentException("'" + option + "' names the node of '" + before
                    + "' again: each guest and each bind node appears once");
        }
    }

    /**
     * The same instance without the interface bound at {@code bind}, or null
     * when there is no such interface or it is the only one.
     */
    static Map<String, Object> without(Map<String, Object> props, String bind) {
        String[] binds = strings(props.get("bind.paths"));
        int drop = java.util.Arrays.asList(binds).indexOf(bind);
        if (drop < 0 || binds.length < 2) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>(props);
        for (String k : List.of("peer.paths", "bind.paths", "macs", "macs.generated")) {
            String[] a = strings(props.get(k));
            if (a.length == binds.length) {
                List<String> l = new ArrayList<>(java.util.Arrays.asList(a));
                l.remove(drop);
                out.put(k, l.toArray(new String[0]));
            }
        }
        if (props.get("units") instanceof int[] units && units.length == binds.length) {
            int[] u = new int[units.length - 1];
            for (int i = 0, j = 0; i < units.length; i++) {
                if (i != drop) {
                    u[j++] = units[i];
                }
            }
            out.put("units", u);
        }
        return out;
    }

    /** A String[] property as ConfigAdmin gives it back (an array, or a collection). */
    static String[] strings(Object v) {
        if (v instanceof String[] a) {
            return a;
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toArray(String[]::new);
        }
        return v == null ? new String[0] : new String[] {String.valueOf(v)};
    }
}
