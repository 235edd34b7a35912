package io.pktstack.core.internal.tcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.tcp.TcpSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection's segments leave in the order they were built when two threads
 * send for it: a receive thread whose ACK releases queued data, and an
 * application thread writing at the same moment. Each thread has its own
 * output batch (as in the stack); the wire must still see sequence order.
 */
class SegmentOrderTest {

    final TcpTestNet net = new TcpTestNet();
    final ExecutorService receiveThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        receiveThread.shutdownNow();
        net.close();
        net.assertPoolFull();
    }

    @Test
    void whatAnAckReleasesLeavesBeforeWhatAConcurrentWriteSends() throws Exception {
        net.perThreadBatches = true;
        TcpSocket[] s = net.connect(80);
        int mss = 1448; // 1460 less the timestamp option
        // The initial window (RFC 6928: ten segments) and one segment more, left queued.
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[11 * mss]));
        // B takes the window and answers with ACKs, which stay on the wire.
        while (!net.wire.isEmpty() && net.wire.peek().fromA) {
            net.deliverNextWithoutFlush();
            net.flushBatch();
        }
        assertTrue(!net.wire.isEmpty(), "B acknowledged: " + net.log);
        int before = net.log.size();

        // The receive thread takes one ACK: the queued segment goes out (into its batch, unless flushed).
        receiveThread.submit(net::deliverNextWithoutFlush).get();
        // Meanwhile the application writes one more segment, which the opened window lets out at once.
        TcpTestNet.writeSome(s[0], ByteBuffer.wrap(new byte[mss]));
        // The receive thread ends its batch.
        receiveThread.submit(net::flushBatch).get();

        List<TcpTestNet.Seg> sent = net.log.subList(before, net.log.size()).stream()
                .filter(g -> g.fromA && g.dataLen() > 0).toList();
        assertTrue(sent.size() >= 2, "the ACK released one segment and the write sent one: " + sent);
        for (int i = 1; i < sent.size(); i++) {
            assertTrue(sent.get(i).seq() - sent.get(i - 1).seq() > 0, "in sequence order on the wire: " + sent);
        }
    }
}
