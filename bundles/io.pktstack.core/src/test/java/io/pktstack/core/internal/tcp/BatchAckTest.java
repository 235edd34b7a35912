package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.tcp.TcpSocket;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A receive thread's batch earns one ACK per connection at its end, covering
 * every in-order segment it brought; alone, segments are acknowledged every
 * second one (RFC 5681 §4.2). An out-of-order segment is acknowledged at once
 * in either case.
 */
class BatchAckTest {

    final TcpTestNet net = new TcpTestNet();

    @AfterEach
    void close() {
        net.close();
        net.assertPoolFull();
    }

    /** A's ten-segment initial window on the wire to B, nothing delivered. */
    TcpSocket[] tenSegmentsInFlight() throws Exception {
        TcpSocket[] s = net.connect(80);
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[10 * 1448]));
        assertEquals(10, net.wire.stream().filter(g -> g.fromA && g.dataLen() > 0).count(), "" + net.wire);
        return s;
    }

    List<TcpTestNet.Seg> acksFromB(int since) {
        return net.log.subList(since, net.log.size()).stream().filter(g -> !g.fromA && g.dataLen() == 0).toList();
    }

    @Test
    void aBatchOfSegmentsIsAcknowledgedOnceAtItsEnd() throws Exception {
        tenSegmentsInFlight();
        int before = net.log.size();
        List<TcpTestNet.Seg> batch = net.deliverAsBatch(10);
        TcpTestNet.Seg last = batch.getLast();

        List<TcpTestNet.Seg> acks = acksFromB(before);
        assertEquals(1, acks.size(), "one ACK for the batch: " + acks);
        assertEquals(last.seq() + last.dataLen(), acks.getFirst().ack(), "it covers the whole batch");
    }

    @Test
    void segmentsDeliveredOneByOneAreAcknowledgedEverySecondOne() throws Exception {
        tenSegmentsInFlight();
        int before = net.log.size();
        for (int i = 0; i < 10; i++) {
            net.deliverNextWithoutFlush();
        }
        assertEquals(5, acksFromB(before).size(), "" + acksFromB(before));
    }

    @Test
    void whatABatchOfAcksLetsOutLeavesInOneTransmit() throws Exception {
        net.perThreadBatches = true;
        TcpSocket[] s = net.connect(80);
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[40 * 1448]));
        for (int i = 0; i < 10; i++) { // B takes the initial window; its five ACKs wait on the wire
            net.deliverNextWithoutFlush();
            net.flushBatch();
        }
        assertEquals(5, net.wire.stream().filter(g -> !g.fromA).count(), "" + net.wire);
        int before = net.log.size();
        int transmits = net.transmits;

        net.deliverAsBatch(5);

        List<TcpTestNet.Seg> sent = net.log.subList(before, net.log.size()).stream().filter(g -> g.fromA).toList();
        assertEquals(1, net.transmits - transmits, "one transmit for the batch: " + sent);
        assertEquals(20, sent.size(), "ten acknowledged and ten more of slow start: " + sent);
        for (int i = 1; i < sent.size(); i++) {
            assertEquals(sent.get(i - 1).seq() + 1448, sent.get(i).seq(), "in order: " + sent);
        }
    }

    @Test
    void anOutOfOrderSegmentInABatchIsAcknowledgedAtOnce() throws Exception {
        tenSegmentsInFlight();
        net.wire.remove(net.wire.stream().filter(g -> g.fromA && g.dataLen() > 0).skip(3).findFirst().orElseThrow());
        int before = net.log.size();
        net.deliverAsBatch(9);

        List<TcpTestNet.Seg> acks = acksFromB(before);
        // Segments 1-3 in order (one deferred ACK), then 5-10 each out of order: an immediate duplicate ACK
        // with SACK each; the deferred ACK was sent with the first of them.
        assertTrue(acks.size() >= 6, "a duplicate ACK for each out-of-order segment: " + acks);
        for (TcpTestNet.Seg a : acks) {
            assertEquals(acks.getFirst().ack(), a.ack(), "all acknowledge up to the hole: " + acks);
        }
    }
}
