package io.pktstack.shell.internal;

/** Thrown by {@code ping} when no reply came, so the shell and ctl report failure (BSD ping exits 2). */
final class PingFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PingFailedException(String report) {
        super(report.strip());
    }
}
