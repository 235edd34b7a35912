package io.pktstack.launcher.ctl;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** What an instance name may be, and what its control socket's path may be. */
public final class InstanceNames {

    /** The rule, for messages. */
    public static final String RULE = "letters, digits, '.', '_', '-', starting with a letter or digit, at most 64";
    /**
     * Longest path a Unix socket takes on Linux: {@code sun_path} holds 108
     * bytes with the terminating NUL (unix(7)). A longer path cannot be bound or
     * reached.
     */
    public static final int MAX_SOCKET_PATH = 107;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private InstanceNames() {
    }

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Checks that a Unix socket can live at {@code socket}.
     *
     * @param what the socket's role, for the message
     * @throws IllegalArgumentException naming the path and its length
     */
    public static void checkSocketPath(Path socket, String what) {
        int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException(what + " path " + socket + " is " + bytes
                    + " bytes long; a Unix socket's path takes at most " + MAX_SOCKET_PATH
                    + " (choose a shorter --root)");
        }
    }
}
