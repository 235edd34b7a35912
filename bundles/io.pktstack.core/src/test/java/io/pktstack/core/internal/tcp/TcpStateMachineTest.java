package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.tcp.TcpListener;
import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpState;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.core.internal.tcp.TcpStats.Stat;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The state machine of RFC 9293 with the RFC 5961 defences, one rule per test,
 * on the in-memory wire and the moved clock: what each side sends, which state
 * it reaches, and what it counts.
 */
class TcpStateMachineTest {

    final TcpTestNet net = new TcpTestNet();

    @AfterEach
    void close() {
        net.close();
        net.assertPoolFull();
    }

    static final int SYN = TcpSegment.SYN;
    static final int ACK = TcpSegment.ACK;
    static final int RST = TcpSegment.RST;
    static final int FIN = TcpSegment.FIN;

    /** The last segment B sent. */
    TcpTestNet.Seg lastFromB() {
        for (int i = net.log.size() - 1; i >= 0; i--) {
            if (!net.log.get(i).fromA) {
                return net.log.get(i);
            }
        }
        throw new AssertionError("B sent nothing");
    }

    List<TcpTestNet.Seg> sentByB(int fromIndex) {
        return net.log.subList(fromIndex, net.log.size()).stream().filter(s -> !s.fromA).toList();
    }

    TcpConnection serverConnection() {
        return net.b.connectionsForTest().getFirst();
    }

    // ---- opening and refusing ----------------------------------------------------------

    @Test
    void aSynToAClosedPortIsAnsweredWithRstAckAndTheConnectFails() throws Exception {
        TcpSocket s = net.a.open();
        TcpTestNet.startConnect(s, TcpTestNet.addr(TcpTestNet.B, 81));
        net.run(() -> s.state() == TcpState.CLOSED, 5);

        TcpTestNet.Seg rst = lastFromB();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(0, rst.seq());
        assertEquals(net.log.getFirst().seq() + 1, rst.ack(), "RFC 9293 §3.10.7.1: ACK = SEG.SEQ + SEG.LEN");
        IOException e = assertThrows(IOException.class, () -> s.read(ByteBuffer.allocate(1)));
        assertInstanceOf(ConnectException.class, e);
        assertEquals(1, net.b.stats().get(Stat.NO_SOCKET));
        assertEquals(1, net.a.stats().get(Stat.CONN_REFUSED));
    }

    @Test
    void anAckToAClosedPortIsAnsweredWithARstAtItsAckNumber() {
        net.inject(Segments.from(4000, 99).seq(1000).ack(123456).flags(ACK).build(TcpTestNet.A, TcpTestNet.B), true);

        TcpTestNet.Seg rst = lastFromB();
        assertEquals(RST, rst.flags());
        assertEquals(123456, rst.seq());
    }

    @Test
    void aRstToAClosedPortIsNotAnswered() {
        net.inject(Segments.from(4000, 99).seq(1000).flags(RST).build(TcpTestNet.A, TcpTestNet.B), true);
        assertTrue(net.log.isEmpty());
    }

    @Test
    void simultaneousOpenEstablishesBothSides() throws Exception {
        TcpSocket a = net.a.open();
        TcpSocket b = net.b.open();
        a.bind(TcpTestNet.addr(TcpTestNet.A, 5000));
        b.bind(TcpTestNet.addr(TcpTestNet.B, 6000));
        TcpTestNet.startConnect(a, TcpTestNet.addr(TcpTestNet.B, 6000));
        TcpTestNet.startConnect(b, TcpTestNet.addr(TcpTestNet.A, 5000));

        net.run(() -> a.isConnected() && b.isConnected(), 10);

        assertEquals(TcpState.ESTABLISHED, a.state());
        assertEquals(TcpState.ESTABLISHED, b.state());
        byte[] hello = "hello".getBytes();
        assertArrayEquals(hello, net.transfer(a, b, hello, 5));
    }

