package io.pktstack.vdev.internal;

/**
 * Numbers of the vhost-user protocol (QEMU's docs/interop/vhost-user.rst):
 * request codes, header flags, protocol feature bits, and the VIRTIO device
 * status bits carried by SET_STATUS (VIRTIO 1.2 §2.1).
 */
final class VhostUser {

    private VhostUser() {
    }

    // Front-end requests (vhost-user.rst "Front-end message types").
    static final int GET_FEATURES = 1;
    static final int SET_FEATURES = 2;
    static final int SET_OWNER = 3;
    static final int RESET_OWNER = 4;
    static final int SET_MEM_TABLE = 5;
    static final int SET_LOG_BASE = 6;
    static final int SET_LOG_FD = 7;
    static final int SET_VRING_NUM = 8;
    static final int SET_VRING_ADDR = 9;
    static final int SET_VRING_BASE = 10;
    static final int GET_VRING_BASE = 11;
    static final int SET_VRING_KICK = 12;
    static final int SET_VRING_CALL = 13;
    static final int SET_VRING_ERR = 14;
    static final int GET_PROTOCOL_FEATURES = 15;
    static final int SET_PROTOCOL_FEATURES = 16;
    static final int GET_QUEUE_NUM = 17;
    static final int SET_VRING_ENABLE = 18;
    static final int SEND_RARP = 19;
    static final int NET_SET_MTU = 20;
    static final int SET_BACKEND_REQ_FD = 21;
    static final int GET_CONFIG = 24;
    static final int SET_CONFIG = 25;
    static final int RESET_DEVICE = 34;
    static final int SET_STATUS = 39;
    static final int GET_STATUS = 40;

    /** Header: u32 request, u32 flags, u32 size, then size bytes of payload. */
    static final int HEADER_SIZE = 12;
    /** Flags: bits 0-1 the protocol version, which is 1. */
    static final int VERSION = 0x1;
    static final int VERSION_MASK = 0x3;
    /** Flags: this message is a reply. */
    static final int FLAG_REPLY = 0x4;
    /** Flags: the sender wants an acknowledgement (with REPLY_ACK negotiated). */
    static final int FLAG_NEED_REPLY = 0x8;

    /** Ring index field of SET_VRING_KICK/CALL/ERR, and the flag that no descriptor came (polling mode). */
    static final long VRING_INDEX_MASK = 0xff;
    static final long VRING_NOFD = 0x100;

    /** Feature bit of the vhost-user transport itself: the protocol-feature messages exist. */
    static final int F_PROTOCOL_FEATURES = 30;
    /** Feature bit of dirty-page logging (migration): never offered. */
    static final int F_LOG_ALL = 26;

    // Protocol feature bits (vhost-user.rst "Protocol features").
    static final int PROTOCOL_F_MQ = 0;
    static final int PROTOCOL_F_REPLY_ACK = 3;
    static final int PROTOCOL_F_CONFIG = 9;
    static final int PROTOCOL_F_RESET_DEVICE = 13;
    static final int PROTOCOL_F_STATUS = 16;

    // Device status bits (VIRTIO 1.2 §2.1).
    static final int STATUS_ACKNOWLEDGE = 1;
    static final int STATUS_DRIVER = 2;
    static final int STATUS_DRIVER_OK = 4;
    static final int STATUS_FEATURES_OK = 8;

    /** Largest device config space a SET_CONFIG/GET_CONFIG carries (VHOST_USER_MAX_CONFIG_SIZE). */
    static final int MAX_CONFIG = 256;
    /** Bytes before the config data in SET_CONFIG/GET_CONFIG: u32 offset, u32 size, u32 flags. */
    static final int CONFIG_HEADER = 12;

    /** A request's name for messages, e.g. {@code SET_MEM_TABLE}, or its number. */
    static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_LOG_BASE -> "SET_LOG_BASE";
            case SET_LOG_FD -> "SET_LOG_FD";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case SEND_RARP -> "SEND_RARP";
            case NET_SET_MTU -> "NET_SET_MTU";
            case SET_BACKEND_REQ_FD -> "SET_BACKEND_REQ_FD";
            case GET_CONFIG -> "GET_CONFIG";
            case SET_CONFIG -> "SET_CONFIG";
            case RESET_DEVICE -> "RESET_DEVICE";
            case SET_STATUS -> "SET_STATUS";
            case GET_STATUS -> "GET_STATUS";
            default -> "request " + Integer.toUnsignedString(request);
        };
    }
}
