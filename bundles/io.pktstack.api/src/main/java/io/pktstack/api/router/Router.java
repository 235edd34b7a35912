package io.pktstack.api.router;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A stack's router functions, one service per stack instance beside
 * {@code NetworkStack}. Methods that change state throw
 * {@link IllegalArgumentException} naming the bad interface, value or line,
 * and change nothing.
 */
@ProviderType
public interface Router {

    /** The DHCP server ({@code dhcpd}). */
    DhcpServer dhcpServer();

    /** The DHCP client ({@code dhcpcd}). */
    DhcpClient dhcpClient();

    /** Address translation and port forwarding ({@code pfctl}). */
    PacketFilter packetFilter();

    /** Router advertisements for SLAAC ({@code rtadvd}). */
    RouterAdvertisements routerAdvertisements();

    /** Addresses and a default router from others' advertisements ({@code rtsol}). */
    Autoconfiguration autoconfiguration();
}
