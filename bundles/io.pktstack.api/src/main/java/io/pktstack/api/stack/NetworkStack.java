package io.pktstack.api.stack;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running stack, as the shell and other bundles see it: the interface
 * table, addresses, bridges, neighbour tables and ping. Only the core
 * implements it. Methods that change state throw {@link IllegalArgumentException}
 * with a message naming the bad interface or value and change nothing.
 *
 * <p>1.1: routes, per-protocol statistics and tunables. 1.2: impairments.
 */
@ProviderType
public interface NetworkStack {

    /** Every interface, in creation order. */
    List<InterfaceInfo> interfaces();

    /** One interface by name. @throws IllegalArgumentException if there is none */
    InterfaceInfo interfaceInfo(String name);

    /** Administratively brings an interface up or down ({@code ifconfig IF up|down}). */
    void setUp(String ifName, boolean up);

    /** Adds an IPv4 or IPv6 address with its prefix length. */
    void addAddress(String ifName, InterfaceAddress address);

    /** Removes an address. */
    void removeAddress(String ifName, InterfaceAddress address);

    /** Creates a bridge interface ({@code ifconfig bridge0 create}). */
    void createBridge(String name);

    /** Destroys a bridge ({@code ifconfig bridge0 destroy}). */
    void destroyInterface(String name);

    /**
     * Adds a member to a bridge. Refused when the member's MAC, or a MAC seen
     * behind it, is already used inside the bridge's segment.
     */
    void bridgeAdd(String bridge, String member);

    void bridgeDelete(String bridge, String member);

    /** Members of a bridge, in the order added. */
    List<String> bridgeMembers(String bridge);

    /** The learned address table of a bridge. */
    List<BridgeEntry> bridgeTable(String bridge);

    /**
     * Sends one ICMP or ICMPv6 echo request and waits for its reply.
     *
     * @return the reply, or a result with {@code replied() == false} after the timeout
     */
    PingResult ping(InetAddress destination, int sequence, int payloadBytes, Duration timeout);

    /** The ARP table ({@code ipv6 == false}) or the IPv6 neighbour cache. */
    List<NeighborEntry> neighbors(boolean ipv6);

    /** The frame pool: how many frames exist and how many are free. */
    BufferStatistics buffers();

    /** Opens a UDP socket bound to {@code port} (0 picks a free one). */
    UdpSocket openUdp(int port);

    /**
     * The routing table: a connected route for every interface address, then
     * the static routes. The stack's own traffic (ping, UDP) goes by the
     * longest matching prefix.
     *
     * @since 1.1
     */
    List<RouteEntry> routes();

    /**
     * Adds a static route ({@code route add}). The gateway must lie in a
     * connected prefix, and the family of destination and gateway must agree.
     *
     * @param destination the prefix; host bits are cleared
     * @since 1.1
     */
    void addRoute(InterfaceAddress destination, InetAddress gateway);

    /**
     * Deletes the static route to exactly {@code destination} ({@code route delete}).
     *
     * @since 1.1
     */
    void deleteRoute(InterfaceAddress destination);

    /**
     * Per-protocol counters ({@code netstat -s}): ip, icmp, ip6, icmp6, udp, arp.
     *
     * @since 1.1
     */
    List<ProtocolStatistics> statistics();

    /**
     * The tunables the stack honours ({@code sysctl -a}), sorted by name.
     *
     * @since 1.1
     */
    List<Tunable> tunables();

    /**
     * Sets tunables, all or none: every name and value is checked before any
     * is set; each takes effect at once.
     *
     * @param values new values by name, set in the map's order
     * @return the tunables with their new values, in the same order
     * @throws IllegalArgumentException naming an unknown or read-only tunable,
     *         or a value out of its range
     * @since 1.1
     */
    List<Tunable> setTunables(Map<String, Long> values);

    /**
     * Impairs an interface's receive and transmit ({@code impair IF ...});
     * settings with every value zero remove the impairment. Frames it holds
     * (delayed, reordered) go on when they are due, or back to the pool if the
     * impairment is replaced or removed.
     *
     * @since 1.2
     */
    void setImpairment(String ifName, Impairment settings);

    /**
     * The interface's impairment with what it did so far, or null if it has none.
     *
     * @since 1.2
     */
    Impairment impairment(String ifName);
}
