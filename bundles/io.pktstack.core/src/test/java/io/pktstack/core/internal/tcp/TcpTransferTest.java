package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.tcp.TcpSocket;
import io.pktstack.api.tcp.TcpState;
import io.pktstack.api.wire.TcpSegment;
import io.pktstack.core.internal.tcp.TcpStats.Stat;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two TCPs over an in-memory wire: the handshake, bulk data both ways, and loss recovered by SACK, NewReno and RTO. */
class TcpTransferTest {

    final TcpTestNet net = new TcpTestNet();

    @AfterEach
    void close() {
        net.close();
        net.assertPoolFull();
    }

    static byte[] data(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    /** Loses every {@code nth} new data segment; a retransmission (a sequence number seen before) goes through. */
    static TcpTestNet.Wire firstSendsLost(int nth) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        int[] n = {0};
        return g -> g.dataLen() == 0 || !seen.add(g.seq()) || ++n[0] % nth != 0;
    }

    @Test
    void theHandshakeNegotiatesMssWindowScaleTimestampsAndSack() throws Exception {
        TcpSocket[] s = net.connect(80);

        assertEquals(TcpState.ESTABLISHED, s[0].state());
        assertEquals(TcpState.ESTABLISHED, s[1].state());
        TcpTestNet.Seg syn = net.log.get(0);
        TcpTestNet.Seg synAck = net.log.get(1);
        TcpTestNet.Seg ack = net.log.get(2);
        assertEquals(TcpSegment.SYN, syn.flags());
        assertEquals(1460, syn.opt.mss);
        assertEquals(Tcp.scaleFor(net.configA.recvSpace), syn.opt.windowScale);
        assertTrue(syn.opt.sackPermitted && syn.opt.timestamps);
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags());
        assertEquals(syn.seq() + 1, synAck.ack());
        assertEquals(syn.opt.tsVal, synAck.opt.tsEcr, "the SYN's timestamp echoed");
        assertEquals(TcpSegment.ACK, ack.flags());
        assertEquals(synAck.seq() + 1, ack.ack());
        assertEquals(3, net.log.size(), "three segments, nothing more: " + net.log);
        assertEquals(1, net.a.stats().get(Stat.CONN_ESTABLISHED));
        assertEquals(1, net.b.stats().get(Stat.CONN_ACCEPTS));
    }

    @Test
    void aMegabyteEachWayArrivesIntactWithoutRetransmission() throws Exception {
        TcpSocket[] s = net.connect(80);
        byte[] up = data(1 << 20, 1);
        byte[] down = data(1 << 20, 2);

        assertArrayEquals(up, net.transfer(s[0], s[1], up, 60));
        assertArrayEquals(down, net.transfer(s[1], s[0], down, 60));

        assertEquals(0, net.a.stats().get(Stat.REXMT_SEGS));
        assertEquals(0, net.b.stats().get(Stat.REXMT_SEGS));
        long segments = net.log.stream().filter(g -> g.fromA && g.dataLen() > 0).count();
        assertTrue(segments >= (1 << 20) / 1448 && segments < (1 << 20) / 1000, "full-sized segments: " + segments);
    }

    @Test
    void overAPathThatTakesLargeSegmentsTheDataLeavesInFewerLargerFramesAndArrivesIntact() throws Exception {
        net.largeSegments = true;
        TcpSocket[] s = net.connect(80);
        byte[] up = data(1 << 20, 4);

        assertArrayEquals(up, net.transfer(s[0], s[1], up, 60));

        assertEquals(0, net.a.stats().get(Stat.REXMT_SEGS));
        long frames = net.log.stream().filter(g -> g.fromA && g.dataLen() > 0).count();
        long large = net.log.stream().filter(g -> g.fromA && g.dataLen() > 1448).count();
        int mostData = net.log.stream().filter(g -> g.fromA).mapToInt(TcpTestNet.Seg::dataLen).max().orElse(0);
        assertTrue(large > 0 && frames < (1 << 20) / 1448 / 2, "frames " + frames + ", large " + large);
        assertTrue(mostData <= 64 * 1448, "largest segment " + mostData);
        // Counted as the segments they become on a wire, as Linux counts tcp_skb_pcount.
        assertTrue(net.a.stats().get(Stat.DATA_SEGS_SENT) >= (1 << 20) / 1448, "data segments counted");
    }

    @Test
    void withNoLargeFrameFreeTheSegmentsAreOneMssEachInPoolFrames() throws Exception {
        net.largeSegments = true;
        java.util.List<io.pktstack.api.frame.Frame> held = new java.util.ArrayList<>();
        for (io.pktstack.api.frame.Frame f; (f = net.large.take()) != null; ) {
            held.add(f);
        }
        TcpSocket[] s = net.connect(80);
        byte[] up = data(256 << 10, 6);
        try {
            assertArrayEquals(up, net.transfer(s[0], s[1], up, 60));
        } finally {
            held.forEach(io.pktstack.api.frame.Frame::release);
        }
        int mostData = net.log.stream().filter(g -> g.fromA).mapToInt(TcpTestNet.Seg::dataLen).max().orElse(0);
        assertEquals(1448, mostData, "one MSS per segment: a pool frame holds no second piece");
    }

    /**
     * A large segment counts as the full segments it carries for the delayed ACK: answered at once, so a
     * sender whose window holds one or two of them does not wait out the ACK delay each round.
     */
    @Test
    void aLargeSegmentIsAcknowledgedAtOnceNotAfterTheDelay() throws Exception {
        net.largeSegments = true;
        TcpSocket[] s = net.connect(80);
        byte[] up = data(8 * 1448, 5);
        s[0].write(java.nio.ByteBuffer.wrap(up));
        TcpTestNet.Seg large = net.wire.peekLast();
        assertTrue(large != null && large.fromA && large.dataLen() == up.length, "one large segment: " + large);
        net.deliverAsBatch(1);
        TcpTestNet.Seg ack = net.wire.peekLast();
        assertTrue(ack != null && !ack.fromA && ack.ack() == large.seq() + up.length,
                "acknowledged within the batch, without the delay: " + ack);
        assertEquals(0, net.b.stats().get(Stat.DELAYED_ACKS));
    }

    @Test
    void lossIsRepairedBySackRecovery() throws Exception {
        TcpSocket[] s = net.connect(80);
        net.fromA = firstSendsLost(40); // every 40th data segment lost, its retransmission not
        byte[] up = data(4 << 20, 3);

        assertArrayEquals(up, net.transfer(s[0], s[1], up, 120));

        assertTrue(net.a.stats().get(Stat.SACK_RECOVERIES) > 0, "SACK recovery");
        assertTrue(net.a.stats().get(Stat.SACK_REXMT_SEGS) + net.a.stats().get(Stat.FAST_RETRANSMITS) > 0);
        assertTrue(net.b.stats().get(Stat.OUT_OF_ORDER_SEGS) > 0);
        assertEquals(0, net.a.stats().get(Stat.REXMT_TIMEOUTS), "no timeout needed");
    }

    @Test
    void aRetransmissionLostAgainIsSentAgainWithoutWaitingForTheTimer() throws Exception {
        TcpSocket[] s = net.connect(80);
        int[] dataSegments = {0};
        int[] victim = {0};
        int[] drops = {0};
        net.fromA = g -> {
            if (g.dataLen() == 0) {
                return true;
            }
            if (++dataSegments[0] == 60) {
                victim[0] = g.seq(); // lost, and its first retransmission too
            }
            if (dataSegments[0] >= 60 && g.seq() == victim[0] && drops[0] < 2) {
                drops[0]++;
                return false;
            }
            return true;
        };
        byte[] up = data(2 << 20, 8);

        assertArrayEquals(up, net.transfer(s[0], s[1], up, 60));

        assertEquals(2, drops[0]);
        assertTrue(net.a.stats().get(Stat.LOST_RETRANSMITS) >= 1, "the lost retransmission noticed");
        assertEquals(0, net.a.stats().get(Stat.REXMT_TIMEOUTS), "and repaired before the timer");
    }

    @Test
    void lossWithoutSackIsRepairedByNewReno() throws Exception {
        net.configA.sack = false;
        TcpSocket[] s = net.connect(80);
        net.fromA = firstSendsLost(50);
        byte[] up = data(2 << 20, 4);

        assertArrayEquals(up, net.transfer(s[0], s[1], up, 240));

        assertTrue(net.a.stats().get(Stat.NEWRENO_RECOVERIES) > 0);
        assertEquals(0, net.a.stats().get(Stat.SACK_RECOVERIES));
    }

    /** Drops the first data segment A sends, once. */
    static TcpTestNet.Wire firstDataSegmentLost() {
        boolean[] dropped = {false};
        return g -> {
            if (g.dataLen() > 0 && !dropped[0]) {
                dropped[0] = true;
                return false;
            }
            return true;
        };
    }

    @Test
    void theLostLastSegmentOfABurstIsRepairedByATailLossProbeBeforeTheTimeout() throws Exception {
        TcpSocket[] s = net.connect(80);
        net.transfer(s[0], s[1], data(10_000, 4), 10); // an RTT measured: TLP may probe
        byte[] burst = data(7 * 1448, 5); // seven full segments, the last one lost
        int[] n = {0};
        net.fromA = g -> g.dataLen() == 0 || ++n[0] != 7;
        long sent = net.clock.get();

        assertArrayEquals(burst, net.transfer(s[0], s[1], burst, 10));
        assertEquals(1, net.a.stats().get(Stat.TLP_PROBES));
        assertEquals(0, net.a.stats().get(Stat.REXMT_TIMEOUTS));
        assertTrue(net.clock.get() - sent < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(net.configA.minRtoMillis),
                "repaired sooner than the minimum RTO");
    }

    @Test
    void withoutSackALostTailWaitsForTheRetransmissionTimeout() throws Exception {
        net.configA.sack = false;
        TcpSocket[] s = net.connect(80);
        net.fromA = firstDataSegmentLost();
        byte[] small = data(100, 5);

        assertArrayEquals(small, net.transfer(s[0], s[1], small, 10));
        assertEquals(1, net.a.stats().get(Stat.REXMT_TIMEOUTS));
        assertEquals(0, net.a.stats().get(Stat.TLP_PROBES));
    }

    @Test
    void reorderedAndDuplicatedSegmentsArriveOnceInOrder() throws Exception {
        TcpSocket[] s = net.connect(80);
        SplittableRandom rnd = new SplittableRandom(9);
        net.fromA = g -> {
            if (g.dataLen() > 0 && rnd.nextInt(10) == 0) {
                net.duplicate(g); // a duplicate, behind what follows
            }
            return true;
        };
        byte[] up = data(1 << 20, 6);

        assertArrayEquals(up, net.transfer(s[0], s[1], up, 60));
        assertTrue(net.b.stats().get(Stat.DUP_SEGS) > 0);
    }

    @Test
    void nothingIsLeftAfterAnOrderlyClose() throws Exception {
        TcpSocket[] s = net.connect(80);
        net.transfer(s[0], s[1], data(5000, 7), 10);
        s[0].close();
        net.run(() -> s[1].state() == TcpState.CLOSE_WAIT, 10);
        assertEquals(-1, TcpTestNet.readSome(s[1], ByteBuffer.allocate(10)), "end of stream after the data");
        s[1].close();
        net.run(() -> net.b.connectionCount() == 0, 10);
        assertEquals(1, net.a.connectionCount(), "A in TIME_WAIT");
        assertFalse(net.a.connections().isEmpty());
        net.run(() -> net.a.connectionCount() == 0, 2 * net.configA.mslSeconds + 1);
        assertEquals(0, net.timer.scheduled(), "no timer left");
    }
}
