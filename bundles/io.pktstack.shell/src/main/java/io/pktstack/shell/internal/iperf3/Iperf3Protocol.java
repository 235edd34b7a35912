package io.pktstack.shell.internal.iperf3;

import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * What iperf3 3.12 fixes on the wire and in its limits, from its source
 * (iperf.h, iperf_api.h, iperf_util.c): the port, the cookie that names a
 * test on its control and stream connections, the default block size, and
 * the error numbers a server sends after SERVER_ERROR.
 */
public final class Iperf3Protocol {

    /** iperf3's default port (iperf_api.h PORT). */
    public static final int DEFAULT_PORT = 5201;
    /** Most parallel streams a test may ask for (iperf.h MAX_STREAMS). */
    public static final int MAX_STREAMS = 128;
    /** Longest test in seconds (iperf.h MAX_TIME). */
    public static final int MAX_TIME = 86_400;
    /** Default length of one read or write on a TCP stream (iperf_api.h DEFAULT_TCP_BLKSIZE). */
    static final int DEFAULT_TCP_BLOCK = 128 * 1024;
    /** Largest block a peer may ask for (iperf.h MAX_BLOCKSIZE). */
    static final int MAX_BLOCK = 1024 * 1024;
    /** An ASCII cookie of 36 characters and its terminating NUL (iperf.h COOKIE_SIZE). */
    static final int COOKIE_SIZE = 37;
    /** The version whose protocol this implementation speaks, sent as client_version. */
    static final String PROTOCOL_VERSION = "3.12";

    /** iperf3's i_errno values that this implementation sends or names (iperf_api.h). */
    static final int IEUNIMP = 13;
    static final int IEACCESSDENIED = 121;
    static final int IEAUTHTEST = 142;

    /** The characters of a cookie (iperf_util.c make_cookie: base32 letters and digits). */
    private static final byte[] COOKIE_CHARS = "abcdefghijklmnopqrstuvwxyz234567".getBytes(StandardCharsets.US_ASCII);

    private Iperf3Protocol() {
    }

    /** A new cookie as iperf3 makes one: 36 random base32 characters and a NUL. */
    static byte[] newCookie(RandomGenerator random) {
        byte[] c = new byte[COOKIE_SIZE];
        for (int i = 0; i < COOKIE_SIZE - 1; i++) {
            c[i] = COOKIE_CHARS[random.nextInt(COOKIE_CHARS.length)];
        }
        return c;
    }

    /** The cookie's text, without its NUL (for the JSON "cookie" field). */
    static String cookieText(byte[] cookie) {
        int n = 0;
        while (n < cookie.length && cookie[n] != 0) {
            n++;
        }
        return new String(cookie, 0, n, StandardCharsets.US_ASCII);
    }

    /** iperf_strerror's text for the i_errno values a server may send with SERVER_ERROR. */
    static String errorText(int iErrno) {
        return switch (iErrno) {
            case IEUNIMP -> "an option you are trying to set is not implemented yet";
            case IEACCESSDENIED -> "the server is busy running a test. try again later";
            case IEAUTHTEST -> "test authorization failed";
            case 102 -> "unable to start listener for connections";
            case 202 -> "unable to start stream listener";
            case 27 -> "total required bandwidth is larger than server limit";
            default -> "server error " + iErrno;
        };
    }
}
