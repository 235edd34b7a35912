package io.pktstack.shell.internal.iperf3;

import java.net.ProtocolException;

/**
 * The state bytes one side of iperf3's control connection sends the other
 * (iperf_api.h, "states"; a signed char on the wire). Codes 3 and 5..8 are
 * defined there but "not used", so they are not here either.
 */
enum ControlState {
    TEST_START(1),
    TEST_RUNNING(2),
    TEST_END(4),
    PARAM_EXCHANGE(9),
    CREATE_STREAMS(10),
    SERVER_TERMINATE(11),
    CLIENT_TERMINATE(12),
    EXCHANGE_RESULTS(13),
    DISPLAY_RESULTS(14),
    IPERF_START(15),
    IPERF_DONE(16),
    /** Sent instead of PARAM_EXCHANGE by a server that is busy with another test. */
    ACCESS_DENIED(-1),
    /** Followed by two 32-bit big-endian numbers: iperf3's i_errno and the errno behind it. */
    SERVER_ERROR(-2);

    final byte code;

    ControlState(int code) {
        this.code = (byte) code;
    }

    /** The state a received byte stands for; an unknown one is iperf3's IEMESSAGE. */
    static ControlState of(byte code) throws ProtocolException {
        for (ControlState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new ProtocolException("received an unknown control message (" + code + ")");
    }
}
