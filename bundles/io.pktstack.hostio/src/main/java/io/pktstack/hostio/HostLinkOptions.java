package io.pktstack.hostio;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.link.Link;
import io.pktstack.api.net.MacAddress;
import io.pktstack.api.options.SubOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The suboptions every driver on a Linux link shares, checked and turned into
 * configuration properties: {@code tap=NAME} or {@code if=NAME} (one of them),
 * {@code mac=}, {@code mtu=}, and io-pkt's {@code name=}, {@code unit=}/{@code lan=}.
 * A driver adds its own options and handles them itself.
 */
public final class HostLinkOptions {

    /** Configuration property: {@code tap} or {@code if}. */
    public static final String DEVICE_KIND = "device.kind";
    /** Configuration property: the Linux interface name. */
    public static final String DEVICE_NAME = "device.name";
    public static final String MAC = "mac";
    /**
     * Configuration property: the MAC generated when none was assigned.
     *
     * @since 1.2
     */
    public static final String MAC_GENERATED = "mac.generated";
    public static final String MTU = "mtu";

    /** Options this class handles. */
    public static final Set<String> COMMON = Set.of("tap", "if", "mac", "mtu", "name", "unit", "lan");

    /** io-pkt's default MTU for e1000: a 1500-byte payload plus the Ethernet header. */
    public static final int DEFAULT_MTU = 1514;

    private HostLinkOptions() {
    }

    /**
     * Checks the common options (and that no other option than {@code extra}
     * appears) and returns the properties they make. When neither {@code tap=}
     * nor {@code if=} is given, {@code defaultTap} names a TAP device to create
     * (null: one of them is required).
     */
    public static Map<String, Object> configure(String driver, SubOptions options, Set<String> extra,
            String defaultPrefix, String defaultTap, DriverContext context) {
        Set<String> known = new HashSet<>(COMMON);
        known.addAll(extra);
        options.requireKnown(driver, known);
        Map<String, Object> props = new LinkedHashMap<>();
        String kind = null;
        String device = null;
        String prefix = defaultPrefix;
        for (SubOptions.Entry e : options.entries()) {
            String v = e.value();
            switch (e.key()) {
                case "tap", "if" -> {
                    if (kind != null) {
                        throw new IllegalArgumentException("option '" + e + "': " + driver + " takes one device, and "
                                + kind + "=" + device + " came first");
                    }
                    kind = e.key();
                    device = HostDevice.checkInterfaceName(e.key(), v);
                }
                case "mac" -> props.put(MAC, mac(v).toString());
                case "mtu" -> props.put(MTU, e.intValue(64, 9018));
                case "name" -> {
                    if (v == null || !v.matches("[a-z]{1,8}")) {
                        throw new IllegalArgumentException("option 'name=" + v + "': an interface prefix is 1-8 lower-case letters");
                    }
                    prefix = v;
                }
                case "unit", "lan" -> props.put(Link.UNIT, e.intValue(0, 1023));
                default -> {
                    // the driver's own option
                }
            }
        }
        if (kind == null) {
            if (defaultTap == null) {
                throw new IllegalArgumentException(driver + " needs a device: tap=NAME (a TAP device, created if missing) "
                        + "or if=NAME (an existing interface such as a veth end)");
            }
            kind = "tap";
            device = defaultTap;
        }
        if (kind.equals("if") && !Files.isDirectory(Path.of("/sys/class/net", device))) {
            throw new IllegalArgumentException("option 'if=" + device + "': no such interface (see 'ip link show'; "
                    + "to create a TAP device use tap=" + device + ")");
        }
        Optional<String> holder = DeviceClaim.holder(DeviceClaim.defaultFolder(), device);
        if (holder.isPresent()) {
            throw new IllegalArgumentException("option '" + kind + "=" + device + "': the device is in use by "
                    + holder.get() + "; a device belongs to one stack at a time");
        }
        props.put(DEVICE_KIND, kind);
        props.put(DEVICE_NAME, device);
        props.put(Link.PREFIX, prefix);
        if (!props.containsKey(MAC)) {
            // Part of the configuration, so a restarted instance (bundle update) keeps its MAC.
            props.put(MAC_GENERATED, MacAddress.generateLocal().toString());
        }
        return props;
    }

    /** Parses a MAC in either io-pkt's 12-digit form or the colon form; refuses what no station has. */
    public static MacAddress mac(String value) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(value == null ? "" : value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option 'mac=" + value + "': " + e.getMessage());
        }
        String why = mac.whyNotStation();
        if (why != null) {
            throw new IllegalArgumentException("option 'mac=" + value + "': " + why);
        }
        return mac;
    }

    /**
     * Opens what a configuration names: claims the device for {@code owner},
     * opens it, and wraps it in a link. On failure nothing stays open or claimed.
     */
    public static HostLink open(String kind, String device, String owner, MacAddress mac, boolean macAssigned, int mtu,
            Map<String, Object> details) throws java.io.IOException {
        DeviceClaim claim = DeviceClaim.acquire(DeviceClaim.defaultFolder(), device, owner);
        HostDevice dev = null;
        try {
            dev = kind.equals("if") ? PacketSocket.open(device) : TapDevice.open(device);
            return new HostLink(dev, claim, mac, macAssigned, mtu, details);
        } catch (java.io.IOException | RuntimeException e) {
            if (dev != null) {
                dev.close();
            }
            claim.close();
            throw e;
        }
    }
}
