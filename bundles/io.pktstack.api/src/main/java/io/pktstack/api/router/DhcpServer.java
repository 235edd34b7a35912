package io.pktstack.api.router;

import io.pktstack.api.net.MacAddress;
import java.net.InetAddress;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The stack's DHCP server (RFC 2131, options of RFC 2132), per interface.
 * Leases are kept in the instance's state (a file under the run root), so a
 * restarted host honours the leases it gave before, and a client that comes
 * back with the same MAC gets the same address whenever nobody else holds it.
 */
@ProviderType
public interface DhcpServer {

    /**
     * Serves addresses {@code pool.first()..pool.last()} on {@code pool.ifName()}
     * ({@code dhcpd IF range START END [router ADDR] [dns ADDR...] [lease SECONDS]}),
     * replacing the range, router, DNS servers and lease time it had; static
     * bindings stay. The range must lie in the prefix of one of the
     * interface's IPv4 addresses.
     */
    void serve(DhcpPool pool);

    /** Always gives {@code address} to {@code mac} on {@code ifName} ({@code dhcpd IF static MAC ADDR}). */
    void bind(String ifName, MacAddress mac, InetAddress address);

    /** Stops serving on {@code ifName} ({@code dhcpd IF off}); its leases are remembered. */
    void stop(String ifName);

    /** What each interface serves. */
    List<DhcpPool> pools();

    /** Every lease given, live or not ({@code dhcpd -l}), by interface and address. */
    List<DhcpLease> leases();
}
