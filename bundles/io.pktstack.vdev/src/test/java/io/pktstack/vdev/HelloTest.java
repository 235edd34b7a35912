package io.pktstack.vdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.net.MacAddress;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handshake message on a real Unix domain socket: its exact bytes, and
 * refusal of every malformed message a hostile peer could send.
 */
class HelloTest {

    /**
     * A virtio-net driver's hello, big-endian: length 0x4e, magic "PKVH",
     * version 1, role 1 (driver), legacy 0, MAC 52:54:00:12:34:56 in 8 bytes,
     * MTU 1514, then the bind path and the region path, each after a 16-bit length.
     */
    static final String DRIVER_HELLO = """
            0000 004e 504b 5648 0001 0100 0000 5254
            0012 3456 0000 05ea 000f 2f64 6576 2f71
            766d 2f67 312f 7032 7000 272f 6465 762f
            7368 6d2f 706b 7473 7461 636b 2d76 6465
            762d 3030 3131 3232 3333 3434 3535 3636
            3737
            """;

    static final Hello DRIVER = new Hello(Hello.DRIVER, false, MacAddress.parse("52:54:00:12:34:56"), 1514,
            "/dev/qvm/g1/p2p", "/dev/shm/pktstack-vdev-0011223344556677");

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private SocketChannel a;
    private SocketChannel b;

    @BeforeEach
    void socketPair() throws IOException {
        Path sock = dir.resolve("s");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        a = SocketChannel.open(UnixDomainSocketAddress.of(sock));
        b = server.accept();
    }

    @AfterEach
    void close() throws IOException {
        a.close();
        b.close();
        server.close();
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    private void send(byte[] raw) throws IOException {
        Hello.writeFully(a, ByteBuffer.wrap(raw));
    }

    @Test
    void writesTheDocumentedBytes() throws IOException {
        DRIVER.write(a);
        byte[] expected = bytes(DRIVER_HELLO);
        ByteBuffer got = Hello.readFully(b, expected.length);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(got.array()));
    }

    @Test
    void readsTheFixtureBack() throws Exception {
        send(bytes(DRIVER_HELLO));
        assertEquals(DRIVER, Hello.read(b));
    }

    @Test
    void roundTripsADeviceHelloWithLegacyHeaderAndNoRegion() throws Exception {
        Hello device = new Hello(Hello.DEVICE, true, MacAddress.parse("02:00:00:00:00:0a"), 9018,
                "/dev/vdevpeers/vp0", "");
        device.write(a);
        assertEquals(device, Hello.read(b));
    }

    /** The fixture with one byte replaced (offsets count from the length prefix). */
    private static byte[] patched(int offset, int... values) {
        byte[] m = bytes(DRIVER_HELLO);
        for (int i = 0; i < values.length; i++) {
            m[offset + i] = (byte) values[i];
        }
        return m;
    }

    private String refusal(byte[] raw) throws IOException {
        send(raw);
        return assertThrows(Hello.ProtocolException.class, () -> Hello.read(b)).getMessage();
    }

    @Test
    void badMagicIsRefused() throws IOException {
        assertTrue(refusal(patched(4, 'H', 'T', 'T', 'P')).contains("magic"));
    }

    @Test
    void otherVersionIsRefused() throws IOException {
        assertTrue(refusal(patched(8, 0, 2)).contains("version 2"));
    }

    @Test
    void unknownRoleIsRefused() throws IOException {
        assertTrue(refusal(patched(10, 7)).contains("role 7"));
    }

    @Test
    void macWiderThan48BitsIsRefused() throws IOException {
        assertTrue(refusal(patched(12, 0x01)).contains("MAC"));
    }

    @Test
    void tooShortAndTooLongMessagesAreRefusedBeforeReading() throws IOException {
        assertTrue(refusal(bytes("0000 0017")).contains("23 bytes"));
        assertTrue(refusal(bytes("7fff ffff")).contains("bytes"), "no 2 GB allocation on a peer's word");
        assertTrue(refusal(bytes("ffff fffe")).contains("bytes"), "nor a negative one");
    }

    @Test
    void pathLongerThanTheMessageIsRefused() throws IOException {
        // The bind path claims 0x00ff bytes but 0x4e - 24 remain.
        assertTrue(refusal(patched(24, 0x00, 0xff)).contains("path of 255 bytes"));
    }

    @Test
    void missingRegionPathIsRefused() throws IOException {
        // A message that ends right after the bind path: 20 fixed bytes, then 2 + 15 for the path.
        byte[] m = bytes(DRIVER_HELLO);
        byte[] cut = java.util.Arrays.copyOf(m, 4 + 20 + 2 + 15);
        cut[3] = 20 + 2 + 15;
        assertTrue(refusal(cut).contains("truncated"));
    }

    @Test
    void aPeerThatHangsUpMidMessageEndsTheRead() throws IOException {
        byte[] m = bytes(DRIVER_HELLO);
        send(java.util.Arrays.copyOf(m, 20));
        a.close();
        assertThrows(EOFException.class, () -> Hello.read(b));
    }
}
