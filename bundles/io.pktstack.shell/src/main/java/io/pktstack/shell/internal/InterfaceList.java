package io.pktstack.shell.internal;

import io.pktstack.api.stack.InterfaceAddress;
import io.pktstack.api.stack.InterfaceInfo;
import java.net.Inet4Address;
import java.util.List;
import java.util.StringJoiner;

/** {@code ifconfig} output, in the layout of BSD's ifconfig. */
record InterfaceList(List<InterfaceInfo> interfaces) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (InterfaceInfo i : interfaces) {
            StringJoiner flags = new StringJoiner(",", "<", ">");
            i.flags().forEach(f -> flags.add(f.name()));
            sb.append(i.name()).append(": flags=").append(Integer.toHexString(flagBits(i)))
                    .append(flags).append(" mtu ").append(i.mtu() - (i.mac() == null ? 0 : 14)).append('\n');
            if (i.mac() != null) {
                sb.append("\taddress: ").append(i.mac()).append('\n');
                sb.append("\tmedia: Ethernet (").append(i.driver()).append(")\n");
                sb.append("\tstatus: ").append(i.isRunning() ? "active" : "no carrier").append('\n');
            }
            if (i.bridge() != null) {
                sb.append("\tmember of ").append(i.bridge()).append('\n');
            }
            for (InterfaceAddress a : i.addresses()) {
                if (a.address() instanceof Inet4Address) {
                    int mask = a.prefixLength() == 0 ? 0 : -1 << (32 - a.prefixLength());
                    sb.append("\tinet ").append(a.address().getHostAddress())
                            .append(" netmask 0x").append(String.format("%08x", mask)).append('\n');
                } else {
                    String host = a.address().getHostAddress();
                    int pct = host.indexOf('%');
                    host = compress(pct < 0 ? host : host.substring(0, pct));
                    if (host.startsWith("fe80:")) {
                        host += "%" + i.name();
                    }
                    sb.append("\tinet6 ").append(host).append(" prefixlen ").append(a.prefixLength()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** BSD's if_flags bits (sys/net/if.h) so the hex matches what io-pkt users know. */
    static int flagBits(InterfaceInfo i) {
        int bits = 0;
        for (InterfaceInfo.Flag f : i.flags()) {
            bits |= switch (f) {
                case UP -> 0x1;
                case BROADCAST -> 0x2;
                case LOOPBACK -> 0x8;
                case RUNNING -> 0x40;
                case PROMISC -> 0x100;
                case MULTICAST -> 0x8000;
            };
        }
        return bits;
    }

    /** An address as people write it: dotted IPv4, RFC 5952 IPv6 without a scope. */
    static String format(java.net.InetAddress a) {
        return AddressText.format(a);
    }

    /** RFC 5952 text form: lower case, longest zero run as "::". */
    static String compress(String full) {
        return AddressText.compress(full);
    }
}
