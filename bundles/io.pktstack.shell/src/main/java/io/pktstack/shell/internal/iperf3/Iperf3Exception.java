package io.pktstack.shell.internal.iperf3;

import java.io.IOException;

/** A test that could not run or finish, with iperf3's wording where iperf3 has one (iperf_error.c). */
public final class Iperf3Exception extends IOException {

    Iperf3Exception(String message) {
        super(message);
    }

    Iperf3Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
