package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.wire.TcpSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Defects found in review, one test each: every one failed before its fix. */
class TcpReviewTest {

    final TcpTestNet net = new TcpTestNet();

    @AfterEach
    void close() {
        net.close();
        net.assertPoolFull();
    }

    static final int SYN = TcpSegment.SYN;
    static final int ACK = TcpSegment.ACK;

    TcpConnection clientConnection() {
        return net.a.connectionsForTest().getFirst();
    }

    @Test
    void theWindowOfASynAckIsNotScaled() throws Exception {
        net.configB.recvSpace = 70_000; // B offers window scale 1 and a SYN-ACK window of 65535
        TcpSocket[] s = net.connect(80);
        TcpTestNet.Seg synAck = net.log.get(1);
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(1, synAck.opt.windowScale);

        TcpConnection c = clientConnection();
        assertEquals(synAck.tcp.window(), c.sndWnd, "RFC 7323 §2.2: the window of a SYN-ACK is never scaled");
        assertEquals(synAck.tcp.window(), c.maxSndWnd);
        s[0].close();
    }
}
