package io.pktstack.shell.internal;

import io.pktstack.api.router.DhcpPool;
import java.net.InetAddress;
import java.util.List;

/** {@code dhcpd} without arguments, or after a change: what each interface serves, in the command's own syntax. */
record DhcpPoolList(List<DhcpPool> pools) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (DhcpPool p : pools) {
            if (p.first() != null) {
                sb.append("dhcpd ").append(p.ifName()).append(" range ").append(p.first().getHostAddress()).append(' ')
                        .append(p.last().getHostAddress());
                if (p.router() != null) {
                    sb.append(" router ").append(p.router().getHostAddress());
                }
                if (!p.dns().isEmpty()) {
                    sb.append(" dns");
                    for (InetAddress d : p.dns()) {
                        sb.append(' ').append(d.getHostAddress());
                    }
                }
                sb.append(" lease ").append(p.leaseSeconds()).append('\n');
            }
            p.statics().forEach((mac, a) -> sb.append("dhcpd ").append(p.ifName()).append(" static ").append(mac)
                    .append(' ').append(a.getHostAddress()).append('\n'));
        }
        return sb.toString();
    }
}
