package io.pktstack.driver.virtio.internal;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.options.SubOptions;
import io.pktstack.vdev.LinkOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The guest's virtio-net options, the ideas of qvm's {@code vdev virtio-net}
 * written as suboptions: {@code peer=PATH} (required), {@code name=NODE}
 * (this side binds {@code /dev/qvm/SYSTEM/NODE}, default {@code p2p}),
 * {@code mac=aa:bb:cc:dd:ee:ff}, {@code peerfeats=MASK}, {@code bind-mode=0600},
 * {@code unit=}/{@code lan=}.
 */
final class VirtioNetOptions {

    static final Set<String> KNOWN = Set.of("peer", "name", "mac", "peerfeats", "bind-mode", "unit", "lan");

    private VirtioNetOptions() {
    }

    static Map<String, Object> configure(SubOptions options, DriverContext context) {
        options.requireKnown(VirtioNetDescriptor.NAME, KNOWN);
        Map<String, Object> props = new LinkedHashMap<>();
        String peer = options.get("peer");
        if (peer == null) {
            throw new IllegalArgumentException("missing peer=PATH (the node of the other side, e.g. /dev/vdevpeers/vp0)");
        }
        Path peerNode = LinkOptions.path("peer", peer, context);
        String node = options.has("name") ? options.get("name") : "p2p";
        if (!node.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("option 'name=" + node + "': a node name is letters, digits, '.', '_' or '-'");
        }
        String bind = "/dev/qvm/" + context.systemName() + "/" + node;
        Path bindNode = LinkOptions.path("name", bind, context);
        if (bindNode.equals(peerNode)) {
            throw new IllegalArgumentException("option 'peer=" + peer + "' names this side's own node " + bind);
        }
        LinkOptions.requireFree("name", node + " (" + bind + ")", bindNode);
        props.put("peer.path", peer);
        props.put("bind.path", bind);
        if (options.has("mac")) {
            props.put("mac", LinkOptions.mac("mac", options.get("mac")).toString());
        } else {
            // Part of the configuration, so a restarted instance (bundle update) keeps its MAC.
            props.put("mac.generated", MacAddress.generateLocal().toString());
        }
        if (options.has("peerfeats")) {
            String v = options.get("peerfeats");
            try {
                long feats = v.startsWith("0x") || v.startsWith("0X") ? Long.parseUnsignedLong(v.substring(2), 16)
                        : Long.parseUnsignedLong(v);
                props.put("peerfeats", feats);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option 'peerfeats=" + v + "': expected a feature mask such as 0x3");
            }
        }
        if (options.has("bind-mode")) {
            props.put("bind.mode", LinkOptions.socketMode(options.get("bind-mode")));
        }
        String unitKey = options.has("unit") ? "unit" : "lan";
        if (options.has(unitKey)) {
            props.put(Link.UNIT, new SubOptions.Entry(unitKey, options.get(unitKey)).intValue(0, 1023));
        }
        props.put(Link.DRIVER, VirtioNetDescriptor.NAME);
        props.put(Link.PREFIX, "vt");
        return props;
    }
}
