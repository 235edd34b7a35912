package io.pktstack.vdev.internal;

import java.util.StringJoiner;

/** VIRTIO feature bits of a network device (VIRTIO 1.2 §5.1.3, §6) and their names for {@code nicinfo}. */
final class VirtioNetFeatures {

    private VirtioNetFeatures() {
    }

    static final int CSUM = 0;
    static final int GUEST_CSUM = 1;
    static final int MAC = 5;
    static final int GUEST_TSO4 = 7;
    static final int GUEST_TSO6 = 8;
    static final int GUEST_ECN = 9;
    static final int GUEST_UFO = 10;
    static final int HOST_TSO4 = 11;
    static final int HOST_TSO6 = 12;
    static final int HOST_ECN = 13;
    static final int HOST_UFO = 14;
    static final int MRG_RXBUF = 15;
    static final int STATUS = 16;
    static final int CTRL_VQ = 17;
    static final int RING_INDIRECT_DESC = 28;
    static final int RING_EVENT_IDX = 29;
    static final int VERSION_1 = 32;
    static final int ACCESS_PLATFORM = 33;
    static final int RING_PACKED = 34;
    static final int IN_ORDER = 35;
    static final int NOTIFICATION_DATA = 38;

    static long bit(int b) {
        return 1L << b;
    }

    static boolean has(long features, int b) {
        return (features & bit(b)) != 0;
    }

    /**
     * Bits that change how the rings or packets look. A front-end may set only
     * those of these that the back-end offered; other bits (MAC, STATUS, the
     * control-queue ones) are the front-end's own business: QEMU handles them in
     * its device model and passes them on in SET_FEATURES anyway.
     */
    static final long DATA_PATH = bit(CSUM) | bit(GUEST_CSUM) | bit(GUEST_TSO4) | bit(GUEST_TSO6) | bit(GUEST_ECN)
            | bit(GUEST_UFO) | bit(HOST_TSO4) | bit(HOST_TSO6) | bit(HOST_ECN) | bit(HOST_UFO) | bit(MRG_RXBUF)
            | bit(RING_INDIRECT_DESC) | bit(RING_EVENT_IDX) | bit(VERSION_1) | bit(ACCESS_PLATFORM)
            | bit(RING_PACKED) | bit(IN_ORDER) | bit(NOTIFICATION_DATA) | bit(VhostUser.F_LOG_ALL);

    /** Whether the device takes large TCPv4 segments: HOST_TSO4 with CSUM, which it requires (§5.1.3.1). */
    static boolean hostTso4(long features) {
        return has(features, CSUM) && has(features, HOST_TSO4);
    }

    /** Whether the device takes large TCPv6 segments: HOST_TSO6 with CSUM (§5.1.3.1). */
    static boolean hostTso6(long features) {
        return has(features, CSUM) && has(features, HOST_TSO6);
    }

    /** Length of the virtio_net_hdr in front of every packet (§5.1.6.1). */
    static int headerLength(long features) {
        return has(features, VERSION_1) || has(features, MRG_RXBUF) ? 12 : 10;
    }

    /** E.g. {@code VERSION_1 MRG_RXBUF EVENT_IDX CSUM}; unnamed bits as {@code bit37}. */
    static String describe(long features) {
        StringJoiner j = new StringJoiner(" ");
        for (int b = 0; b < 64; b++) {
            if (has(features, b)) {
                j.add(name(b));
            }
        }
        return j.length() == 0 ? "none" : j.toString();
    }

    private static String name(int b) {
        return switch (b) {
            case CSUM -> "CSUM";
            case GUEST_CSUM -> "GUEST_CSUM";
            case MAC -> "MAC";
            case GUEST_TSO4 -> "GUEST_TSO4";
            case GUEST_TSO6 -> "GUEST_TSO6";
            case GUEST_ECN -> "GUEST_ECN";
            case GUEST_UFO -> "GUEST_UFO";
            case HOST_TSO4 -> "HOST_TSO4";
            case HOST_TSO6 -> "HOST_TSO6";
            case HOST_ECN -> "HOST_ECN";
            case HOST_UFO -> "HOST_UFO";
            case MRG_RXBUF -> "MRG_RXBUF";
            case STATUS -> "STATUS";
            case CTRL_VQ -> "CTRL_VQ";
            case RING_INDIRECT_DESC -> "INDIRECT_DESC";
            case RING_EVENT_IDX -> "EVENT_IDX";
            case VhostUser.F_PROTOCOL_FEATURES -> "PROTOCOL_FEATURES";
            case VERSION_1 -> "VERSION_1";
            case ACCESS_PLATFORM -> "ACCESS_PLATFORM";
            case RING_PACKED -> "RING_PACKED";
            case IN_ORDER -> "IN_ORDER";
            case NOTIFICATION_DATA -> "NOTIFICATION_DATA";
            default -> "bit" + b;
        };
    }
}
