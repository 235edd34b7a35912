package io.pktstack.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pktstack.api.net.MacAddress;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@code pktgen -4}'s frame, byte for byte (the IPv4 header checksum from an independent script). */
class UdpFrameTest {

    @Test
    void aSixtyByteUdpFrame() {
        byte[] f = UdpFrame.ipv4(MacAddress.parse("02:00:00:00:00:01"), MacAddress.parse("52:54:00:00:00:0a"),
                InetAddress.ofLiteral("10.81.0.10"), InetAddress.ofLiteral("10.82.0.10"), 60);
        assertEquals("020000000001" + "52540000000a" + "0800"
                + "4500002e00004000401126090a51000a0a52000a"
                + "04000009001a0000" + "00".repeat(18), HexFormat.of().formatHex(f));
    }

    @Test
    void tooSmallForTheHeadersIsRefused() {
        assertEquals("pktgen: -4 frames need at least 42 bytes (-s 40)", assertThrows(IllegalArgumentException.class,
                () -> UdpFrame.ipv4(MacAddress.parse("02:00:00:00:00:01"), MacAddress.parse("02:00:00:00:00:02"),
                        InetAddress.ofLiteral("10.0.0.1"), InetAddress.ofLiteral("10.0.0.2"), 40)).getMessage());
    }
}
