package io.pktstack.shell.internal;

import io.pktstack.api.stack.InterfaceAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings part of an {@code ifconfig IF ...} line, parsed whole before
 * anything is applied.
 *
 * @param add addresses to add
 * @param remove addresses to remove ({@code -alias} / {@code delete})
 * @param up {@code true}/{@code false} for up/down, {@code null} to leave as is
 */
record IfconfigRequest(List<InterfaceAddress> add, List<InterfaceAddress> remove, Boolean up) {

    static IfconfigRequest parse(String[] args) {
        List<InterfaceAddress> add = new ArrayList<>();
        List<InterfaceAddress> remove = new ArrayList<>();
        Boolean up = null;
        boolean inet6 = false;
        String pending = null; // address text waiting for netmask/prefixlen
        boolean removing = false;
        Integer prefix = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "inet" -> inet6 = false;
                case "inet6" -> inet6 = true;
                case "up" -> up = true;
                case "down" -> up = false;
                case "alias", "add" -> { }
                case "-alias", "delete" -> removing = true;
                case "netmask" -> {
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("ifconfig: 'netmask' needs a value");
                    }
                    prefix = netmaskToPrefix("ifconfig", args[i]);
                }
                case "prefixlen" -> {
                    if (++i >= args.length) {
                        throw new IllegalArgumentException("ifconfig: 'prefixlen' needs a value");
                    }
                    try {
                        prefix = Integer.parseInt(args[i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("ifconfig: bad prefixlen '" + args[i] + "'");
                    }
                }
                default -> {
                    if (pending != null) {
                        throw new IllegalArgumentException("ifconfig: unexpected argument '" + a + "'");
                    }
                    boolean looksV6 = a.indexOf(':') >= 0;
                    boolean looksV4 = a.matches("[0-9.]+(/[0-9]+)?");
                    if (!(looksV6 || looksV4) || (inet6 && !looksV6)) {
                        throw new IllegalArgumentException("ifconfig: unknown argument '" + a + "'");
                    }
                    if (!inet6 && looksV6) {
                        inet6 = true; // an IPv6 literal implies inet6
                    }
                    pending = a;
                }
            }
        }
        if (pending != null) {
            InterfaceAddress addr;
            try {
                addr = InterfaceAddress.parse(pending);
                if (prefix != null) {
                    if (pending.contains("/")) {
                        // no "ifconfig: " here: the catch below adds it
                        throw new IllegalArgumentException("'" + pending + "' has a prefix and a netmask");
                    }
                    addr = new InterfaceAddress(addr.address(), prefix);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ifconfig: " + e.getMessage(), e);
            }
            (removing ? remove : add).add(addr);
        } else if (prefix != null) {
            throw new IllegalArgumentException("ifconfig: netmask/prefixlen without an address");
        }
        return new IfconfigRequest(add, remove, up);
    }

    /** The prefix length of a dotted or 0x-hex IPv4 netmask; errors start with {@code command}. */
    static int netmaskToPrefix(String command, String mask) {
        long m;
        try {
            if (mask.startsWith("0x")) {
                m = Long.parseLong(mask.substring(2), 16);
            } else {
                String[] p = mask.split("\\.");
                if (p.length != 4) {
                    throw new NumberFormatException();
                }
                m = 0;
                for (String o : p) {
                    int v = Integer.parseInt(o);
                    if (v < 0 || v > 255) {
                        throw new NumberFormatException();
                    }
                    m = (m << 8) | v;
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": bad netmask '" + mask + "'");
        }
        int prefix = Long.bitCount(m);
        if (m != ((0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException(command + ": netmask '" + mask + "' is not contiguous");
        }
        return prefix;
    }
}
