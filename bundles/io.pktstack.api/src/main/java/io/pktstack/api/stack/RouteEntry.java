package io.pktstack.api.stack;

import java.net.InetAddress;
import java.util.Set;

/**
 * One row of the routing table, as {@code netstat -r} and {@code route show}
 * print it.
 *
 * @param destination the prefix ({@code 0.0.0.0/0} or {@code ::/0} for the default route)
 * @param gateway the next hop, or {@code null} for a connected route (the destination is on the link)
 * @param ifName the interface packets leave by
 * @param flags UP, GATEWAY, HOST, STATIC, CONNECTED
 * @param use packets the stack sent by this route
 * @param mtu the interface's IP MTU (its frame MTU less the Ethernet header)
 */
public record RouteEntry(InterfaceAddress destination, InetAddress gateway, String ifName, Set<Flag> flags,
        long use, int mtu) {

    public RouteEntry {
        flags = Set.copyOf(flags);
    }

    /** BSD's route flags, with the letter {@code netstat -r} prints for each. */
    public enum Flag {
        /** U: usable. */
        UP('U'),
        /** G: the destination is reached through a gateway. */
        GATEWAY('G'),
        /** H: a host route (/32, /128). */
        HOST('H'),
        /** S: added by hand ({@code route add}). */
        STATIC('S'),
        /** C: made from an interface address (a connected prefix). */
        CONNECTED('C');

        private final char letter;

        Flag(char letter) {
            this.letter = letter;
        }

        public char letter() {
            return letter;
        }
    }

    public boolean isDefault() {
        return destination.prefixLength() == 0;
    }
}
