package io.pktstack.api.link;

import io.pktstack.api.frame.FrameBatch;
import io.pktstack.api.net.MacAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One network interface as a driver provides it: drivers register one
 * {@code Link} service per interface they make, and the core tracks them,
 * names them, attaches them to their segment and brings them up.
 *
 * <p>Service properties a driver sets: {@link #DRIVER}, {@link #INSTANCE},
 * {@link #PREFIX}, optionally {@link #UNIT}, {@link #DESCRIPTION} and {@link #KEY}.
 *
 * <p>MTU: {@link #mtu()} is the largest Ethernet frame the link carries,
 * counting the 14-byte Ethernet header and not the FCS (io-pkt's e1000 default
 * is 1514), so the IP MTU is {@code mtu() - 14}.
 */
@ConsumerType
public interface Link {

    /** Service property: the driver name as given to {@code -d} (e.g. {@code virtio-net}). */
    String DRIVER = "pktstack.driver";
    /** Service property: the driver instance (one {@code -d}) that made this link. */
    String INSTANCE = "pktstack.instance";
    /** Service property: interface name prefix (e.g. {@code vp}). */
    String PREFIX = "pktstack.if.prefix";
    /** Service property (optional Integer): a forced unit number ({@code unit=}/{@code lan=}). */
    String UNIT = "pktstack.if.unit";
    /** Service property (optional): a human description, e.g. the peer path. */
    String DESCRIPTION = "pktstack.if.description";
    /**
     * Service property (optional String): what names this interface within its
     * driver instance, the same every time the instance makes it (a
     * vdevpeer-net interface's bind path). The stack uses it to give an
     * interface back its settings when its instance restarts (a bundle
     * update), and the driver manager to remove one interface of an instance
     * ({@link DriverDescriptor#withoutInterface}). Without it, the
     * {@link #DESCRIPTION} serves.
     *
     * @since 1.1
     */
    String KEY = "pktstack.if.key";

    MacAddress mac();

    /** True when the user assigned {@link #mac()}; false when the driver generated it. */
    boolean macAssigned();

    /** Largest frame in bytes, Ethernet header included, FCS excluded. */
    int mtu();

    /**
     * Connects the link to the stack. From now on the driver delivers received
     * frames and carrier changes to {@code port}, and takes receive buffers from
     * {@link LinkPort#pool()}. Called once, before any {@link #transmit}.
     */
    void attach(LinkPort port);

    /**
     * Disconnects the link: the driver stops delivering to the port and returns
     * every frame it holds to its pool before this method returns.
     */
    void detach();

    /**
     * Sends frames from the front of the batch, in order (DPDK's tx_burst
     * contract). The driver takes ownership of every frame it removes from the
     * batch: those it sent, and those it can never send (no carrier, too big),
     * which it releases and counts. Frames that found no room (the peer's ring
     * is full) stay in the batch, in order, owned by the caller, who may retry
     * or release them. Safe to call from several threads.
     *
     * @return the number of frames sent
     */
    int transmit(FrameBatch batch);

    /**
     * The MAC of the station at the other end of a point-to-point link (a
     * guest's virtio-net behind a vdevpeer-net interface), if the driver knows
     * it; null otherwise. The stack uses it to keep MACs unique in a bridge's
     * segment.
     */
    default MacAddress peerMac() {
        return null;
    }

    /** Whether the link has carrier (its peer is present and the link usable). */
    boolean carrier();

    /** {@link #offloads()} bit: the link takes frames whose transport checksum is partial ({@link io.pktstack.api.frame.Frame#CSUM_PARTIAL}). */
    int OFFLOAD_CSUM = 1;
    /**
     * {@link #offloads()} bit: the link takes TCP/IPv4 segmentation-offload frames
     * ({@link io.pktstack.api.frame.Frame#GSO_TCPV4}) whole, up to 64 KiB.
     *
     * @since 1.3
     */
    int OFFLOAD_TSO4 = 2;
    /** {@link #offloads()} bit: as {@link #OFFLOAD_TSO4}, for {@link io.pktstack.api.frame.Frame#GSO_TCPV6}. @since 1.3 */
    int OFFLOAD_TSO6 = 4;

    /**
     * What the link takes of frames with offloads, now ({@link #OFFLOAD_CSUM},
     * {@link #OFFLOAD_TSO4}, {@link #OFFLOAD_TSO6});
     * it can change as the peer (re)negotiates, and the stack reads it for every
     * transmit. For a frame the link does not take as it is, the stack does the
     * work first (completes the checksum, cuts a large segment, in software).
     *
     * @since 1.2
     */
    default int offloads() {
        return 0;
    }

    /**
     * The driver's own drops and errors, typed, for the interface's counters
     * ({@code netstat -i}). Read from any thread; each number only grows.
     *
     * @since 1.1
     */
    default DriverCounters counters() {
        return DriverCounters.NONE;
    }

    /**
     * Frames of the stack's pool the link holds on its rings now: posted to
     * receive into, or sent and not yet returned by its peer (a guest link
     * whose pool its back-end shares). {@code netstat -m} counts them apart
     * from the frames the stack holds. Read from any thread, racily.
     *
     * @since 1.4
     */
    default int framesOnRings() {
        return 0;
    }

    /** Driver-specific counters and facts for {@code nicinfo}, in display order. */
    default java.util.Map<String, Object> details() {
        return java.util.Map.of();
    }
}
