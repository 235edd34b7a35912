package io.pktstack.api.link;

import java.nio.file.Path;

/**
 * What a driver needs to know about the stack instance it starts in.
 *
 * @param deviceRoot folder under which device paths such as {@code /dev/qvm/...} are mapped
 * @param systemName this stack instance's name (the qvm "system" a guest is)
 */
public record DriverContext(Path deviceRoot, String systemName) {

    /** Configuration property carrying {@link #deviceRoot()}. */
    public static final String DEVICE_ROOT = "pktstack.device.root";
    /** Configuration property carrying {@link #systemName()}. */
    public static final String SYSTEM_NAME = "pktstack.system.name";

    /**
     * Maps a device path as written in a board script onto the device root:
     * {@code /dev/qvm/g1/p2p} becomes {@code ROOT/dev/qvm/g1/p2p}.
     *
     * @throws IllegalArgumentException if the path is relative or escapes the root
     *         (for example through {@code ..})
     */
    public Path map(String devicePath) {
        if (devicePath.isEmpty() || devicePath.charAt(0) != '/') {
            throw new IllegalArgumentException("device path '" + devicePath + "' must be absolute (e.g. /dev/qvm/guest/p2p)");
        }
        Path root = deviceRoot.toAbsolutePath().normalize();
        Path mapped = root.resolve(devicePath.substring(1)).normalize();
        if (!mapped.startsWith(root) || mapped.equals(root)) {
            throw new IllegalArgumentException("device path '" + devicePath + "' lies outside the device root " + root);
        }
        return mapped;
    }
}
