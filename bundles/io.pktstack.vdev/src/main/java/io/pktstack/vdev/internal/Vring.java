package io.pktstack.vdev.internal;

import io.pktstack.hostio.EventFd;
import io.pktstack.vdev.DeviceQueue;

/**
 * What a back-end knows of one ring between messages (vhost-user.rst "Ring
 * states"): its size, addresses and base as the front-end set them, its
 * eventfds, and whether it is enabled and started. A ring starts at
 * SET_VRING_KICK and stops at GET_VRING_BASE.
 */
final class Vring {

    final int index;
    int num;
    boolean addressed;
    long descAddr;
    long usedAddr;
    long availAddr;
    int base;
    EventFd kick;
    boolean polling; // SET_VRING_KICK with the no-descriptor flag: no kicks, poll the ring
    EventFd call;
    EventFd err;
    boolean enabled;
    DeviceQueue queue; // non-null while started

    Vring(int index) {
        this.index = index;
    }

    boolean started() {
        return queue != null;
    }

    static EventFd replace(EventFd old, EventFd now) {
        if (old != null) {
            old.close();
        }
        return now;
    }

    void closeFds() {
        kick = replace(kick, null);
        call = replace(call, null);
        err = replace(err, null);
    }

    String describe() {
        if (num == 0) {
            return "not set up";
        }
        return num + " entries, " + (started() ? "started" : "stopped") + ", " + (enabled ? "enabled" : "disabled")
                + (polling ? ", polled (no kick eventfd)" : "");
    }
}
