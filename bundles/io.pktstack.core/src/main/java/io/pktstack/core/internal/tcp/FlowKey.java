package io.pktstack.core.internal.tcp;

/**
 * A connection's four-tuple, the key of the connection table. Stored keys
 * are never changed; a receive thread looks connections up with a probe key
 * of its own that it refills per segment, so demultiplexing allocates nothing.
 * IPv4 addresses are {@code hi == 0} and the address in the low 32 bits.
 */
final class FlowKey {

    boolean v6;
    long localHi;
    long localLo;
    int localPort;
    long remoteHi;
    long remoteLo;
    int remotePort;

    FlowKey set(boolean v6, long localHi, long localLo, int localPort, long remoteHi, long remoteLo,
            int remotePort) {
        this.v6 = v6;
        this.localHi = localHi;
        this.localLo = localLo;
        this.localPort = localPort;
        this.remoteHi = remoteHi;
        this.remoteLo = remoteLo;
        this.remotePort = remotePort;
        return this;
    }

    FlowKey copy() {
        return new FlowKey().set(v6, localHi, localLo, localPort, remoteHi, remoteLo, remotePort);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.localPort == localPort && k.remotePort == remotePort
                && k.localLo == localLo && k.remoteLo == remoteLo && k.localHi == localHi
                && k.remoteHi == remoteHi && k.v6 == v6;
    }

    @Override
    public int hashCode() {
        long h = localLo * 0x9E3779B97F4A7C15L + remoteLo;
        h = h * 31 + localHi * 17 + remoteHi;
        h = h * 31 + ((long) localPort << 16 | remotePort);
        return (int) (h ^ (h >>> 32)) + (v6 ? 1 : 0);
    }

    @Override
    public String toString() {
        return Addresses.toString(v6, localHi, localLo, localPort) + " <-> "
                + Addresses.toString(v6, remoteHi, remoteLo, remotePort);
    }
}
