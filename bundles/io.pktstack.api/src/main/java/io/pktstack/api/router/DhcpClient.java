package io.pktstack.api.router;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The stack's DHCP client (RFC 2131 §4.4): per interface, discovers a
 * server, binds the address it offers with its prefix and a default route,
 * renews at T1 and rebinds at T2.
 */
@ProviderType
public interface DhcpClient {

    /** Starts acquiring an address on {@code ifName} ({@code dhcpcd IF}); it runs until released. */
    void start(String ifName);

    /** Gives the address back and removes it, its route and the client ({@code dhcpcd -k IF}). */
    void release(String ifName);

    /** The clients running, by interface. */
    List<DhcpBinding> bindings();
}