    @Test
    void aSynIsRetransmittedWithBackoffThenTheConnectTimesOut() throws Exception {
        net.configA.synRetries = 3;
        net.fromA = s -> false; // nothing A sends arrives
        TcpSocket s = net.a.open();
        TcpTestNet.startConnect(s, TcpTestNet.addr(TcpTestNet.B, 80));
        net.run(() -> s.state() == TcpState.CLOSED, 60);

        assertEquals(4, net.log.size(), "the SYN and three retransmissions");
        assertTrue(net.log.stream().allMatch(x -> x.flags() == SYN));
        SocketException e = assertThrows(SocketException.class, () -> s.read(ByteBuffer.allocate(1)));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(4, net.a.stats().get(Stat.REXMT_TIMEOUTS), "three retransmissions and the last, fatal, expiry");
    }

    // ---- RFC 5961 -----------------------------------------------------------------------

    @Test
    void aRstInTheWindowButNotAtRcvNxtEarnsAChallengeAckAndChangesNothing() throws Exception {
        TcpSocket[] s = net.connect(80);
        TcpConnection server = serverConnection();
        int before = net.log.size();
        int rcvNxt = server.rcvNxt;

        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(rcvNxt + 100).flags(RST)
                .build(TcpTestNet.A, TcpTestNet.B), true);

