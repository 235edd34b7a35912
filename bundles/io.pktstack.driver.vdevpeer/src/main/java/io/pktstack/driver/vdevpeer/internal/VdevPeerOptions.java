package io.pktstack.driver.vdevpeer.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.options.SubOptions;
import io.pktstack.vdev.EndpointConfig;
import io.pktstack.vdev.LinkOptions;
import java.util.ArrayList;
import java.util.HashSet;
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
        Set<String> seen = new HashSet<>();
        for (String b : binds) {
            if (!seen.add(b)) {
                throw new IllegalArgumentException("'bind=" + b + "' appears twice");
            }
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("peer.paths", peers.toArray(new String[0]));
        props.put("bind.paths", binds.toArray(new String[0]));
        props.put("macs", macs.toArray(new String[0]));
        props.put("legacy", legacy);
        props.put("priority", priority);
        props.put(Link.DRIVER, VdevPeerDescriptor.NAME);
        props.put(Link.PREFIX, prefix);
        if (unit >= 0) {
            props.put(Link.UNIT, unit);
        }
        return props;
    }
}
