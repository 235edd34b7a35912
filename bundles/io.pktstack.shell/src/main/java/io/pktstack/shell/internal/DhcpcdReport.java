package io.pktstack.shell.internal;

import io.pktstack.api.router.DhcpBinding;
import java.util.List;
import java.util.stream.Collectors;

/** {@code dhcpcd -U}: each client's lease as dhcpcd dumps it, {@code name=value} lines. */
record DhcpcdReport(List<DhcpBinding> bindings) implements Report {

    @Override
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (DhcpBinding b : bindings) {
            sb.append("interface=").append(b.ifName()).append('\n');
            sb.append("state=").append(b.state()).append('\n');
            if (b.address() != null) {
                sb.append("ip_address=").append(b.address().getHostAddress()).append('\n');
                sb.append("subnet_cidr=").append(b.prefixLength()).append('\n');
                if (b.router() != null) {
                    sb.append("routers=").append(b.router().getHostAddress()).append('\n');
                }
                if (!b.dns().isEmpty()) {
                    sb.append("domain_name_servers=").append(b.dns().stream().map(a -> a.getHostAddress())
                            .collect(Collectors.joining(" "))).append('\n');
                }
                sb.append("dhcp_server_identifier=").append(b.server().getHostAddress()).append('\n');
                sb.append("dhcp_lease_time=").append(b.leaseSeconds()).append('\n');
                sb.append("lease_remaining=").append(b.secondsLeft()).append('\n');
            }
        }
        return sb.toString();
    }
}
