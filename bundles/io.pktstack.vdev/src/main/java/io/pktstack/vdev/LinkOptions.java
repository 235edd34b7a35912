package io.pktstack.vdev;

import io.pktstack.api.link.DriverContext;
import io.pktstack.api.net.MacAddress;
import io.pktstack.hostio.UnixSocket;
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

    /** Parses and checks a MAC option: a station's address only (multicast and all zeros are refused). */
    public static MacAddress mac(String option, String value) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + e.getMessage());
        }
        String why = mac.whyNotStation();
        if (why != null) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + why);
        }
        return mac;
    }

    /** Checks a device path and maps it under the device root. */
    public static Path path(String option, String value, DriverContext context) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("option '" + option + "' needs a path");
        }
        Path mapped;
        try {
            mapped = context.map(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + e.getMessage());
        }
        // Checked here, before anything starts: a socket that cannot be bound or reached would leave a link
        // that never comes up.
        String problem = UnixSocket.pathProblem(mapped);
        if (problem != null) {
            throw new IllegalArgumentException("option '" + option + "=" + value + "': " + problem);
        }
        return mapped;
    }

    /**
     * Checks that nobody listens at the node this side will bind: a path in use is refused here, with the
     * option named, before the driver's component starts (its failure would come with a stack trace).
     * A node left by a process that died answers nobody and is taken over.
     */
    public static void requireFree(String option, String value, Path mapped) {
        if (!java.nio.file.Files.exists(mapped)) {
            return;
        }
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            probe.connect(java.net.UnixDomainSocketAddress.of(mapped));
        } catch (java.io.IOException e) {
            return; // nobody there
        }
        throw new IllegalArgumentException("option '" + option + "=" + value
                + "': the node is in use by another running endpoint (another stack, or a guest or VM that binds it)");
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
