package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.wire.TcpSegment;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the stack answers to a SYN Linux 6.1 sent (captured on loopback,
 * 127.0.0.1:34872 to port 9; see the api bundle's TcpSegmentTest): at a closed
 * port the same RST-ACK Linux answered with, byte for byte; at a listener a
 * SYN-ACK taking every option Linux offered.
 */
class TcpLinuxFixturesTest {

    static final long LOOPBACK = 0x7f00_0001L;
    static final String LINUX_SYN = """
            8838 0009 18e4 ebc8 0000 0000 a002 ffd7
            0e8c 0000 0204 ffd7 0402 080a c561 ef22
            0000 0000 0103 030a
            """;
    static final String LINUX_RST_ACK = "0009 8838 0000 0000 18e4 ebc9 5014 0000 24df 0000";

    final TcpTestNet net = new TcpTestNet(LOOPBACK, LOOPBACK);

    @AfterEach
    void close() {
        net.close();
        net.assertPoolFull();
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    @Test
    void aClosedPortAnswersLinuxsSynAsLinuxDid() {
        net.inject(hex(LINUX_SYN), true);
        assertEquals(1, net.log.size());
        assertEquals(HexFormat.of().formatHex(hex(LINUX_RST_ACK)), HexFormat.of().formatHex(net.log.getFirst().bytes));
    }

    @Test
    void aListenerAnswersWithASynAckTakingEveryOptionOffered() throws Exception {
        TcpListener l = net.b.listen(TcpTestNet.addr(LOOPBACK, 9), 4);
        net.inject(hex(LINUX_SYN), true);

        TcpTestNet.Seg synAck = net.log.getFirst();
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags());
        assertEquals(0x18e4ebc9, synAck.ack());
        assertEquals(34872, synAck.tcp.dstPort());
        assertEquals(1460, synAck.opt.mss, "our MSS: a 1500-byte IP MTU less 40");
        assertEquals(Tcp.scaleFor(net.configB.recvSpace), synAck.opt.windowScale);
        assertTrue(synAck.opt.sackPermitted);
        assertTrue(synAck.opt.timestamps);
        assertEquals(0xc561ef22, synAck.opt.tsEcr, "Linux's TSval echoed");
        assertTrue(synAck.tcp.verifyChecksumV4((int) LOOPBACK, (int) LOOPBACK));
        l.close();
    }
}
