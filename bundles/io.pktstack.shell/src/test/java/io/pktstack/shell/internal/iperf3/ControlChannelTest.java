package io.pktstack.shell.internal.iperf3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The control connection against bytes that Linux's iperf3 3.12 client and
 * server exchanged (fixtures beside this class, README.md there), read and
 * written by {@link ControlChannel}.
 */
class ControlChannelTest {

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = ControlChannelTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** A link reading from fixed bytes and recording what is written. */
    static final class MemoryLink implements ControlChannel.Link {
        final ByteBuffer in;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        MemoryLink(byte[] in) {
            this.in = ByteBuffer.wrap(in);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!in.hasRemaining()) {
                return -1;
            }
            // at most 7 bytes at a time, so that the framing's loops are exercised
            int n = Math.min(Math.min(dst.remaining(), in.remaining()), 7);
            dst.put(in.slice(in.position(), n));
            in.position(in.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), 5);
            byte[] b = new byte[n];
            src.get(b);
            out.write(b, 0, n);
            return n;
        }
    }

    @Test
    void readsWhatLinuxsClientSendsInATwoStreamTest() throws Exception {
        ControlChannel ch = new ControlChannel(new MemoryLink(fixture("linux-3.12-fwd-client-to-server.bin")));
        byte[] cookie = ch.readCookie();
        assertEquals(0, cookie[36]);
        assertTrue(Iperf3Protocol.cookieText(cookie).matches("[a-z2-7]{36}"), Iperf3Protocol.cookieText(cookie));
        TestParameters p = TestParameters.fromJson(ch.readJson());
        assertEquals(new TestParameters(1, 0, 0, 2, false, 131072, false, false), p);
        assertEquals(ControlState.TEST_END, ch.readState());
        ExchangedResults r = ExchangedResults.fromJson(ch.readJson());
        assertEquals(1, r.senderHasRetransmits());
        assertEquals("bbr", r.congestionUsed());
        assertEquals(List.of(new ExchangedResults.StreamTotals(1, 22282240, 1, 0, 1.20404),
                new ExchangedResults.StreamTotals(3, 19660800, 1, 0, 1.204046)), r.streams());
        assertEquals(0.72494521912761, r.cpu().total());
        assertEquals(ControlState.IPERF_DONE, ch.readState());
        assertThrows(EOFException.class, ch::readState);
    }

    @Test
    void readsWhatLinuxsServerSendsWithItsUnsignedMinusOne() throws IOException {
        ControlChannel ch = new ControlChannel(new MemoryLink(fixture("linux-3.12-fwd-server-to-client.bin")));
        for (ControlState s : List.of(ControlState.PARAM_EXCHANGE, ControlState.CREATE_STREAMS,
                ControlState.TEST_START, ControlState.TEST_RUNNING, ControlState.EXCHANGE_RESULTS)) {
            assertEquals(s, ch.readState());
        }
        ExchangedResults r = ExchangedResults.fromJson(ch.readJson());
        // the receiving server: sender_has_retransmits and retransmits are -1, printed as 2^64 - 1
        assertEquals(-1, r.senderHasRetransmits());
        assertEquals(List.of(new ExchangedResults.StreamTotals(1, 20971520, -1, 0, 1.273336),
                new ExchangedResults.StreamTotals(3, 18350080, -1, 0, 1.273342)), r.streams());
        assertEquals(ControlState.DISPLAY_RESULTS, ch.readState());
    }

    @Test
    void readsAReverseFourStreamTest() throws Exception {
        ControlChannel c2s = new ControlChannel(new MemoryLink(fixture("linux-3.12-rev-client-to-server.bin")));
        c2s.readCookie();
        assertEquals(new TestParameters(2, 0, 0, 4, true, 131072, false, false), TestParameters.fromJson(c2s.readJson()));
        ControlChannel s2c = new ControlChannel(new MemoryLink(fixture("linux-3.12-rev-server-to-client.bin")));
        for (int i = 0; i < 5; i++) {
            s2c.readState();
        }
        ExchangedResults r = ExchangedResults.fromJson(s2c.readJson());
        assertEquals(1, r.senderHasRetransmits());
        assertEquals(List.of(1, 3, 4, 5), r.streams().stream().map(ExchangedResults.StreamTotals::id).toList());
        assertEquals(9, r.stream(5).retransmits());
        assertEquals(443023360, r.stream(5).bytes());
    }

    /** The parameters message, byte for byte as Linux's client sends it for the same test. */
    @Test
    void writesTheParametersAsLinuxsClientDoes() throws IOException {
        assertArrayEquals(parametersIn(fixture("linux-3.12-fwd-client-to-server.bin")),
                written(TestParameters.timed(1, 2, false)));
        assertArrayEquals(parametersIn(fixture("linux-3.12-rev-client-to-server.bin")),
                written(TestParameters.timed(2, 4, true)));
    }

    private static byte[] parametersIn(byte[] clientToServer) {
        int length = ByteBuffer.wrap(clientToServer, Iperf3Protocol.COOKIE_SIZE, 4).getInt();
        return Arrays.copyOfRange(clientToServer, Iperf3Protocol.COOKIE_SIZE,
                Iperf3Protocol.COOKIE_SIZE + 4 + length);
    }

    private static byte[] written(TestParameters p) throws IOException {
        MemoryLink link = new MemoryLink(new byte[0]);
        new ControlChannel(link).sendJson(p.toJson());
        return link.out.toByteArray();
    }

    @Test
    void statesCookiesAndErrorsOnTheWire() throws IOException {
        MemoryLink link = new MemoryLink(new byte[0]);
        ControlChannel ch = new ControlChannel(link);
        byte[] cookie = Iperf3Protocol.newCookie(new SplittableRandom(1));
        ch.sendCookie(cookie);
        ch.sendState(ControlState.TEST_END);
        ch.sendState(ControlState.ACCESS_DENIED);
        ch.sendServerError(Iperf3Protocol.IEUNIMP, 0);
        byte[] out = link.out.toByteArray();
        assertEquals(37 + 1 + 1 + 9, out.length);
        assertArrayEquals(cookie, Arrays.copyOf(out, 37));
        assertArrayEquals(new byte[] {4, -1, -2, 0, 0, 0, 13, 0, 0, 0, 0}, Arrays.copyOfRange(out, 37, out.length));
        ControlChannel back = new ControlChannel(new MemoryLink(out));
        assertArrayEquals(cookie, back.readCookie());
        assertEquals(ControlState.TEST_END, back.readState());
        assertEquals(ControlState.ACCESS_DENIED, back.readState());
        assertEquals(ControlState.SERVER_ERROR, back.readState());
        assertArrayEquals(new int[] {13, 0}, back.readServerError());
    }

    @Test
    void refusesWhatIsNotIperf3() {
        assertThrows(ProtocolException.class, () -> new ControlChannel(new MemoryLink(new byte[] {3})).readState(),
                "3 is RESULT_REQUEST, defined but not used");
        assertThrows(ProtocolException.class,
                () -> new ControlChannel(new MemoryLink(new byte[] {0x7f, 0, 0, 0})).readJson(), "2 GB of JSON");
        byte[] array = "\0\0\0\2[]".getBytes(StandardCharsets.US_ASCII);
        assertThrows(ProtocolException.class, () -> new ControlChannel(new MemoryLink(array)).readJson());
        byte[] cut = "\0\0\0\5{\"a\"".getBytes(StandardCharsets.US_ASCII);
        assertThrows(EOFException.class, () -> new ControlChannel(new MemoryLink(cut)).readJson());
        byte[] garbage = "\0\0\0\3{x}".getBytes(StandardCharsets.US_ASCII);
        assertThrows(ProtocolException.class, () -> new ControlChannel(new MemoryLink(garbage)).readJson());
    }
}