        assertEquals(TcpState.ESTABLISHED, s[1].state());
        List<TcpTestNet.Seg> answers = sentByB(before);
        assertEquals(1, answers.size());
        assertEquals(ACK, answers.getFirst().flags());
        assertEquals(rcvNxt, answers.getFirst().ack());
        assertEquals(1, net.b.stats().get(Stat.CHALLENGE_ACKS));
    }

    @Test
    void aRstOutsideTheWindowIsIgnored() throws Exception {
        TcpSocket[] s = net.connect(80);
        int before = net.log.size();
        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(serverConnection().rcvNxt + (1 << 30))
                .flags(RST).build(TcpTestNet.A, TcpTestNet.B), true);

        assertEquals(TcpState.ESTABLISHED, s[1].state());
        assertTrue(sentByB(before).isEmpty());
        assertEquals(1, net.b.stats().get(Stat.RST_IGNORED));
    }

    @Test
    void aRstExactlyAtRcvNxtResetsTheConnection() throws Exception {
        TcpSocket[] s = net.connect(80);
        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(serverConnection().rcvNxt).flags(RST)
                .build(TcpTestNet.A, TcpTestNet.B), true);

        assertEquals(TcpState.CLOSED, s[1].state());
        SocketException e = assertThrows(SocketException.class, () -> s[1].read(ByteBuffer.allocate(1)));
        assertEquals("Connection reset", e.getMessage());
        assertEquals(0, net.b.connectionCount());
    }

    @Test
    void aSynOnAnEstablishedConnectionEarnsAChallengeAck() throws Exception {
        TcpSocket[] s = net.connect(80);
        int before = net.log.size();
        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(12345).flags(SYN)
                .build(TcpTestNet.A, TcpTestNet.B), true);

        assertEquals(TcpState.ESTABLISHED, s[1].state());
        assertEquals(ACK, sentByB(before).getFirst().flags());
        assertEquals(1, net.b.stats().get(Stat.SYN_IN_SYNCHRONIZED));
    }

    @Test
    void anAckForDataNeverSentEarnsAChallengeAckAndIsDropped() throws Exception {
        TcpSocket[] s = net.connect(80);
        TcpConnection server = serverConnection();
        int before = net.log.size();
        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(server.rcvNxt).ack(server.sndMax + 5000)
                .flags(ACK).build(TcpTestNet.A, TcpTestNet.B), true);

        assertEquals(1, sentByB(before).size());
        assertEquals(1, net.b.stats().get(Stat.ACK_FOR_UNSENT));
        assertEquals(server.sndMax, server.sndUna, "nothing taken as acknowledged");
    }

    @Test
    void challengeAcksAreRateLimited() throws Exception {
        net.configB.challengeAckLimit = 3;
        TcpSocket[] s = net.connect(80);
        int rcvNxt = serverConnection().rcvNxt;
        for (int i = 0; i < 10; i++) {
            net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(rcvNxt + 1 + i).flags(RST)
                    .build(TcpTestNet.A, TcpTestNet.B), true);
        }
        assertEquals(3, net.b.stats().get(Stat.CHALLENGE_ACKS));
        assertEquals(7, net.b.stats().get(Stat.CHALLENGE_ACKS_LIMITED));
        net.clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(rcvNxt + 1).flags(RST)
                .build(TcpTestNet.A, TcpTestNet.B), true);
        assertEquals(4, net.b.stats().get(Stat.CHALLENGE_ACKS), "a new second, a new allowance");
    }

    // ---- data, windows and timers ------------------------------------------------------------

    @Test
    void aSegmentWithAnOldTimestampIsDroppedByPaws() throws Exception {
        TcpSocket[] s = net.connect(80);
        TcpConnection server = serverConnection();
        int before = net.log.size();
        net.inject(Segments.from(s[0].localAddress().getPort(), 80).seq(server.rcvNxt).ack(server.sndNxt).flags(ACK)
                .timestamps(server.tsRecent - 1000, 0).data("old".getBytes())
                .build(TcpTestNet.A, TcpTestNet.B), true);

        assertEquals(0, s[1].available(), "its data not taken");
        assertEquals(1, net.b.stats().get(Stat.PAWS_DROPPED));
        assertEquals(ACK, sentByB(before).getFirst().flags(), "answered with an ACK");
    }

    @Test
    void oneSmallSegmentIsAcknowledgedAfterTheDelayTwoAtOnce() throws Exception {
        TcpSocket[] s = net.connect(80);
        int before = net.log.size();
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[100]));
        long sent = net.clock.get();
        net.run(() -> s[1].available() == 100, 5);
        net.run(() -> !sentByB(before).isEmpty(), 5);
        long delay = net.clock.get() - sent;
        assertTrue(delay >= TimeUnit.MILLISECONDS.toNanos(net.configB.delayedAckMillis), "delayed: " + delay);
        assertEquals(1, net.b.stats().get(Stat.DELAYED_ACKS));

        int mid = net.log.size();
        s[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[3000])); // three segments
        net.run(() -> s[1].available() == 3100, 5);
        net.run(() -> !sentByB(mid).isEmpty(), 1);
        assertEquals(1, net.b.stats().get(Stat.DELAYED_ACKS), "the second full segment is acknowledged at once");
    }

    @Test
    void nagleHoldsSmallWritesWhileDataIsUnacknowledgedNoDelayDoesNot() throws Exception {
        TcpSocket[] s = net.connect(80);
        net.delayNanos = TimeUnit.MILLISECONDS.toNanos(5);
        int before = net.log.size();
        for (int i = 0; i < 10; i++) {
            TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[10]));
        }
        long immediately = net.log.subList(before, net.log.size()).stream().filter(x -> x.dataLen() > 0).count();
        assertEquals(1, immediately, "the first goes, the rest wait for its ACK");
        net.run(() -> s[1].available() == 100, 5);

        s[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        int mid = net.log.size();
        for (int i = 0; i < 10; i++) {
            TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[10]));
        }
        assertEquals(10, net.log.subList(mid, net.log.size()).stream().filter(x -> x.dataLen() > 0).count());
        net.run(() -> s[1].available() == 200, 5);
    }

    @Test
    void aZeroWindowIsProbedUntilTheReaderMakesRoom() throws Exception {
        TcpSocket[] s = net.connect(80);
        int window = serverConnection().recvBuf.capacity();
        byte[] data = TcpTransferTest.data(window + 50_000, 11);
        ByteBuffer src = ByteBuffer.wrap(data);
        net.run(() -> {
            try {
                TcpTestNet.writeSome(s[0], src);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return s[1].available() == window && !src.hasRemaining();
        }, 30);
        net.clock.addAndGet(TimeUnit.SECONDS.toNanos(30)); // the window stays shut a while
        net.run(() -> net.a.stats().get(Stat.WINDOW_PROBES) >= 2, 120);
        assertEquals(window, s[1].available(), "a probe's byte is not taken into a full buffer");

        ByteBuffer got = ByteBuffer.allocate(data.length);
        net.run(() -> {
            try {
                TcpTestNet.readSome(s[1], got);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !got.hasRemaining();
        }, 60);
        assertArrayEquals(data, got.array());
    }

    @Test
    void halfCloseLetsTheOtherSideKeepSendingThenBothCloseThroughTimeWait() throws Exception {
        TcpSocket[] s = net.connect(80);
        s[0].shutdownOutput();
        net.run(() -> s[1].state() == TcpState.CLOSE_WAIT && s[0].state() == TcpState.FIN_WAIT_2, 5);
        assertEquals(-1, TcpTestNet.readSome(s[1], ByteBuffer.allocate(1)));

        byte[] reply = TcpTransferTest.data(100_000, 12);
        assertArrayEquals(reply, net.transfer(s[1], s[0], reply, 30), "the half-closed side still reads");

        s[1].close();
        net.run(() -> s[0].state() == TcpState.TIME_WAIT, 5);
        net.run(() -> net.b.connectionCount() == 0, 5);
        long entered = net.clock.get();
        net.run(() -> net.a.connectionCount() == 0, 600);
        long stayed = net.clock.get() - entered;
        assertTrue(stayed >= TimeUnit.SECONDS.toNanos(2L * net.configA.mslSeconds) - TimeUnit.MILLISECONDS.toNanos(10),
                "TIME_WAIT lasts 2 MSL: " + stayed);
    }

    @Test
    void simultaneousCloseGoesThroughClosing() throws Exception {
        TcpSocket[] s = net.connect(80);
        s[0].shutdownOutput();
        s[1].shutdownOutput(); // both FINs cross on the wire
        assertEquals(TcpState.FIN_WAIT_1, s[0].state());
        assertEquals(TcpState.FIN_WAIT_1, s[1].state());
        net.run(() -> s[0].state() == TcpState.TIME_WAIT && s[1].state() == TcpState.TIME_WAIT, 5);
    }

    @Test
    void closingWithUnreadDataResets() throws Exception {
        TcpSocket[] s = net.connect(80);
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[500]));
        net.run(() -> s[1].available() == 500, 5);
        s[1].close();
        assertEquals(RST | ACK, lastFromB().flags(), "RFC 2525 §2.17: reset, not a FIN, when data is left unread");
        net.run(() -> s[0].state() == TcpState.CLOSED, 5);
    }

    @Test
    void keepaliveProbesAnIdlePeerAndDropsItWhenItNeverAnswers() throws Exception {
        TcpSocket[] s = net.connect(80);
        s[0].setOption(io.pktstack.api.tcp.TcpSocketOptions.KEEPIDLE, 10);
        s[0].setOption(io.pktstack.api.tcp.TcpSocketOptions.KEEPINTERVAL, 2);
        s[0].setOption(io.pktstack.api.tcp.TcpSocketOptions.KEEPCOUNT, 3);
        s[0].setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        net.run(() -> net.a.stats().get(Stat.KEEPALIVE_PROBES) == 1, 30);
        assertEquals(TcpState.ESTABLISHED, s[0].state(), "the peer answered the first probe");
        net.fromB = x -> false; // the peer is gone
        net.run(() -> s[0].state() == TcpState.CLOSED, 120);
        assertEquals(1, net.a.stats().get(Stat.KEEPALIVE_DROPS));
        SocketException e = assertThrows(SocketException.class, () -> s[0].read(ByteBuffer.allocate(1)));
        assertTrue(e.getMessage().contains("timed out"));
    }

    @Test
    void anUnansweredConnectionIsDroppedAfterItsRetransmissions() throws Exception {
        net.configA.maxRetransmits = 4;
        TcpSocket[] s = net.connect(80);
        net.fromA = x -> false;
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[10]));
        net.run(() -> s[0].state() == TcpState.CLOSED, 600);
        assertEquals(5, net.a.stats().get(Stat.REXMT_TIMEOUTS));
        assertEquals(1, net.a.stats().get(Stat.REXMT_DROPS));
    }

    // ---- listeners ------------------------------------------------------------------------

    @Test
    void aFullAcceptQueueDropsTheFinalAckUntilTheApplicationAccepts() throws Exception {
        TcpListener l = net.b.listen(TcpTestNet.addr(TcpTestNet.B, 80), 1);
        TcpSocket c1 = net.a.open();
        TcpSocket c2 = net.a.open();
        TcpTestNet.startConnect(c1, TcpTestNet.addr(TcpTestNet.B, 80));
        net.run(() -> ((TcpListenerImpl) l).queued() == 1, 5);
        TcpTestNet.startConnect(c2, TcpTestNet.addr(TcpTestNet.B, 80));
        net.run(() -> net.b.stats().get(Stat.LISTEN_QUEUE_OVERFLOW) > 0, 5);
        assertEquals(1, ((TcpListenerImpl) l).queued());

        TcpSocket first = l.accept(Duration.ofMillis(1));
        TcpTestNet.writeSome(c2, ByteBuffer.wrap("x".getBytes())); // its data carries the ACK again
        net.run(() -> ((TcpListenerImpl) l).queued() == 1, 30);
        TcpSocket second = l.accept(Duration.ofMillis(1));
        net.run(() -> second.available() == 1, 5);
        assertFalse(first.remoteAddress().equals(second.remoteAddress()));
        l.close();
    }

    @Test
    void aFullSynQueueAnswersWithCookiesAndACookieConnectionCarriesData() throws Exception {
        net.configB.synQueueLimit = 0;
        TcpListener l = net.b.listen(TcpTestNet.addr(TcpTestNet.B, 80), 4);
        TcpSocket c = net.a.open();
        TcpTestNet.startConnect(c, TcpTestNet.addr(TcpTestNet.B, 80));
        net.run(() -> ((TcpListenerImpl) l).queued() == 1, 5);

        assertEquals(1, net.b.stats().get(Stat.COOKIES_SENT));
        assertEquals(1, net.b.stats().get(Stat.COOKIES_ACCEPTED));
        TcpSocket server = l.accept(Duration.ofMillis(1));
        TcpConnection sc = serverConnection();
        assertTrue(sc.wsOk && sc.tsOk && sc.sackOk, "window scale, timestamps and SACK restored from the timestamp");
        byte[] data = TcpTransferTest.data(300_000, 13);
        assertArrayEquals(data, net.transfer(c, server, data, 30));
        l.close();
    }

    @Test
    void aForgedCookieIsRefusedWithARst() throws Exception {
        net.configB.synQueueLimit = 0;
        TcpListener l = net.b.listen(TcpTestNet.addr(TcpTestNet.B, 80), 4);
        net.inject(Segments.from(3999, 80).seq(500).flags(SYN).build(TcpTestNet.A, TcpTestNet.B), true);
        assertEquals(1, net.b.stats().get(Stat.COOKIES_SENT), "a cookie in flight, so ACKs are checked as cookies");
        net.inject(Segments.from(4000, 80).seq(1001).ack(0x12345678).flags(ACK).build(TcpTestNet.A, TcpTestNet.B), true);
        assertEquals(1, net.b.stats().get(Stat.COOKIES_FAILED));
        assertEquals(RST, lastFromB().flags());
        assertEquals(0, ((TcpListenerImpl) l).queued());
        l.close();
    }

    @Test
    void anAckIsNotCheckedAsACookieWhenNoCookieWasSent() throws Exception {
        net.configB.synQueueLimit = 0;
        TcpListener l = net.b.listen(TcpTestNet.addr(TcpTestNet.B, 80), 4);
        net.inject(Segments.from(4000, 80).seq(1001).ack(0x12345678).flags(ACK).build(TcpTestNet.A, TcpTestNet.B), true);
        assertEquals(0, net.b.stats().get(Stat.COOKIES_FAILED));
        assertEquals(1, net.b.stats().get(Stat.NO_SOCKET));
        assertEquals(RST, lastFromB().flags());
        l.close();
    }

    @Test
    void aCookieConnectionSurvivesLosingItsFinalAckAndFirstSegment() throws Exception {
        // Under a flood the final ACK and the first data segment can both be lost; the next segment does not
        // carry the peer's ISN+1, so its cookie cannot be checked. It must be dropped, not answered with a reset:
        // the peer's retransmission from ISN+1 then completes the handshake and every byte arrives.
        net.configB.synQueueLimit = 0;
        TcpListener l = net.b.listen(TcpTestNet.addr(TcpTestNet.B, 80), 4);
        int[] afterSyn = {0};
        net.fromA = s -> s.has(SYN) || ++afterSyn[0] > 2;
        TcpSocket c = net.a.open();
        TcpTestNet.startConnect(c, TcpTestNet.addr(TcpTestNet.B, 80));
        net.run(() -> c.state() == TcpState.ESTABLISHED, 5);
        byte[] data = TcpTransferTest.data(20_000, 17);
        TcpTestNet.writeSome(c, ByteBuffer.wrap(data));
        net.run(() -> ((TcpListenerImpl) l).queued() == 1, 30);

        assertTrue(net.b.stats().get(Stat.COOKIES_FAILED) > 0, "a later segment reached the listener first");
        assertEquals(1, net.b.stats().get(Stat.COOKIES_ACCEPTED));
        assertEquals(0, net.b.stats().get(Stat.RST_SENT));
        TcpSocket server = l.accept(Duration.ofMillis(1));
        ByteBuffer got = ByteBuffer.allocate(data.length);
        net.run(() -> server.available() == data.length, 30);
        server.read(got);
        assertArrayEquals(data, got.array());
        l.close();
    }

    // ---- malformed segments -----------------------------------------------------------------

    @Test
    void malformedSegmentsAreCountedAndDropped() {
        byte[] ok = Segments.from(4000, 80).seq(1).flags(SYN).build(TcpTestNet.A, TcpTestNet.B);

        byte[] badSum = ok.clone();
        badSum[16] ^= 1;
        net.inject(badSum, true);
        assertEquals(1, net.b.stats().get(Stat.BAD_CHECKSUM));

        net.inject(Segments.from(4000, 80).seq(1).flags(SYN).options("0201 0000") // MSS with length 1
                .build(TcpTestNet.A, TcpTestNet.B), true);
        net.inject(Segments.from(4000, 80).seq(1).flags(SYN).options("0800 0000") // zero-length option
                .build(TcpTestNet.A, TcpTestNet.B), true);
        net.inject(Segments.from(4000, 80).seq(1).flags(SYN).options("0101 080a") // timestamps running past
                .build(TcpTestNet.A, TcpTestNet.B), true);
        assertEquals(3, net.b.stats().get(Stat.BAD_OPTIONS));

        byte[] shortOffset = ok.clone();
        shortOffset[12] = 0x40; // data offset 4 words
        net.inject(shortOffset, true);
        byte[] longOffset = ok.clone();
        longOffset[12] = (byte) 0xf0; // 60 bytes of header in a 20-byte segment
        net.inject(longOffset, true);
        assertEquals(2, net.b.stats().get(Stat.BAD_HEADER));

        net.inject(Segments.from(4000, 80).seq(1).flags(SYN | FIN).build(TcpTestNet.A, TcpTestNet.B), true);
        assertEquals(1, net.b.stats().get(Stat.SYN_FIN));
        assertTrue(net.log.isEmpty(), "nothing answered any of them");
    }
}
