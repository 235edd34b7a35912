package io.pktstack.shell.internal.inetd;

/** A service running on one protocol, as {@code inetd -s} lists it. */
interface RunningService {

    ServiceKey key();

    Counters counters();

    /** Stops taking work and ends what is in progress (connections are reset); waits a bounded time for the threads. */
    void stop();
}
