package io.pktstack.api.link;

/**
 * What a driver counted of its own: frames it dropped or found in error, each
 * way, since the link was made. The stack adds them to the interface's
 * counters, so they show in {@code netstat -i} and {@code nicinfo} beside the
 * stack's own drops; the kinds behind each number stay in
 * {@link Link#details()}.
 *
 * @param rxDropped frames received that the driver had to drop (no buffer, too long for a slot)
 * @param rxErrors frames received malformed (a bad header or length, a runt, a peer that broke its rules)
 * @param txDropped frames the driver could not send (no carrier)
 * @param txErrors frames the driver can never send, or that the device refused (larger than the MTU)
 * @since 1.1
 */
public record DriverCounters(long rxDropped, long rxErrors, long txDropped, long txErrors) {

    /** A driver that counts nothing of its own. */
    public static final DriverCounters NONE = new DriverCounters(0, 0, 0, 0);
}
