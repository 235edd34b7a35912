package io.pktstack.core.internal.dhcp;

import io.pktstack.core.internal.wire.Addresses;
import io.pktstack.core.internal.wire.Be;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * The options of a {@link DhcpMessage} the stack reads and writes (RFC 2132).
 * Absent values: 0 for an address (0.0.0.0 is never a valid one here), -1 for
 * a time, an empty array for a list, null for text and bytes.
 *
 * @param type message type, option 53
 * @param leaseSeconds option 51; {@code renewalSeconds} T1 (58) and {@code rebindingSeconds} T2 (59)
 * @param parameters the parameter request list, option 55
 */
public record DhcpOptions(int type, int requestedIp, int serverId, long leaseSeconds, long renewalSeconds,
        long rebindingSeconds, int subnetMask, int[] routers, int[] dns, String hostname, byte[] clientId,
        byte[] parameters, String message, int maxSize) {

    /** Fills fields one by one (parsing, or building a message). */
    public static final class Builder {
        int type;
        int requestedIp;
        int serverId;
        long leaseSeconds = -1;
        long renewalSeconds = -1;
        long rebindingSeconds = -1;
        int subnetMask;
        int[] routers = new int[0];
        int[] dns = new int[0];
        String hostname;
        byte[] clientId;
        byte[] parameters;
        String message;
        int maxSize;

        public Builder type(int t) {
            type = t;
            return this;
        }

        public Builder requestedIp(int a) {
            requestedIp = a;
            return this;
        }

        public Builder serverId(int a) {
            serverId = a;
            return this;
        }

        public Builder lease(long seconds, long t1, long t2) {
            leaseSeconds = seconds;
            renewalSeconds = t1;
            rebindingSeconds = t2;
            return this;
        }

        public Builder subnetMask(int m) {
            subnetMask = m;
            return this;
        }

        public Builder routers(int... a) {
            routers = a.clone();
            return this;
        }

        public Builder dns(int... a) {
            dns = a.clone();
            return this;
        }

        public Builder hostname(String h) {
            hostname = h;
            return this;
        }

        public Builder parameters(byte... p) {
            parameters = p.clone();
            return this;
        }

        public Builder message(String m) {
            message = m;
            return this;
        }

        public Builder maxSize(int n) {
            maxSize = n;
            return this;
        }

        public DhcpOptions build() {
            return new DhcpOptions(type, requestedIp, serverId, leaseSeconds, renewalSeconds, rebindingSeconds,
                    subnetMask, routers, dns, hostname, clientId, parameters, message, maxSize);
        }
    }

    public static Builder builder(int type) {
        return new Builder().type(type);
    }

    /** Bytes the options take, END not included. */
    int encodedLength() {
        int n = 3; // message type
        n += serverId != 0 ? 6 : 0;
        n += requestedIp != 0 ? 6 : 0;
        n += leaseSeconds >= 0 ? 6 : 0;
        n += renewalSeconds >= 0 ? 6 : 0;
        n += rebindingSeconds >= 0 ? 6 : 0;
        n += subnetMask != 0 ? 6 : 0;
        n += routers.length > 0 ? 2 + 4 * routers.length : 0;
        n += dns.length > 0 ? 2 + 4 * dns.length : 0;
        n += hostname != null ? 2 + hostname.length() : 0;
        n += clientId != null ? 2 + clientId.length : 0;
        n += parameters != null ? 2 + parameters.length : 0;
        n += message != null ? 2 + message.length() : 0;
        n += maxSize != 0 ? 4 : 0;
        return n;
    }

    /** Writes the options from {@code at}, message type first (RFC 2131 §4.1 asks for nothing more); returns the end. */
    long write(MemorySegment s, long at) {
        at = byteOpt(s, at, DhcpMessage.OPT_MESSAGE_TYPE, type);
        if (serverId != 0) {
            at = intOpt(s, at, DhcpMessage.OPT_SERVER_ID, serverId);
        }
        if (requestedIp != 0) {
            at = intOpt(s, at, DhcpMessage.OPT_REQUESTED_IP, requestedIp);
        }
        if (leaseSeconds >= 0) {
            at = intOpt(s, at, DhcpMessage.OPT_LEASE_TIME, (int) leaseSeconds);
        }
        if (renewalSeconds >= 0) {
            at = intOpt(s, at, DhcpMessage.OPT_RENEWAL, (int) renewalSeconds);
        }
        if (rebindingSeconds >= 0) {
            at = intOpt(s, at, DhcpMessage.OPT_REBINDING, (int) rebindingSeconds);
        }
        if (subnetMask != 0) {
            at = intOpt(s, at, DhcpMessage.OPT_SUBNET_MASK, subnetMask);
        }
        at = listOpt(s, at, DhcpMessage.OPT_ROUTER, routers);
        at = listOpt(s, at, DhcpMessage.OPT_DNS, dns);
        if (hostname != null) {
            at = bytesOpt(s, at, DhcpMessage.OPT_HOSTNAME, hostname.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        if (clientId != null) {
            at = bytesOpt(s, at, DhcpMessage.OPT_CLIENT_ID, clientId);
        }
        if (parameters != null) {
            at = bytesOpt(s, at, DhcpMessage.OPT_PARAMETERS, parameters);
        }
        if (message != null) {
            at = bytesOpt(s, at, DhcpMessage.OPT_MESSAGE, message.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        if (maxSize != 0) {
            Be.u8(s, at, DhcpMessage.OPT_MAX_SIZE);
            Be.u8(s, at + 1, 2);
            Be.u16(s, at + 2, maxSize);
            at += 4;
        }
        return at;
    }

    private static long byteOpt(MemorySegment s, long at, int code, int v) {
        Be.u8(s, at, code);
        Be.u8(s, at + 1, 1);
        Be.u8(s, at + 2, v);
        return at + 3;
    }

    private static long intOpt(MemorySegment s, long at, int code, int v) {
        Be.u8(s, at, code);
        Be.u8(s, at + 1, 4);
        Be.i32(s, at + 2, v);
        return at + 6;
    }

    private static long listOpt(MemorySegment s, long at, int code, int[] v) {
        if (v.length == 0) {
            return at;
        }
        Be.u8(s, at, code);
        Be.u8(s, at + 1, 4 * v.length);
        for (int i = 0; i < v.length; i++) {
            Be.i32(s, at + 2 + 4L * i, v[i]);
        }
        return at + 2 + 4L * v.length;
    }

    private static long bytesOpt(MemorySegment s, long at, int code, byte[] v) {
        int l = Math.min(v.length, 255);
        Be.u8(s, at, code);
        Be.u8(s, at + 1, l);
        MemorySegment.copy(v, 0, s, java.lang.foreign.ValueLayout.JAVA_BYTE, at + 2, l);
        return at + 2 + l;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DhcpOptions d && type == d.type && requestedIp == d.requestedIp && serverId == d.serverId
                && leaseSeconds == d.leaseSeconds && renewalSeconds == d.renewalSeconds
                && rebindingSeconds == d.rebindingSeconds && subnetMask == d.subnetMask
                && Arrays.equals(routers, d.routers) && Arrays.equals(dns, d.dns) && Objects.equals(hostname, d.hostname)
                && Arrays.equals(clientId, d.clientId) && Arrays.equals(parameters, d.parameters)
                && Objects.equals(message, d.message) && maxSize == d.maxSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, requestedIp, serverId, leaseSeconds, subnetMask, Arrays.hashCode(routers));
    }

    @Override
    public String toString() {
        return DhcpMessage.typeName(type) + (serverId != 0 ? " server " + Addresses.text(serverId) : "")
                + (requestedIp != 0 ? " requested " + Addresses.text(requestedIp) : "")
                + (leaseSeconds >= 0 ? " lease " + leaseSeconds : "");
    }
}
