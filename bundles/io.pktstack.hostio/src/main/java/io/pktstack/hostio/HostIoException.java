package io.pktstack.hostio;

import java.io.IOException;

/** A Linux call failed; the message says what was being done and what to do about it. */
public final class HostIoException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public HostIoException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The Linux error number, or 0 when the failure was not a system call's. */
    public int errno() {
        return errno;
    }

    static HostIoException of(String doing, int errno, String advice) {
        String text = doing + ": " + Libc.strerror(errno);
        return new HostIoException(advice == null ? text : text + " (" + advice + ")", errno);
    }
}
