package io.pktstack.shell.internal;

import io.pktstack.api.stack.InterfaceAddress;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A {@code route add} or {@code route delete} line in NetBSD's syntax, parsed
 * whole before anything changes:
 * {@code route add [-net|-host] [-inet|-inet6] DEST[/LEN]|default GATEWAY [-netmask MASK|-prefixlen N]}.
 * Without a length, {@code -host} (or a bare address with {@code -host}) means
 * /32 or /128, otherwise a network without a length is refused: guessing a
 * class-based mask is how routes go wrong.
 *
 * @param delete true for {@code delete}
 * @param destination the prefix
 * @param gateway the next hop ({@code null} for delete, where it is optional)
 */
record RouteRequest(boolean delete, InterfaceAddress destination, InetAddress gateway) {

    static RouteRequest parse(String verb, String[] args) {
        boolean delete = switch (verb) {
            case "add" -> false;
            case "delete", "del" -> true;
            default -> throw new IllegalArgumentException("route: unknown command '" + verb + "' (show, add, delete)");
        };
        Boolean host = null;
        Boolean inet6 = null;
        Integer prefix = null;
        String dest = null;
        String gw = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-net" -> host = false;
                case "-host" -> host = true;
                case "-inet" -> inet6 = false;
                case "-inet6" -> inet6 = true;
                case "-netmask" -> prefix = IfconfigRequest.netmaskToPrefix("route",
                        NetCommands.stringArg(args, ++i, a));
                case "-prefixlen" -> prefix = NetCommands.intArg(args, ++i, a, 0, 128);
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("route: unknown option '" + a + "'");
                    } else if (dest == null) {
                        dest = a;
                    } else if (gw == null) {
                        gw = a;
                    } else {
                        throw new IllegalArgumentException("route: unexpected argument '" + a + "'");
                    }
                }
            }
        }
        if (dest == null) {
            throw new IllegalArgumentException("route " + verb + ": needs a destination");
        }
        if (gw == null && !delete) {
            throw new IllegalArgumentException("route add: needs a gateway after '" + dest + "'");
        }
        InetAddress gateway = gw == null ? null : NetCommands.numeric("route", gw);
        boolean v6 = inet6 != null ? inet6
                : dest.equals("default") ? gateway instanceof InetAddress g && !(g instanceof Inet4Address)
                : dest.indexOf(':') >= 0;
        InterfaceAddress destination;
        if (dest.equals("default")) {
            if (prefix != null || Boolean.TRUE.equals(host)) {
                throw new IllegalArgumentException("route: 'default' takes no netmask and is not a host");
            }
            destination = new InterfaceAddress(InetAddress.ofLiteral(v6 ? "::" : "0.0.0.0"), 0);
        } else {
            int slash = dest.indexOf('/');
            InetAddress addr = NetCommands.numeric("route", slash < 0 ? dest : dest.substring(0, slash));
            if ((addr instanceof Inet4Address) == v6) {
                throw new IllegalArgumentException("route: '" + dest + "' is not an " + (v6 ? "IPv6" : "IPv4")
                        + " address");
            }
            int max = v6 ? 128 : 32;
            int len;
            if (slash >= 0) {
                if (prefix != null) {
                    throw new IllegalArgumentException("route: '" + dest + "' has a prefix and a netmask");
                }
                try {
                    len = Integer.parseInt(dest.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("route: malformed prefix length in '" + dest + "'");
                }
            } else if (prefix != null) {
                len = prefix;
            } else if (Boolean.FALSE.equals(host)) {
                throw new IllegalArgumentException("route: network '" + dest + "' needs /LEN or -netmask");
            } else {
                len = max; // a bare address is a host route, as in BSD route(8)
            }
            if (len < 0 || len > max) {
                throw new IllegalArgumentException("route: prefix length " + len + " of '" + dest + "' out of range 0.."
                        + max);
            }
            if (Boolean.TRUE.equals(host) && len != max) {
                throw new IllegalArgumentException("route: -host '" + dest + "' with prefix length " + len);
            }
            destination = new InterfaceAddress(addr, len);
        }
        if (gateway != null && (gateway instanceof Inet4Address) == v6) {
            throw new IllegalArgumentException("route: gateway '" + gw + "' is not an " + (v6 ? "IPv6" : "IPv4")
                    + " address");
        }
        return new RouteRequest(delete, destination, gateway);
    }
}
