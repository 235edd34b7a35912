package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpState;
import io.pktstack.core.internal.tcp.TcpStats.Stat;
import java.nio.ByteBuffer;
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

    /** A writes what fills B's receive buffer, B reading nothing; returns when it is all acknowledged. */
    TcpSocket[] fillTheWindow(int bufferSize) throws Exception {
        net.configB.recvSpace = bufferSize;
        TcpSocket[] s = net.connect(80);
        ByteBuffer src = ByteBuffer.wrap(TcpTransferTest.data(bufferSize, 21));
        TcpConnection a = clientConnection();
        net.run(() -> {
            try {
                TcpTestNet.writeSome(s[0], src);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            return !src.hasRemaining() && a.sndUna == a.sndMax;
        }, 30);
        assertEquals(bufferSize, s[1].available());
        return s;
    }

    @Test
    void theLastByteSentAsAZeroWindowProbeIsDeliveredWhenTheWindowOpens() throws Exception {
        TcpSocket[] s = fillTheWindow(10_000);
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[] {42})); // waits for the window: the persist timer
        net.run(() -> net.a.stats().get(Stat.WINDOW_PROBES) >= 1, 60);
        net.run(net.wire::isEmpty, 1); // the probe refused: its byte is outstanding, the window still zero

        ByteBuffer got = ByteBuffer.allocate(10_001);
        net.run(() -> {
            try {
                TcpTestNet.readSome(s[1], got);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            return !got.hasRemaining();
        }, 120);
        assertEquals(42, got.get(10_000), "RFC 9293 §3.8.6.1: the probe's byte is sent again until acknowledged");
    }

    void dump(int n) {
        net.log.subList(Math.max(0, net.log.size() - n), net.log.size())
                .forEach(x -> System.out.println("LOG " + (x.time - TcpTestNet.T0) / 1000000 + "ms " + x));
    }

    @Test
    void aProbeWhileOnlyTheFinIsOutstandingSendsNoByteThatWasNeverWritten() throws Exception {
        TcpSocket[] s = fillTheWindow(10_000);
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[] {42}));
        s[0].shutdownOutput(); // the FIN waits behind the byte the window holds back
        net.run(() -> net.a.stats().get(Stat.WINDOW_PROBES) == 1, 60);
        s[1].read(ByteBuffer.allocate(1)); // room for the probe's byte, and only for it
        boolean[] finDropped = {false};
        net.fromA = g -> {
            if (g.has(TcpSegment.FIN) && !finDropped[0]) {
                finDropped[0] = true; // the FIN is lost
                return false;
            }
            return true;
        };
        net.run(() -> finDropped[0] && net.wire.isEmpty(), 5);
        s[1].read(ByteBuffer.allocate(1)); // room again before the next probe
        net.run(() -> net.a.stats().get(Stat.WINDOW_PROBES) == 2 && net.wire.isEmpty(), 120);

        ByteBuffer got = ByteBuffer.allocate(20_000);
        net.run(() -> {
            try {
                return TcpTestNet.readSome(s[1], got) < 0;
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }, 200);
        assertEquals(10_001 - 2, got.position(), "B reads what A wrote and then the end of the stream, nothing more");
        assertEquals(42, got.get(got.position() - 1));
    }

    @Test
    void theAcknowledgmentsOfZeroWindowProbesAreNotTakenForLoss() throws Exception {
        TcpSocket[] s = fillTheWindow(10_000);
        TcpConnection a = clientConnection();
        long cwnd = a.cc.cwnd();
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[] {42}));
        net.run(() -> net.a.stats().get(Stat.WINDOW_PROBES) >= 4 && net.wire.isEmpty(), 600);

        assertEquals(0, net.a.stats().get(Stat.FAST_RETRANSMITS), "a closed window is no sign of loss (RFC 5681 §2)");
        assertEquals(cwnd, a.cc.cwnd());
        assertEquals(Long.MAX_VALUE, a.cc.ssthresh());
        assertEquals(TcpState.ESTABLISHED, s[0].state());
    }

    TcpTestNet.Seg lastFromB() {
        for (int i = net.log.size() - 1; i >= 0; i--) {
            if (!net.log.get(i).fromA) {
                return net.log.get(i);
            }
        }
        throw new AssertionError("B sent nothing");
    }

    @Test
    void oneDuplicatedAckDoesNotRetransmitTheOnlySegmentOutstanding() throws Exception {
        TcpSocket[] s = net.connect(80);
        net.transfer(s[0], s[1], TcpTransferTest.data(20_000, 22), 10);
        net.settle();
        TcpTestNet.Seg lastAck = lastFromB();
        TcpConnection a = clientConnection();
        assertEquals(a.sndMax, lastAck.ack());

        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[100])); // one segment; B delays its ACK
        net.duplicate(lastAck); // the network duplicates B's last ACK: it arrives before B acknowledges
        net.run(() -> s[1].available() == 100 && a.sndUna == a.sndMax, 5);

        assertEquals(0, net.a.stats().get(Stat.FAST_RETRANSMITS),
                "RFC 5827 §3.1: with one segment outstanding no duplicate ACK can signal its loss");
        assertEquals(0, net.a.stats().get(Stat.REXMT_SEGS));
    }

    @Test
    void aSocketClosedInFinWait2AfterShutdownOutputIsNotKeptForEver() throws Exception {
        TcpSocket[] s = net.connect(80);
        s[0].shutdownOutput();
        net.run(() -> s[0].state() == TcpState.FIN_WAIT_2, 5);
        s[0].close(); // orphaned in FIN_WAIT_2; B never closes its side
        net.run(() -> net.a.connectionCount() == 0, net.configA.finWait2Seconds + 5);
        assertEquals(TcpState.CLOSE_WAIT, s[1].state());
    }

    @Test
    void keepaliveDoesNotEndAHalfClosedConnectionThatIsStillReading() throws Exception {
        TcpSocket[] s = net.connect(80);
        s[0].setOption(io.pktstack.api.tcp.TcpSocketOptions.KEEPIDLE, 10);
        s[0].setOption(java.net.StandardSocketOptions.SO_KEEPALIVE, true);
        s[0].shutdownOutput(); // A is done sending and reads on (a half-close), B answers later
        net.run(() -> s[0].state() == TcpState.FIN_WAIT_2, 5);
        net.clock.addAndGet(java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
        net.run(() -> net.timer.nextDeadline() > net.clock.get(), 5);

        assertEquals(TcpState.FIN_WAIT_2, s[0].state(), "a live peer: the connection stays");
        byte[] reply = TcpTransferTest.data(5000, 23);
        org.junit.jupiter.api.Assertions.assertArrayEquals(reply, net.transfer(s[1], s[0], reply, 10));
    }

    @Test
    void anOrphanTakesTheFinOnARetransmissionOfDataItAlreadyHad() throws Exception {
        TcpSocket[] s = net.connect(80);
        boolean[] firstFinDropped = {false};
        net.fromA = g -> {
            if (g.has(TcpSegment.FIN) && !firstFinDropped[0]) {
                firstFinDropped[0] = true;
                return false;
            }
            return true;
        };
        net.fromB = g -> false; // B's ACKs are lost for a while
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[100]));
        s[0].shutdownOutput(); // A's FIN, lost
        net.run(() -> s[1].available() == 100, 5);
        s[1].read(ByteBuffer.allocate(100));
        s[1].close(); // everything read: an orderly close, B an orphan in FIN_WAIT_1
        net.run(() -> net.a.stats().get(Stat.REXMT_SEGS) > 0 && net.wire.isEmpty(), 10); // A: the data and its FIN again
        net.fromB = g -> true;

        net.run(() -> net.a.connectionCount() == 0 || s[0].state() == TcpState.TIME_WAIT, 30);
        assertEquals(0, net.log.stream().filter(g -> !g.fromA && g.has(TcpSegment.RST)).count(),
                "old data and a new FIN: an ACK, not a reset (RFC 9293 §3.10.7.4 trims what is old)");
        assertEquals(TcpState.TIME_WAIT, s[0].state());
    }

    @Test
    void aListenerOnAnEphemeralPortGivesThePortBackWhenClosed() throws Exception {
        for (int i = 0; i < 65536 - 49152 + 1; i++) { // one more than there are ephemeral ports
            net.b.listen(TcpTestNet.addr(TcpTestNet.B, 0), 1).close();
        }
    }
}
