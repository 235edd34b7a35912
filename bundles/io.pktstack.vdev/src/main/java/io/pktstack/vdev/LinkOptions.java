package io.pktstack.vdev;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.net.MacAddress;
import java.nio.file.Path;

/** Option checks shared by the guest-link drivers, each failing with a message that names the bad token. */
public final class LinkOptions {

    /**
     * Default virtqueue size: four full batches in flight in each direction, so
     * a ring absorbs the time its reader takes to be scheduled (about 0.5 ms at
     * 2 Mpps) and each wake-up moves several batches.
     */
    public static final int QUEUE_SIZE = 1024;
    /** Every feature a front-end can use: no peerfeats= limit. */
    public static final long ALL_FEATURES = -1L;
    public static final int DEFAULT_MTU = 1514;

    private LinkOptions() {
    }

    /** Parses and checks a MAC option: unicast only (the seed: a multicast MAC is refused). */
    public static MacAddress mac(String option, String value) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + e.getMessage());
        }
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + mac
                    + " is a multicast address; an interface needs a unicast MAC");
        }
        return mac;
    }

    /** Checks a device path and maps it under the device root. */
    public static Path path(String option, String value, DriverContext context) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("option '" + option + "' needs a path");
        }
        try {
            return context.map(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + e.getMessage());
        }
    }

    /** Parses a mode such as {@code 0600} into {@code rw-------}. */
    public static String socketMode(String value) {
        int mode;
        try {
            mode = Integer.parseInt(value, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option 'bind-mode=" + value + "': not an octal mode such as 0600");
        }
        if (mode < 0 || mode > 0777 || (mode & 0600) != 0600) {
            throw new IllegalArgumentException("option 'bind-mode=" + value + "': the owner needs read and write (0600..0777)");
        }
        String rwx = "rwxrwxrwx";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
