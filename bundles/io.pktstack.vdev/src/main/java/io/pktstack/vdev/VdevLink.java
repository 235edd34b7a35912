package io.pktstack.vdev;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.frame.FramePool;
import io.pktstack.api.link.Link;
import io.pktstack.api.link.LinkPort;
import io.pktstack.api.net.MacAddress;
import io.pktstack.vdev.internal.Endpoint;
import io.pktstack.vdev.internal.LinkListener;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A guest link as the stack sees it: one {@link Link} over one vhost-user
 * endpoint. Both guest-link drivers register these; they differ only in
 * their role (virtio-net a front-end, vdevpeer-net a back-end) and options.
 */
public final class VdevLink implements Link, AutoCloseable {

    private final EndpointConfig config;
    private final boolean macAssigned;
    private final Endpoint endpoint;
    private final Map<String, Object> extraDetails;
    private volatile LinkPort port;

    /**
     * Binds the link's node; nothing moves until {@link #attach}.
     *
     * @throws IOException if the node is in use or cannot be bound
     */
    public VdevLink(EndpointConfig config, boolean macAssigned, Map<String, Object> extraDetails) throws IOException {
        this.config = config;
        this.macAssigned = macAssigned;
        this.extraDetails = Map.copyOf(extraDetails);
        this.endpoint = new Endpoint(config);
    }

    @Override
    public MacAddress mac() {
        return config.mac();
    }

    @Override
    public boolean macAssigned() {
        return macAssigned;
    }

    @Override
    public int mtu() {
        return config.mtu();
    }

    @Override
    public void attach(LinkPort p) {
        this.port = p;
        endpoint.start(p.pool(), new PortListener(), p::busyPollMicros, p::pollCpu);
    }

    @Override
    public void detach() {
        try {
            endpoint.close();
        } finally {
            port = null;
        }
    }

    @Override
    public int transmit(FrameBatch batch) {
        return endpoint.transmit(batch);
    }

    @Override
    public MacAddress peerMac() {
        return endpoint.peerMac();
    }

    @Override
    public boolean carrier() {
        return endpoint.connected();
    }

    @Override
    public int offloads() {
        return endpoint.offloads();
    }

    @Override
    public int framesOnRings() {
        return endpoint.framesOnRings();
    }

    @Override
    public io.pktstack.api.link.DriverCounters counters() {
        return endpoint.counters();
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>(endpoint.details());
        m.putAll(extraDetails);
        return m;
    }

    /** What the endpoint reports, passed to the stack's port. */
    private final class PortListener implements LinkListener {
        @Override
        public FramePool largePool() {
            LinkPort p = port;
            return p == null ? null : p.largePool();
        }

        @Override
        public void up(MacAddress peerMac) {
            LinkPort p = port;
            if (p != null) {
                p.carrierChanged(true);
            }
        }

        @Override
        public void down(String reason) {
            LinkPort p = port;
            if (p != null) {
                p.carrierChanged(false); // the reason comes as an event of its own
            }
        }

        @Override
        public void received(FrameBatch batch) {
            LinkPort p = port;
            if (p != null) {
                p.receive(batch);
            } else {
                batch.releaseAll();
            }
        }

        @Override
        public void event(String message) {
            LinkPort p = port;
            if (p != null) {
                p.event(message);
            } else {
                System.getLogger("io.pktstack.vdev").log(System.Logger.Level.WARNING, config.bindPath() + ": " + message);
            }
        }
    }

    /** Releases the bound node if the link was never attached (or detaches it). */
    @Override
    public void close() {
        endpoint.close();
    }
}
